"""The views a learner gets, built from its declared :class:`Information` alone.

:func:`build_setup` makes what :meth:`Learner.reset` receives, :func:`build_view` what
:meth:`Learner.act` receives each slot. A field the declaration does not cover is ``None``;
the slot loop (:mod:`jcaco.sim.loop`) and the conformance check
(:mod:`jcaco.learners.checks`) both build views here and nowhere else.

Every array keeps the batch axes ``(S, N, ...)`` of the vectorised engine: row ``i`` of an
*own* field is what user ``i`` knows of itself, and a learner must decide user ``i``'s action
from row ``i`` alone. Fields under :attr:`View.others` are what a user knows of everybody.
A view's arrays may be the environment's buffers (``simulate`` writes each slot's times over
the previous slot's): valid for the slot; a learner copies what it keeps longer. The
mean-fading times are made only for a declaration that reads them (:func:`needs_mean_tx`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

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
    """Σ_j weight_j max_r time[j, r] from :func:`_worst_time_s`, shape ``(S, 1)`` [s]
    (docs/model.md O9)."""
    return np.maximum((weight * worst_s).sum(axis=-1, keepdims=True), 1e-300)


@dataclass(frozen=True)
class LoadStats:
    """Per-resource constants of one subgame, announced on request (MASL's tighter normalisers).

    Each is ``(S, R)``, computed on the set-up game (mean fading, initial positions), with
    user j's weight w_jr on resource r (θ_j T_jr for the expected loads (27), (28); T_jr for
    the realised loads (8), (11); 0 where r is infeasible or j never plays) and the chance
    p_jr that j puts that weight on r when every user plays its uniform start strategy (33)
    (1/M on an AP, 1/K_j on each of its K_j feasible servers; times θ_j for a realised load).

    Attributes
    ----------
    full_s : ndarray
        Σ_j w_jr: the load of r with every user on it, the largest any profile gives [s].
    start_mean_s : ndarray
        Σ_j p_jr w_jr: the mean load of r under the uniform start [s].
    start_variance_s2 : ndarray
        Σ_j p_jr (1 - p_jr) w_jr²: its variance [s²].
    largest_s : ndarray
        max_j w_jr: the largest single term [s].
    """

    full_s: FloatArray
    start_mean_s: FloatArray
    start_variance_s2: FloatArray
    largest_s: FloatArray


def load_stats(theta: FloatArray, time: FloatArray, signal: str) -> LoadStats:
    """:class:`LoadStats` of one subgame: ``theta`` ``(S, N)``, ``time`` ``(S, N, R)`` [s]
    (``inf``: infeasible), ``signal`` ``"expected"`` (θ weights) or ``"measured"``.

    With c_j feasible resources, p_jr w_jr is θ_j T_jr / c_j for both signals; the sums over
    the users are products of an ``(S, 1, N)`` row with the ``(S, N, R)`` times, a few passes
    over the time matrix: at 10^6 users and R = 10, MASL's set-up with ``start-quantile`` took
    0.84 s of CPU against 0.15 s with ``o9`` (1.65 s with the sums done elementwise).
    """
    feasible = np.isfinite(time)
    finite = np.where(feasible, time, 0.0)  # [S, N, R]
    count = np.maximum(feasible.sum(axis=-1), 1)  # [S, N]
    players = theta > 0

    def over_users(row: FloatArray, values: FloatArray) -> FloatArray:
        return np.matmul(row[..., None, :], values)[..., 0, :]  # [S, R]

    share = np.where(players, theta / count, 0.0)  # p_jr w_jr / T_jr
    if signal == "expected":
        weight, chance = np.where(players, theta, 0.0), 1.0 / count  # w = θ T, p = 1/c
    else:
        weight, chance = players.astype(float), share  # w = T, p = θ / c
    spread = np.where(players, chance * (1.0 - chance) * weight**2, 0.0)
    return LoadStats(
        full_s=over_users(weight, finite),
        start_mean_s=over_users(share, finite),
        start_variance_s2=over_users(spread, finite**2),
        largest_s=(weight[..., None] * finite).max(axis=-2, initial=0.0),
    )


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

    :meth:`load_stats` announces per-resource constants on request (computed then, once):
    only MASL's tighter normalisers read them, and at 10^6 users they cost several passes
    over the time matrices that no other learner should pay for.
    """

    expected_max_ap_load_s: FloatArray
    expected_max_server_load_s: FloatArray
    max_ap_load_s: FloatArray
    max_server_load_s: FloatArray
    _game: GameInstance | None = field(default=None, repr=False, compare=False)
    _stats: dict[tuple[str, str], LoadStats] = field(
        default_factory=dict, repr=False, compare=False
    )

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
            game,
        )

    def load_stats(self, subgame: str, signal: str) -> LoadStats:
        """The per-resource constants of ``subgame`` (``"ap"`` or ``"server"``) for the
        ``"expected"`` or ``"measured"`` loads (:class:`LoadStats`)."""
        key = (subgame, signal)
        if key not in self._stats:
            if self._game is None:
                raise ValueError("these announcements were made without their game")
            game = self._game
            time = game.tx_time_s if subgame == "ap" else game.compute_time_s
            theta = np.asarray(game.theta, dtype=float)
            self._stats[key] = load_stats(theta, time, signal)
        return self._stats[key]


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


def needs_mean_tx(info: Information) -> bool:
    """Whether :func:`build_view` calls its ``mean_tx_time_s`` for a learner declaring
    ``info``: for its own times (``channel="mean"``) or the others' (``others="actions"``
    without ``channel="all"``)."""
    return info.channel == "mean" or (info.others == "actions" and info.channel != "all")


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


__all__ = [
    "Announcements",
    "LoadStats",
    "load_stats",
    "OthersView",
    "Setup",
    "View",
    "build_setup",
    "build_view",
    "needs_mean_tx",
]
