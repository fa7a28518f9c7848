"""Costs, service times and certificates of a JCACO profile (docs/model.md (8)–(15), (24)–(28)).

The JCACO payoff is separable, U_i = T^tr_i + T^cp_i (13), (24): the AP subgame and the server
subgame are two resource-selection games (:mod:`jcaco.game.resource`) that share the players.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jcaco.game import resource
from jcaco.game.profile import Profile
from jcaco.model.instance import GameInstance
from jcaco.types import BoolArray, FloatArray


def ap_weights(instance: GameInstance, weight: FloatArray | None = None) -> FloatArray:
    """AP-subgame weights θ_i T_{i,m} (27), or a_i T_{i,m} (8) for a realisation ``weight``."""
    return resource.player_weights(instance.tx_time_s, instance.theta if weight is None else weight)


def server_weights(instance: GameInstance, weight: FloatArray | None = None) -> FloatArray:
    """Server-subgame weights θ_i C_{i,k} (28), or a_i C_{i,k} (11) for a realisation."""
    return resource.player_weights(
        instance.compute_time_s, instance.theta if weight is None else weight
    )


def expected_loads(instance: GameInstance, profile: Profile) -> tuple[FloatArray, FloatArray]:
    """Expected loads (L̄^c, L̄^o) of every AP and server, eqs. (27), (28) [s].

    Returns
    -------
    ap_load_s : ndarray, shape (..., num_aps)
    server_load_s : ndarray, shape (..., num_servers)
    """
    return (
        resource.chosen_loads(instance.tx_time_s, instance.theta, profile.ap),
        resource.chosen_loads(instance.compute_time_s, instance.theta, profile.server),
    )


def realised_loads(
    instance: GameInstance, profile: Profile, active: BoolArray
) -> tuple[FloatArray, FloatArray]:
    """Realised loads (L^c, L^o) for the activity vector ``active``, eqs. (8), (11) [s]."""
    a = np.asarray(active, dtype=float)
    return (
        resource.chosen_loads(instance.tx_time_s, a, profile.ap),
        resource.chosen_loads(instance.compute_time_s, a, profile.server),
    )


def expected_cost(instance: GameInstance, profile: Profile) -> FloatArray:
    """Game payoff Ū_i = T̄^tr_i + T̄^cp_i, eqs. (24)–(26) [s], shape ``(..., num_users)``.

    This is the *unconditional* expected delay of docs/model.md §3 (the user's own term is
    θ_i T_{i,m}); it is what the potential of Theorems 3–4 is built on.
    """
    ap_load, server_load = expected_loads(instance, profile)
    return np.take_along_axis(ap_load, profile.ap, axis=-1) + np.take_along_axis(
        server_load, profile.server, axis=-1
    )


def expected_service_time(instance: GameInstance, profile: Profile) -> FloatArray:
    """E[U_i | i active] = T_{i,x_i} + C_{i,y_i} + others' expected loads there [s].

    Shape ``(..., num_users)``. For a user with θ_i = 0 this is the time it would see if it
    became active.
    """
    ap_load, server_load = expected_loads(instance, profile)
    theta = instance.theta
    own_tx = resource.chosen(instance.tx_time_s, profile.ap)
    own_cp = resource.chosen(instance.compute_time_s, profile.server)
    ap_part = np.take_along_axis(ap_load, profile.ap, axis=-1) - theta * own_tx + own_tx
    server_part = np.take_along_axis(server_load, profile.server, axis=-1) - theta * own_cp + own_cp
    return ap_part + server_part


def expected_total_service_time(instance: GameInstance, profile: Profile) -> FloatArray:
    """Objective (15): E_a[Σ_{i active} U_i] = Σ_i θ_i E[U_i | i active] [s].

    Independence of the activity states (3) makes this exact (no Monte Carlo).
    Shape ``batch_shape``.
    """
    per_user = expected_service_time(instance, profile)
    contribution = np.where(instance.players, instance.theta * per_user, 0.0)
    return contribution.sum(axis=-1)


def realised_service_time(
    instance: GameInstance, profile: Profile, active: BoolArray
) -> FloatArray:
    """Realised U_i (13) of every active user for activity ``active`` (0 if inactive) [s]."""
    ap_load, server_load = realised_loads(instance, profile, active)
    per_user = np.take_along_axis(ap_load, profile.ap, axis=-1) + np.take_along_axis(
        server_load, profile.server, axis=-1
    )
    return np.where(active, per_user, 0.0)


def nash_gap_per_user(instance: GameInstance, profile: Profile) -> FloatArray:
    """Each player's largest gain from a unilateral change of AP and server in G_s [s].

    The payoff is separable, so the joint gain is the AP gain plus the server gain.
    """
    players = instance.players
    return resource.nash_gaps(ap_weights(instance), profile.ap, players) + resource.nash_gaps(
        server_weights(instance), profile.server, players
    )


def nash_gap(instance: GameInstance, profile: Profile) -> FloatArray:
    """Largest gain any single player could get, max_i of :func:`nash_gap_per_user` [s]."""
    return nash_gap_per_user(instance, profile).max(axis=-1, initial=0.0)


def is_nash(
    instance: GameInstance, profile: Profile, atol: float = resource.DEFAULT_ATOL_S
) -> BoolArray:
    """Whether ``profile`` is a pure Nash equilibrium (17) of G_s, within ``atol`` seconds."""
    return nash_gap(instance, profile) <= atol


@dataclass(frozen=True)
class Evaluation:
    """Every figure of merit of one profile (the numbers of a ``jcaco.result/1`` file)."""

    steps: np.ndarray
    expected_cost_s: FloatArray
    expected_service_time_s: FloatArray
    expected_total_service_time_s: float
    nash_gap_s: float
    is_nash: bool


def evaluate(instance: GameInstance, profile: Profile) -> Evaluation:
    """Score a single (unbatched) profile on a single instance."""
    return Evaluation(
        steps=np.take_along_axis(instance.steps, profile.server[..., None], axis=-1)[..., 0],
        expected_cost_s=expected_cost(instance, profile),
        expected_service_time_s=expected_service_time(instance, profile),
        expected_total_service_time_s=float(expected_total_service_time(instance, profile)),
        nash_gap_s=float(nash_gap(instance, profile)),
        is_nash=bool(is_nash(instance, profile)),
    )
