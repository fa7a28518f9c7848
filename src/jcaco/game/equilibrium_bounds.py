"""The best and the worst pure Nash equilibria under the social objective (15).

The payoff is separable (MODEL.md §4.2, item 5): a joint profile is a pure equilibrium of G_s
exactly when its AP part and its server part are equilibria of their subgames, and objective
(15) is the sum of the two parts. So the best (worst) equilibrium of the instance is the best
(worst) equilibrium of each subgame put together.

For fixed weights the equilibrium conditions are linear in the assignment. Player i on r must
not gain by moving to any feasible r': L_r ≤ L_{r'} + w[i, r'], where L is the expected load
(27)/(28) with i counted on r. As a row of the mixed-integer model,

    Σ_j w[j, r] x[j, r] - Σ_j w[j, r'] x[j, r'] + M x[i, r] ≤ w[i, r'] + M - margin,

with M = max(0, Σ_j w[j, r] - w[i, r']) (the left side's largest value when x[i, r] = 0),
so the row binds only when x[i, r] = 1. The objective is the exact linearisation of
:mod:`jcaco.game.optimum` (count indicators, RLT pair variables), exact in both directions,
so the same model minimised gives the best equilibrium and maximised the worst.
``margin`` (default 1e-7 s) keeps HiGHS's feasibility tolerance from admitting a profile
whose gain is a hair above zero; an equilibrium with a tie closer than the margin is not
considered. Every returned profile is checked with :func:`jcaco.game.resource.nash_gaps`.

Price of stability = best equilibrium / optimum; price of anarchy = worst equilibrium /
optimum (both >= 1).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from jcaco.game import resource
from jcaco.game.dynamics import sequential_best_response
from jcaco.game.optimum import (
    DEFAULT_REL_GAP,
    DEFAULT_TIME_LIMIT_S,
    ModelBuilder,
    build_social_model,
    count_bounds,
    heuristic_choice,
    place_non_players,
    subgame_cost,
)
from jcaco.game.profile import Profile
from jcaco.model.instance import GameInstance
from jcaco.types import FloatArray, IntArray

#: Strictness of the equilibrium rows [s] (see the module docstring).
DEFAULT_MARGIN_S = 1e-7


@dataclass(frozen=True)
class SubgameEquilibrium:
    """The best or worst equilibrium of one subgame.

    Attributes
    ----------
    choice : ndarray of int, shape (num_users,)
    objective_s : float
        Its social cost (the subgame's part of (15)) [s].
    bound_s : float
        Proven bound: a lower bound for the best equilibrium, an upper bound for the worst [s].
    proven : bool
        HiGHS proved optimality within its relative gap.
    wall_time_s : float
    """

    choice: IntArray
    objective_s: float
    bound_s: float
    proven: bool
    wall_time_s: float


def _equilibrium_rows(
    builder: ModelBuilder, w: FloatArray, x: IntArray, index: IntArray, margin_s: float
) -> None:
    """Add the big-M equilibrium rows of every player, resource and alternative."""
    p, num_r = w.shape
    feasible = index >= 0
    w0 = np.where(feasible, w, 0.0)
    max_load = w0.sum(axis=0)  # [resources]
    rows, cols, vals, rhs = [], [], [], []
    count = 0
    for r in range(num_r):
        on_r = np.flatnonzero(feasible[:, r])
        for r2 in range(num_r):
            if r2 == r:
                continue
            on_r2 = np.flatnonzero(feasible[:, r2])
            for i in np.flatnonzero(feasible[:, r] & feasible[:, r2]):
                big = max(0.0, max_load[r] - w[i, r2])
                own = x[index[i, r]]
                cols.append(np.concatenate([x[index[on_r, r]], x[index[on_r2, r2]], [own]]))
                vals.append(np.concatenate([w[on_r, r], -w[on_r2, r2], [big]]))
                rows.append(np.full(len(cols[-1]), count))
                rhs.append(w[i, r2] + big)
                count += 1
    if count:
        matrix = (np.concatenate(rows), np.concatenate(cols), np.concatenate(vals))
        builder.add_rows(*matrix, count, -np.inf, np.asarray(rhs) - margin_s)


def solve_subgame_equilibrium(
    time_s: FloatArray,
    weight: FloatArray,
    *,
    worst: bool = False,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    rel_gap: float = DEFAULT_REL_GAP,
    margin_s: float = DEFAULT_MARGIN_S,
    rng: np.random.Generator | None = None,
) -> SubgameEquilibrium:
    """The equilibrium of one subgame with the least (or, ``worst``, the largest) social cost.

    Parameters
    ----------
    time_s : ndarray, shape (num_users, num_resources)
        Standalone times [s] (``inf``: infeasible).
    weight : ndarray, shape (num_users,)
        θ (or a realisation in {0, 1}).
    """
    start = time.perf_counter()
    theta = np.asarray(weight, dtype=float)
    choice = place_non_players(time_s, None)
    players = np.flatnonzero(theta > 0)
    if players.size == 0:
        return SubgameEquilibrium(choice, 0.0, 0.0, True, time.perf_counter() - start)
    t_p, th_p = time_s[players], theta[players]
    w = resource.player_weights(t_p, th_p)
    rng = rng if rng is not None else np.random.default_rng(0)
    # A known equilibrium: best response from the social heuristic's profile.
    known = sequential_best_response(w[None], heuristic_choice(t_p, th_p, rng)[None], rng)
    fallback = known.choice[0]
    fallback_s = float(subgame_cost(t_p, th_p, fallback))
    feasible = np.isfinite(t_p)
    bound_c = count_bounds(w, th_p, feasible)
    allowed = np.isfinite(bound_c)
    if not worst:  # a count that cannot beat a known equilibrium cannot be the best one
        allowed &= bound_c <= fallback_s * (1.0 + 1e-9) + 1e-12
    builder = ModelBuilder()
    model = build_social_model(builder, t_p, th_p, allowed)
    index = np.full(t_p.shape, -1, dtype=np.int64)
    index[model.pair_user, model.pair_res] = np.arange(len(model.x))
    _equilibrium_rows(builder, np.where(feasible, w, 0.0), model.x, index, margin_s)
    res = builder.solve(time_limit_s - (time.perf_counter() - start), rel_gap, maximize=worst)
    best, value = fallback, fallback_s
    if res.x is not None:
        sel = res.x[model.x] > 0.5
        candidate = np.empty(len(players), dtype=np.int64)
        candidate[model.pair_user[sel]] = model.pair_res[sel]
        gap = resource.nash_gaps(w, candidate, np.ones(len(players), dtype=bool))
        cost = float(subgame_cost(t_p, th_p, candidate))
        better = cost > value if worst else cost < value
        if gap.max(initial=0.0) <= resource.DEFAULT_ATOL_S and better:
            best, value = candidate, cost
    dual = getattr(res, "mip_dual_bound", None)
    bound = value
    if dual is not None and np.isfinite(dual):
        bound = -float(dual) if worst else float(dual)
        bound = max(bound, value) if worst else min(bound, value)
    elif worst:
        bound = np.inf
    choice[players] = best
    return SubgameEquilibrium(choice, value, bound, res.status == 0, time.perf_counter() - start)


@dataclass(frozen=True)
class EquilibriumBounds:
    """The best and the worst pure equilibria of a JCACO instance under objective (15).

    Attributes
    ----------
    best, worst : Profile
    best_s, worst_s : float
        Their expected total service times (15) [s].
    best_bound_s : float
        Proven lower bound on the best equilibrium's objective [s].
    worst_bound_s : float
        Proven upper bound on the worst equilibrium's objective [s].
    proven : bool
        All four subgame problems proven optimal.
    """

    best: Profile
    worst: Profile
    best_s: float
    worst_s: float
    best_bound_s: float
    worst_bound_s: float
    proven: bool


def equilibrium_bounds(
    instance: GameInstance,
    *,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    rel_gap: float = DEFAULT_REL_GAP,
    margin_s: float = DEFAULT_MARGIN_S,
) -> EquilibriumBounds:
    """Best and worst pure equilibria of a single instance (each of 4 MILPs gets the limit)."""
    parts = {
        (kind, worst): solve_subgame_equilibrium(
            times,
            instance.activity,
            worst=worst,
            time_limit_s=time_limit_s,
            rel_gap=rel_gap,
            margin_s=margin_s,
        )
        for kind, times in (("ap", instance.tx_time_s), ("server", instance.compute_time_s))
        for worst in (False, True)
    }
    best_ap, worst_ap = parts["ap", False], parts["ap", True]
    best_sv, worst_sv = parts["server", False], parts["server", True]
    return EquilibriumBounds(
        best=Profile(best_ap.choice, best_sv.choice),
        worst=Profile(worst_ap.choice, worst_sv.choice),
        best_s=best_ap.objective_s + best_sv.objective_s,
        worst_s=worst_ap.objective_s + worst_sv.objective_s,
        best_bound_s=best_ap.bound_s + best_sv.bound_s,
        worst_bound_s=worst_ap.bound_s + worst_sv.bound_s,
        proven=all(p.proven for p in parts.values()),
    )
