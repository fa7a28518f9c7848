"""The views a learner gets, built from its declared :class:`Information` alone.

:func:`build_setup` makes what :meth:`Learner.reset` receives, :func:`build_view` what
:meth:`Learner.act` receives each slot. A field the declaration does not cover is ``None``;
the slot loop (:mod:`jcaco.sim.loop`) and the conformance check
(:mod:`jcaco.learners.checks`) both build views here and nowhere else.

Every array keeps the batch axes ``(S, N, ...)`` of the vectorised engine: row ``i`` of an
*own* field is what user ``i`` knows of itself, and a learner must decide user ``i``'s action
from row ``i`` alone. Fields under :attr:`View.others` are what a user knows of everybody.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from jcaco.game.profile import Profile
from jcaco.learners.information import Information
from jcaco.model.instance import GameInstance
from jcaco.types import BoolArray, FloatArray, IntArray


def _worst_time_s(time: FloatArray) -> FloatArray:
    """max_r time[j, r] over feasible r (0 when none is), shape ``(S, N)`` [s]: times are
    never negative, so starting the maximum at 0 changes nothing else."""
    return np.max(time, axis=-1, where=np.isfinite(time), initial=0.0)


def _worst_load_s(worst_s: FloatArray, weight: FloatArray) -> FloatArray:
    """Σ_j weight_j max_r time[j, r] from :func:`_worst_time_s`, shape ``(S, 1)`` [s] (docs/model.md
    O9)."""
    return np.maximum((weight * worst_s).sum(axis=-1, keepdims=True), 1e-300)


@dataclass(frozen=True)
class Announcements:
    """Named public constants, announced once at set-up (docs/model.md O9).

    Each is ``(S, 1)`` [s], computed on the set-up game (mean fading, initial positions).

    Attributes
    ----------
    expected_max_ap_load_s, expected_max_server_load_s : ndarray
        T̄max_tr = Σ_j θ_j max_m T_{j,m} and T̄max_cp = Σ_j θ_j max_k C_{j,k}: bounds of the
        expected loads (27), (28), the normalisers of (35), (38).
    max_ap_load_s, max_server_load_s : ndarray
        The same with every player's weight 1: bounds of the realised loads (8), (11).
    """

    expected_max_ap_load_s: FloatArray
    expected_max_server_load_s: FloatArray
    max_ap_load_s: FloatArray
    max_server_load_s: FloatArray

    @classmethod
    def of(cls, game: GameInstance) -> Announcements:
        """The constants of ``game``."""
        theta = np.asarray(game.theta, dtype=float)
        players = (theta > 0).astype(float)
        worst_ap_s, worst_server_s = (
            _worst_time_s(game.tx_time_s),
            _worst_time_s(game.compute_time_s),
        )
        return cls(
            _worst_load_s(worst_ap_s, theta),
            _worst_load_s(worst_server_s, theta),
            _worst_load_s(worst_ap_s, players),
            _worst_load_s(worst_server_s, players),
        )


@dataclass(frozen=True)
class OthersView:
    """What a user that knows the others' actions knows of everybody (``others="actions"``).

    Attributes
    ----------
    theta : ndarray, shape (S, N)
        Everybody's θ.
    weight : ndarray, shape (S, N)
        Load weights of the game the user plays: the realised a(t) when ``activity="all"`` in a
        time-slotted simulation (the complete-information game (8), (11)), else θ (the
        expected game (27), (28)). In the static game of ``jcaco solve`` it is θ at any level.
    tx_time_s : ndarray, shape (S, N, M)
        Everybody's standalone transmission times (7): realised when ``channel="all"``, else
        at the mean fading [s].
    compute_time_s : ndarray, shape (S, N, K)
        Everybody's standalone computation times (10) [s] (``inf``: infeasible).
    profile : Profile or None
        Everybody's actions in the previous slot (None at set-up and before the first slot).
    """

    theta: FloatArray
    weight: FloatArray
    tx_time_s: FloatArray
    compute_time_s: FloatArray
    profile: Profile | None


@dataclass(frozen=True)
class Setup:
    """What :meth:`Learner.reset` receives: the network before the first slot.

    Attributes
    ----------
    information : Information
        The declaration this set-up was built from.
    theta : ndarray, shape (S, N)
        Each user's own θ_i.
    tx_time_s : ndarray, shape (S, N, M)
        Each user's own standalone transmission times at the mean fading [s].
    compute_time_s : ndarray, shape (S, N, K)
        Each user's own standalone computation times (10) [s] (``inf``: infeasible).
    distance_m : ndarray, shape (S, N, M) or None
        Each user's own distances to the APs, when the geometry is known [m].
    capacity_flops : ndarray, shape (S, K) or None
        Server capacities f_k (public) [FLOP/s].
    announcements : Announcements
        Public constants (MASL's normaliser inputs).
    num_users : int or None
        N, when ``others`` is at least ``count``.
    others : OthersView or None
        Everybody's θ and mean-fading times, when ``others="actions"``.
    """

    information: Information
    theta: FloatArray
    tx_time_s: FloatArray
    compute_time_s: FloatArray
    distance_m: FloatArray | None
    capacity_flops: FloatArray | None
    announcements: Announcements
    num_users: int | None
    others: OthersView | None

    @property
    def shape(self) -> tuple[int, int, int, int]:
        """``(S, N, M, K)``: seeds, users, APs, servers."""
        s, n, m = self.tx_time_s.shape
        return s, n, m, self.compute_time_s.shape[-1]

    @property
    def feasible(self) -> BoolArray:
        """``(S, N, K)``: the servers that meet each user's accuracy limit (37)."""
        return np.isfinite(self.compute_time_s)

    @property
    def players(self) -> BoolArray:
        """``(S, N)``: users with θ_i > 0 (the others are never active)."""
        return np.asarray(self.theta) > 0


@dataclass(frozen=True)
class View:
    """What :meth:`Learner.act` receives at the start of a slot.

    Attributes
    ----------
    information : Information
    slot : int
        Slot (iteration) index t.
    theta : ndarray, shape (S, N)
        Each user's own θ_i.
    tx_time_s : ndarray, shape (S, N, M)
        Each user's own standalone transmission times (7) this slot: realised when
        ``channel`` is ``own`` or ``all``, else at the mean fading (current positions) [s].
    compute_time_s : ndarray, shape (S, N, K)
        Each user's own standalone computation times (10) [s].
    distance_m : ndarray, shape (S, N, M) or None
        Each user's own distances to the APs [m].
    capacity_flops : ndarray, shape (S, K) or None
        Server capacities (public) [FLOP/s].
    active : ndarray of bool, shape (S, N), or None
        Each user's own activity bit a_i(t), when ``activity`` is ``own`` or ``all``.
    num_users : int or None
        N, when ``others`` is at least ``count``.
    num_active : ndarray of int, shape (S,), or None
        The number of active users, when ``others`` is ``active-count``, or ``actions`` with
        ``activity="all"``.
    others : OthersView or None
        Everybody's actions, θ, weights and times, when ``others="actions"``.
    """

    information: Information
    slot: int
    theta: FloatArray
    tx_time_s: FloatArray
    compute_time_s: FloatArray
    distance_m: FloatArray | None
    capacity_flops: FloatArray | None
    active: BoolArray | None
    num_users: int | None
    num_active: IntArray | None
    others: OthersView | None


def build_setup(info: Information, game: GameInstance) -> Setup:
    """The set-up a learner declaring ``info`` gets for ``game`` (mean fading, batched)."""
    theta = np.asarray(game.theta, dtype=float)
    others = None
    if info.others == "actions":
        others = OthersView(theta, theta, game.tx_time_s, game.compute_time_s, None)
    return Setup(
        information=info,
        theta=theta,
        tx_time_s=game.tx_time_s,
        compute_time_s=game.compute_time_s,
        distance_m=game.distance_m,
        capacity_flops=game.capacity_flops,
        announcements=Announcements.of(game),
        num_users=theta.shape[-1] if info.at_least("others", "count") else None,
        others=others,
    )


def build_view(
    info: Information,
    *,
    slot: int,
    game: GameInstance,
    mean_tx_time_s: Callable[[], FloatArray],
    active: BoolArray,
    weight: FloatArray,
    previous: Profile | None,
) -> View:
    """The view of slot ``slot`` for a learner declaring ``info``.

    Parameters
    ----------
    game : GameInstance
        The slot's realised game (θ, this slot's standalone times).
    mean_tx_time_s : callable
        Returns the slot's standalone transmission times at the mean fading, ``(S, N, M)``;
        called only when the declaration needs them.
    active : ndarray of bool, shape (S, N)
        The realised activity a(t).
    weight : ndarray, shape (S, N)
        Load weights of the slot's complete-information game: a(t) in a time-slotted
        simulation, θ in the static game.
    previous : Profile or None
        Everybody's actions in the previous slot.
    """
    theta = np.asarray(game.theta, dtype=float)
    realised = info.channel != "mean"
    own_tx = game.tx_time_s if realised else mean_tx_time_s()
    others = None
    if info.others == "actions":
        others = OthersView(
            theta=theta,
            weight=weight if info.activity == "all" else theta,
            tx_time_s=game.tx_time_s if info.channel == "all" else mean_tx_time_s(),
            compute_time_s=game.compute_time_s,
            profile=previous,
        )
    counts_active = info.others == "active-count" or (
        info.others == "actions" and info.activity == "all"
    )
    return View(
        information=info,
        slot=slot,
        theta=theta,
        tx_time_s=own_tx,
        compute_time_s=game.compute_time_s,
        distance_m=game.distance_m,
        capacity_flops=game.capacity_flops,
        active=active if info.activity != "theta" else None,
        num_users=theta.shape[-1] if info.at_least("others", "count") else None,
        num_active=np.count_nonzero(active, axis=-1) if counts_active else None,
        others=others,
    )


__all__ = ["Announcements", "OthersView", "Setup", "View", "build_setup", "build_view"]
