"""The best and the worst pure Nash equilibria under the social objective (15).

The payoff is separable (docs/model.md §4.2, item 5): a joint profile is a pure equilibrium of G_s
exactly when its AP part and its server part are equilibria of their subgames, and objective
(15) is the sum of the two parts. So the best (worst) equilibrium of the instance is the best
(worst) equilibrium of each subgame put together.

For fixed weights the equilibrium conditions are linear in the assignment. Player i on r must
not gain by moving to any feasible r': L_r ≤ L_{r'} + w[i, r'], where L is the expected load
(27)/(28) with i counted on r. As a row of the mixed-integer model,

    Σ_j w[j, r] x[j, r] - Σ_j w[j, r'] x[j, r'] + M x[i, r] ≤ w[i, r'] + M - margin,

where M bounds the left side when x[i, r] = 0, so the row binds only when x[i, r] = 1: M =
D[r, r'] - w[i, r'] + margin when every player able to use r can use r' (then every
equilibrium has L_r - L_{r'} ≤ D[r, r'] = max_j w[j, r'], a row added as well), else
Σ_j w[j, r] - w[i, r']. The objective is the exact linearisation of
:mod:`jcaco.game.optimum.social_optimum` (count indicators, RLT pair variables), exact in both
directions,
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
from jcaco.game.equilibria import subgame_equilibria
from jcaco.game.optimum.count_model import (
    ModelBuilder,
    SocialModel,
    build_social_model,
    count_bounds,
    model_choice,
    subgame_cost,
)
from jcaco.game.optimum.social_optimum import (
    DEFAULT_NODE_LIMIT,
    DEFAULT_REL_GAP,
    DEFAULT_TIME_LIMIT_S,
    heuristic_choice,
    place_non_players,
)
from jcaco.game.profile import Profile
from jcaco.model.instance import GameInstance
from jcaco.types import BoolArray, FloatArray, IntArray

#: Subgames with at most this many profiles are enumerated instead (exact, and much faster
#: than the MILP for the worst equilibrium, whose LP bound is weak).
ENUMERATE_LIMIT = 200_000
#: Random starts of best response that seed the search (the fallback equilibrium).
RANDOM_STARTS = 15
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
    """Add the equilibrium rows of every player, resource and alternative (big-M form).

    Where every player that can use r can also use r', every equilibrium has
    L_r - L_{r'} ≤ D[r, r'] = max_j w[j, r'] (some player is on r, or L_r = 0); that row is
    added too and lets M shrink to D[r, r'] - w[i, r'], which is what keeps the LP tight.
    """
    p, num_r = w.shape
    feasible = index >= 0
    max_load = w.sum(axis=0)  # [resources] (w is 0 where infeasible)
    rows: list[IntArray] = []
    cols: list[IntArray] = []
    vals: list[FloatArray] = []
    rhs: list[float] = []

    def add(col: IntArray, val: FloatArray, bound: float) -> None:
        cols.append(col)
        vals.append(val)
        rows.append(np.full(len(col), len(rhs)))
        rhs.append(bound)

    for r in range(num_r):
        on_r = np.flatnonzero(feasible[:, r])
        for r2 in range(num_r):
            if r2 == r:
                continue
            on_r2 = np.flatnonzero(feasible[:, r2])
            col = np.concatenate([x[index[on_r, r]], x[index[on_r2, r2]]])
            val = np.concatenate([w[on_r, r], -w[on_r2, r2]])
            movers = feasible[:, r] & feasible[:, r2]
            nested = not np.any(feasible[:, r] & ~feasible[:, r2])
            spread = float(w[movers, r2].max(initial=0.0)) if nested else max_load[r]
            if nested and on_r.size:
                add(col, val, spread)
            for i in np.flatnonzero(movers):
                big = max(0.0, spread - w[i, r2] + margin_s)
                add(np.r_[col, x[index[i, r]]], np.r_[val, big], w[i, r2] + big - margin_s)
    if rhs:
        matrix = (np.concatenate(rows), np.concatenate(cols), np.concatenate(vals))
        builder.add_rows(*matrix, len(rhs), -np.inf, np.asarray(rhs))


def _load_count_rows(
    builder: ModelBuilder, w: FloatArray, feasible: BoolArray, model: SocialModel
) -> None:
    """Tie each load to its count: Σ_c low[r, c] u[r, c] ≤ L_r ≤ Σ_c high[r, c] u[r, c].

    ``low``/``high`` are the sums of the c smallest/largest weights on r (valid for integers;
    in the LP they stop a fractional count from coming with an unrelated load).
    """
    ordered = np.sort(np.where(feasible, w, np.nan), axis=0)  # [players, resources]
    size = feasible.sum(axis=0)
    low = np.nan_to_num(np.nancumsum(ordered, axis=0))
    rev = np.nan_to_num(np.nancumsum(np.sort(np.where(feasible, w, -np.inf), axis=0)[::-1], 0))
    c, r = model.u_count, model.u_res
    take = np.maximum(c - 1, 0)
    low_u = np.where(c > 0, low[take, r], 0.0)
    top = np.where(np.isfinite(rev[take, r]), rev[take, r], 0.0)
    high_u = np.where((c > 0) & (c <= size[r]), top, 0.0)
    e = np.arange(len(model.x))
    row_x = model.pair_res
    val_x = w[model.pair_user, model.pair_res]
    for bound, sign in ((low_u, 1.0), (high_u, -1.0)):
        builder.add_rows(
            np.r_[row_x, r], np.r_[model.x[e], model.u], np.r_[sign * val_x, -sign * bound],
            w.shape[1], 0.0, np.inf,
        )  # fmt: skip


def equilibrium_counts(w: FloatArray, feasible: BoolArray) -> BoolArray:
    """Which counts of players each resource can hold in some equilibrium (a superset).

    For the resources r' that every player able to use r can also use, an equilibrium has
    L_{r'} ≥ L_r - D[r, r'] (see :func:`_equilibrium_rows`), and the loads sum to at most
    W = Σ_j max_r w[j, r]; hence L_r ≤ (W + Σ D[r, r']) / (1 + #r'). A count whose c smallest
    weights on r already exceed that cannot occur.

    Returns
    -------
    ndarray of bool, shape (num_resources, num_players + 1)
    """
    p, num_r = w.shape
    w0 = np.where(feasible, w, 0.0)
    total = float(w0.max(axis=1).sum())
    smallest = np.concatenate(
        [np.zeros((num_r, 1)), np.cumsum(np.sort(np.where(feasible, w, np.inf), axis=0).T, 1)], 1
    )  # [resources, players + 1]
    allowed = np.isfinite(smallest)
    for r in range(num_r):
        nested = [
            r2 for r2 in range(num_r) if r2 != r and not np.any(feasible[:, r] & ~feasible[:, r2])
        ]
        spread = sum(float(w0[feasible[:, r], r2].max(initial=0.0)) for r2 in nested)
        cap = (total + spread) / (1 + len(nested))
        allowed[r] &= smallest[r] <= cap * (1.0 + 1e-9) + 1e-12
    return allowed


def solve_subgame_equilibrium(
    time_s: FloatArray,
    weight: FloatArray,
    *,
    worst: bool = False,
    time_limit_s: float | None = DEFAULT_TIME_LIMIT_S,
    rel_gap: float = DEFAULT_REL_GAP,
    margin_s: float = DEFAULT_MARGIN_S,
    enumerate_limit: int = ENUMERATE_LIMIT,
    rng: np.random.Generator | None = None,
    node_limit: int | None = DEFAULT_NODE_LIMIT,
) -> SubgameEquilibrium:
    """The equilibrium of one subgame with the least (or, ``worst``, the largest) social cost.

    Parameters
    ----------
    time_s : ndarray, shape (num_users, num_resources)
        Standalone times [s] (``inf``: infeasible).
    weight : ndarray, shape (num_users,)
        θ (or a realisation in {0, 1}).
    worst : bool
        Maximise the social cost over the equilibria instead of minimising it.
    enumerate_limit : int
        Enumerate the equilibria (:mod:`jcaco.game.equilibria`) when the players have at most
        this many profiles; 0 forces the MILP.
    time_limit_s, node_limit : float or None, int or None
        Wall-clock safety [s] and deterministic node limit of the MILP
        (:func:`jcaco.game.optimum.social_optimum.solve_subgame`); ``node_limit=0`` skips the MILP:
        the best
        (worst) equilibrium best response finds, with the count bound (best) or no bound
        (worst).
    """
    start = time.perf_counter()
    theta = np.asarray(weight, dtype=float)
    choice = place_non_players(time_s, None)
    players = np.flatnonzero(theta > 0)
    if players.size == 0:
        return SubgameEquilibrium(choice, 0.0, 0.0, True, time.perf_counter() - start)
    t_p, th_p = time_s[players], theta[players]
    if np.prod(np.isfinite(t_p).sum(axis=1), dtype=float) <= enumerate_limit:
        eq = subgame_equilibria(t_p, th_p)  # [equilibria, players]
        costs = subgame_cost(
            np.broadcast_to(t_p, (len(eq), *t_p.shape)), np.broadcast_to(th_p, eq.shape), eq
        )
        pick = int(np.argmax(costs) if worst else np.argmin(costs))
        choice[players] = eq[pick]
        value = float(costs[pick])
        return SubgameEquilibrium(choice, value, value, True, time.perf_counter() - start)
    w = resource.player_weights(t_p, th_p)
    rng = rng if rng is not None else np.random.default_rng(0)
    feasible = np.isfinite(t_p)
    # Known equilibria: best response from the social heuristic's profile and from
    # ``starts`` random profiles (one batch); the best (worst) of them is the fallback.
    random_starts = np.argmax(rng.random((RANDOM_STARTS, *w.shape)) * feasible, axis=-1)
    starts = np.concatenate([heuristic_choice(t_p, th_p, rng)[None], random_starts])
    batch = (len(starts), *w.shape)
    known = sequential_best_response(np.broadcast_to(w, batch).copy(), starts, rng)
    costs = subgame_cost(
        np.broadcast_to(t_p, batch), np.broadcast_to(th_p, starts.shape), known.choice
    )
    costs = np.where(known.converged, costs, -np.inf if worst else np.inf)  # [starts]
    pick = int(np.argmax(costs) if worst else np.argmin(costs))
    fallback = known.choice[pick]
    fallback_s = float(costs[pick])
    bound_c = count_bounds(w, th_p, feasible)
    if node_limit == 0:  # no MILP: the known equilibrium; the optimum's count bound (best)
        choice[players] = fallback
        bound = np.inf if worst else min(float(bound_c[0].min()), fallback_s)
        return SubgameEquilibrium(choice, fallback_s, bound, False, time.perf_counter() - start)
    allowed = np.isfinite(bound_c) & equilibrium_counts(w, feasible)
    if not worst:  # a count that cannot beat a known equilibrium cannot be the best one
        allowed &= bound_c <= fallback_s * (1.0 + 1e-9) + 1e-12
    builder = ModelBuilder()
    model = build_social_model(builder, t_p, th_p, allowed)
    index = np.full(t_p.shape, -1, dtype=np.int64)
    index[model.pair_user, model.pair_res] = np.arange(len(model.x))
    _equilibrium_rows(builder, np.where(feasible, w, 0.0), model.x, index, margin_s)
    _load_count_rows(builder, np.where(feasible, w, 0.0), feasible, model)
    left_s = None if time_limit_s is None else time_limit_s - (time.perf_counter() - start)
    res = builder.solve(left_s, rel_gap, maximize=worst, node_limit=node_limit)
    best, value = fallback, fallback_s
    if res.x is not None:
        candidate = model_choice(model, res.x, len(players))
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
    time_limit_s: float | None = DEFAULT_TIME_LIMIT_S,
    rel_gap: float = DEFAULT_REL_GAP,
    margin_s: float = DEFAULT_MARGIN_S,
    node_limit: int | None = DEFAULT_NODE_LIMIT,
) -> EquilibriumBounds:
    """Best and worst pure equilibria of a single instance (each of 4 MILPs gets the limits)."""
    parts = {
        (kind, worst): solve_subgame_equilibrium(
            times,
            instance.theta,
            worst=worst,
            time_limit_s=time_limit_s,
            rel_gap=rel_gap,
            margin_s=margin_s,
            node_limit=node_limit,
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
