"""The exact social optimum of a JCACO instance, problems (14) and (15) (docs/model.md §2).

The objective separates (note after (15)): the expected total service time is the AP part plus
the server part, and each part is one resource-selection game (:mod:`jcaco.game.resource`)
with standalone times ``T[i, r]`` and activities θ. Each part is solved exactly on its own.

The closed form of one part, cost_r(S) = Σ_{j∈S} w_j (1 - θ_j) + Θ_r W_r (n_r L_r, problem (14),
when every θ is 0 or 1), its derivation and the count-indicator model that makes it linear are
in :mod:`jcaco.game.optimum.count_model`.

Pruning by a heuristic upper bound, and the proven lower bound reported: see
:mod:`jcaco.game.optimum.count_model`.

Solver: HiGHS through :func:`scipy.optimize.milp` (already a dependency). Non-players (θ = 0)
cost nothing; they are placed on ``keep`` (their previous choice) when that is feasible, else
on their fastest feasible resource.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from jcaco.game import resource
from jcaco.game.dynamics import greedy_profile, sequential_best_response
from jcaco.game.optimum.count_model import (
    ModelBuilder,
    build_social_model,
    count_bounds,
    dual_bound,
    model_choice,
    social_local_search,
    subgame_cost,
)
from jcaco.game.optimum.partition_columns import solve_by_columns
from jcaco.game.profile import Profile
from jcaco.model.instance import GameInstance
from jcaco.types import FloatArray, IntArray

#: Default wall-clock safety of one subgame MILP [s] (None: none). Results that stop at a
#: time limit depend on the machine's load; the node limits below do not.
DEFAULT_TIME_LIMIT_S: float | None = None
#: Default branch-and-bound node limit of one subgame MILP (deterministic: HiGHS runs serially,
#: so the same instance stops at the same node, with the same profile and bound, on any machine).
DEFAULT_NODE_LIMIT = 1000
#: Node limits of the two helper MILPs (the equal-θ surrogate, the pair-free relaxation).
SURROGATE_NODE_LIMIT = 200
RELAXATION_NODE_LIMIT = 50
#: Default relative MIP gap at which HiGHS stops (proven optimal up to this).
DEFAULT_REL_GAP = 1e-7

__all__ = ["Optimum", "SubgameOptimum", "solve_optimum", "solve_subgame", "subgame_cost"]


def heuristic_choice(time_s: FloatArray, theta: FloatArray, rng: np.random.Generator) -> IntArray:
    """A good profile of one subgame (players only): greedy, best response, social local search.

    Greedy places the heaviest players first; best response makes it an equilibrium; the local
    search then lowers the social cost, which the equilibrium need not minimise.
    """
    allowed = np.isfinite(time_s)  # [players, resources]
    w = resource.player_weights(time_s, theta)  # inf where infeasible
    order = np.argsort(-np.where(allowed, w, 0.0).max(axis=1))[None, :]
    start = greedy_profile(w[None], order, allowed[None])
    eq = sequential_best_response(w[None], start, rng).choice[0]
    w_safe = np.where(allowed, w, 0.0)
    return social_local_search(w_safe, theta, eq, allowed)


@dataclass(frozen=True)
class SubgameOptimum:
    """Exact optimum of one subgame.

    Attributes
    ----------
    choice : ndarray of int, shape (num_users,)
    objective_s : float
        Its cost (the subgame's part of (15)) [s].
    lower_bound_s : float
        Proven lower bound on the optimum [s].
    gap : float
        Relative gap ``(objective - bound) / objective`` (0 when proven optimal).
    proven : bool
        HiGHS proved optimality (within its relative gap).
    heuristic_s : float
        Cost of the heuristic profile used for pruning [s].
    counts_kept : int
        Number of (resource, count) indicators left after pruning.
    wall_time_s : float
    nodes : int
        Branch-and-bound nodes HiGHS explored in the main MILP.
    """

    choice: IntArray
    objective_s: float
    lower_bound_s: float
    gap: float
    proven: bool
    heuristic_s: float
    counts_kept: int
    wall_time_s: float
    nodes: int = 0


def place_non_players(time_s: FloatArray, keep: IntArray | None) -> IntArray:
    """Where users that are not players go: ``keep`` if feasible, else the fastest resource."""
    n = time_s.shape[0]
    fastest = np.argmin(np.where(np.isfinite(time_s), time_s, np.inf), axis=1)
    if keep is None:
        return fastest.astype(np.int64)
    ok = np.isfinite(time_s[np.arange(n), keep])
    return np.where(ok, keep, fastest).astype(np.int64)


def solve_subgame(
    time_s: FloatArray,
    weight: FloatArray,
    *,
    time_limit_s: float | None = DEFAULT_TIME_LIMIT_S,
    rel_gap: float = DEFAULT_REL_GAP,
    keep: IntArray | None = None,
    rng: np.random.Generator | None = None,
    node_limit: int | None = DEFAULT_NODE_LIMIT,
) -> SubgameOptimum:
    """Exact minimum of :func:`subgame_cost` over all feasible profiles (single game).

    Equal weights (problem (14), or one θ for all): the count model
    (:mod:`jcaco.game.optimum.count_model`). Unequal θ (problem (15)): the column model
    (:mod:`jcaco.game.optimum.partition_columns`), whose limits are all counts; where one of them
    binds,
    the count model with the pair terms takes over.

    Parameters
    ----------
    time_s : ndarray, shape (num_users, num_resources)
        Standalone times [s]; ``inf`` where infeasible (every user needs one finite entry).
    weight : ndarray, shape (num_users,)
        θ, or a realisation in {0, 1}.
    time_limit_s : float or None
        Opt-in wall-clock safety [s] (None: none): the column model starts no pricing round
        after it and hands over to the count model, whose main MILP stops at what is left;
        the best profile found and the bound are returned. Not reproducible under load:
        prefer ``node_limit``.
    keep : ndarray of int, optional
        Where non-players stay (e.g. their previous choice).
    rng : numpy.random.Generator, optional
        Order of play of the heuristic's best response (default: a fixed stream).
    node_limit : int or None
        Branch-and-bound nodes of the main MILP, and of each of the column model's two MILPs
        (deterministic; None: none; 0: no main MILP and no column model, the heuristic profile
        with the count and relaxation bounds). The helper MILPs have
        their own fixed node limits, so the result depends on the instance alone when
        ``time_limit_s`` is None.
    """
    start = time.perf_counter()
    theta = np.asarray(weight, dtype=float)
    choice = place_non_players(time_s, keep)
    players = np.flatnonzero(theta > 0)
    if players.size == 0:
        return SubgameOptimum(choice, 0.0, 0.0, 0.0, True, 0.0, 0, time.perf_counter() - start)
    t_p, th_p = time_s[players], theta[players]
    rng = rng if rng is not None else np.random.default_rng(0)
    best = heuristic_choice(t_p, th_p, rng)
    upper = float(subgame_cost(t_p, th_p, best))
    unequal = bool(np.any(th_p != th_p[0]))
    if unequal and node_limit != 0:
        # the column model; None when one of its counted limits binds
        deadline = None if time_limit_s is None else start + time_limit_s
        cols = solve_by_columns(t_p, th_p, best, rel_gap, node_limit, deadline)
        if cols is not None:
            choice[players] = cols.choice
            gap = (
                0.0
                if cols.objective_s <= 0
                else (cols.objective_s - cols.lower_bound_s) / cols.objective_s
            )
            return SubgameOptimum(
                choice, cols.objective_s, cols.lower_bound_s, max(0.0, gap), cols.proven, upper,
                cols.columns, time.perf_counter() - start, cols.nodes,
            )  # fmt: skip
    if unequal:
        # Equal-θ surrogate (same weights, θ replaced by its mean): exact and fast, and a
        # much better start than best response for the unequal-θ model.
        mean = np.full_like(th_p, th_p.mean())
        surrogate = solve_subgame(
            t_p * (th_p / mean)[:, None], mean, time_limit_s=None, rel_gap=1e-3, rng=rng,
            node_limit=SURROGATE_NODE_LIMIT,
        )  # fmt: skip
        w_safe = np.where(np.isfinite(t_p), resource.player_weights(t_p, th_p), 0.0)
        polished = social_local_search(w_safe, th_p, surrogate.choice, np.isfinite(t_p))
        value = float(subgame_cost(t_p, th_p, polished))
        if value < upper:
            best, upper = polished, value
    heuristic_s = upper
    w_p = resource.player_weights(t_p, th_p)
    bound_c = count_bounds(w_p, th_p, np.isfinite(t_p))
    allowed = bound_c <= upper * (1.0 + 1e-9) + 1e-12
    builder = ModelBuilder()
    model = build_social_model(builder, t_p, th_p, allowed)
    # Without a useful dual bound (time limit in the root LP) the count bound still holds: the
    # best split of the per-resource bounds over all resources, count_bounds[0].min().
    lower = float(bound_c[0].min())
    if np.any(th_p != th_p[0]):
        # The pair-free relaxation solves fast and keeps the bound honest if the full model
        # stops in its root LP.
        relaxed = ModelBuilder()
        build_social_model(relaxed, t_p, th_p, allowed, relaxed=True)
        bound = relaxed.solve(None, 1e-4, node_limit=RELAXATION_NODE_LIMIT)
        lower = max(lower, dual_bound(bound, 1e-4))
    res = None
    if node_limit != 0:  # 0: the heuristic profile and the cheap bounds only
        left_s = None if time_limit_s is None else time_limit_s - (time.perf_counter() - start)
        res = builder.solve(left_s, rel_gap, node_limit=node_limit)
        if res.x is not None:
            candidate = model_choice(model, res.x, len(players))
            value = float(subgame_cost(t_p, th_p, candidate))
            if value < upper:
                best, upper = candidate, value
        lower = max(lower, dual_bound(res, rel_gap))
    lower = min(lower, upper)
    choice[players] = best
    gap = 0.0 if upper <= 0 else max(0.0, (upper - lower) / upper)
    proven = gap <= rel_gap if res is None else res.status == 0
    return SubgameOptimum(
        choice,
        upper,
        lower,
        gap,
        bool(proven),
        heuristic_s,
        model.counts_kept,
        time.perf_counter() - start,
        0 if res is None else int(getattr(res, "mip_node_count", 0) or 0),
    )


@dataclass(frozen=True)
class Optimum:
    """The social optimum of a JCACO instance: both subgames' optima together.

    Attributes
    ----------
    profile : Profile
    objective_s, lower_bound_s : float
        Objective (15) of ``profile`` and the proven lower bound [s].
    gap : float
        Relative gap (0 when both parts are proven optimal).
    proven : bool
    ap, server : SubgameOptimum
    """

    profile: Profile
    objective_s: float
    lower_bound_s: float
    gap: float
    proven: bool
    ap: SubgameOptimum
    server: SubgameOptimum


def solve_optimum(
    instance: GameInstance,
    *,
    time_limit_s: float | None = DEFAULT_TIME_LIMIT_S,
    rel_gap: float = DEFAULT_REL_GAP,
    weight: FloatArray | None = None,
    keep: Profile | None = None,
    node_limit: int | None = DEFAULT_NODE_LIMIT,
) -> Optimum:
    """Exact minimum of the expected total service time (15) of a single instance.

    ``weight`` (default θ) may be a realisation a ∈ {0, 1}^N, which gives problem (14).
    Each subgame gets ``time_limit_s`` (a wall-clock safety) and ``node_limit``
    (deterministic); see :func:`solve_subgame`.
    """
    theta = instance.theta if weight is None else np.asarray(weight, dtype=float)
    ap = solve_subgame(
        instance.tx_time_s,
        theta,
        time_limit_s=time_limit_s,
        rel_gap=rel_gap,
        keep=None if keep is None else keep.ap,
        node_limit=node_limit,
    )
    server = solve_subgame(
        instance.compute_time_s,
        theta,
        time_limit_s=time_limit_s,
        rel_gap=rel_gap,
        keep=None if keep is None else keep.server,
        node_limit=node_limit,
    )
    objective = ap.objective_s + server.objective_s
    lower = ap.lower_bound_s + server.lower_bound_s
    return Optimum(
        Profile(ap.choice, server.choice),
        objective,
        lower,
        0.0 if objective <= 0 else max(0.0, (objective - lower) / objective),
        ap.proven and server.proven,
        ap,
        server,
    )
