"""Exact optimum of one subgame by columns: set partitioning with a proven gap.

The compact count model (:mod:`jcaco.game.optimum.count_model`) needs seconds to minutes on the
paper's networks with unequal θ because its LP bound is 2-3 % below the optimum. The set
partitioning model has one column per (resource r, set S of players) with the exact cost
cost_r(S) = Σ_S w_j (1 - θ_j) + Θ_r W_r of (15); each player is in one chosen column and each
resource has at most one (none: nobody there). Its LP bound is within about 0.1-0.4 % of the
optimum on those networks. Steps:

1. **Column generation.** Start from the incumbent's sets and one single-player set per
   player; solve the LP (users covered at least once, resources at most one column) with
   HiGHS and price with its duals π ≥ 0: f_r(S) = cost_r(S) - π(S) (:mod:`.optimum_pricing`).
   Greedy pricing first; when it finds nothing, an exact round over every resource.
2. **Lagrangian bound.** For any π ≥ 0 and m_r ≤ min(0, min_S f_r(S)) (exact pricing),
   LB = Σ_j π_j + Σ_r m_r is a lower bound on the optimum (each resource picks one set or
   none, relax "each player exactly once" with π). Column generation stops once the LP value
   is within ``STOP_GAP`` of the best LB.
3. **Incumbent.** The integer programme over the columns generated so far (HiGHS), polished
   by single moves, gives an upper bound UB.
4. **Enumeration.** A partition costs Σ_j π_j + Σ_r f_r(S_r); if it costs ≤ UB then
   f_r(S_r) ≤ m_r + (UB - LB) for every r. All such sets are enumerated exactly
   (:func:`.optimum_pricing.cheapest_sets`, ``mode="all"``) with the best π.
5. **Set partitioning MILP** over the enumerated columns (HiGHS, node limit): its optimum is
   the exact optimum, since every profile that can beat UB is made of enumerated columns.

Every limit is a count (iterations, pricing states, columns, nodes), so the result is
reproducible; when one binds, :func:`solve_by_columns` returns None and the caller falls back
to the compact model, keeping the bound found here.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from jcaco.game.optimum.column_pricing import cheapest_sets, greedy_sets
from jcaco.game.optimum.count_model import (
    dual_bound,
    social_local_search,
    solver_options,
    subgame_cost,
)
from jcaco.game.optimum.highs_output import without_stray_line
from jcaco.types import BoolArray, FloatArray, IntArray

if TYPE_CHECKING:  # scipy is imported where it is used: the registry imports this module
    from scipy import optimize, sparse

#: Column generation stops once (LP value - best LB) <= STOP_GAP x LP value.
STOP_GAP = 2e-3
#: Deterministic work limits: LP rounds, states per pricing search, enumerated columns.
MAX_ROUNDS = 400
MAX_PRICING_STATES = 1_000_000
MAX_COLUMNS = 60_000
#: Columns added per resource and pricing round.
COLUMNS_PER_ROUND = 3


@dataclass(frozen=True)
class ColumnSolution:
    """Outcome of :func:`solve_by_columns`.

    Attributes
    ----------
    choice : ndarray of int, shape (num_players,)
        Best profile found.
    objective_s, lower_bound_s : float
        Its cost and a proven lower bound on the optimum [s].
    proven : bool
        Optimal within ``rel_gap``.
    nodes : int
        Branch-and-bound nodes of the final set-partitioning MILP.
    columns : int
        Columns enumerated for it.
    """

    choice: IntArray
    objective_s: float
    lower_bound_s: float
    proven: bool
    nodes: int
    columns: int


class _Columns:
    """The columns of one subgame: membership rows and resources, with their exact costs."""

    def __init__(self, w: FloatArray, theta: FloatArray) -> None:
        self.w, self.theta = w, theta  # [players, resources] (0 where infeasible), [players]
        self.member = np.zeros((0, w.shape[0]), dtype=bool)
        self.res = np.zeros(0, dtype=np.int64)
        self.cost = np.zeros(0)
        self.seen: set[tuple[int, bytes]] = set()

    def add(self, r: int, member: BoolArray) -> int:
        """Add the new nonempty sets ``member`` [sets, players] on resource r; return how many."""
        fresh = [m for m in member if m.any() and (r, m.tobytes()) not in self.seen]
        if not fresh:
            return 0
        block = np.array(fresh)
        self.seen.update((r, m.tobytes()) for m in block)
        self.member = np.concatenate([self.member, block])
        self.res = np.concatenate([self.res, np.full(len(block), r)])
        self.cost = np.concatenate([self.cost, set_cost(self.w[:, r], self.theta, block)])
        return len(block)

    def matrix(self, num_r: int) -> sparse.csr_array:
        """Sparse [players + resources, columns] incidence matrix."""
        from scipy import sparse

        col_p, row_p = np.nonzero(self.member)
        cols = np.arange(len(self.res))
        return sparse.csr_array(
            (np.ones(len(row_p) + len(cols)), (np.r_[row_p, self.member.shape[1] + self.res],
                                                np.r_[col_p, cols])),
            shape=(self.member.shape[1] + num_r, len(cols)),
        )  # fmt: skip


def set_cost(w_r: FloatArray, theta: FloatArray, member: BoolArray) -> FloatArray:
    """cost_r(S) = Σ_S w_j (1 - θ_j) + Θ(S) W(S) of every set [s] (objective (15)).

    Parameters
    ----------
    w_r : ndarray, shape (num_players,)
        Weights θ_j T[j, r] on resource r [s].
    theta : ndarray, shape (num_players,)
    member : ndarray of bool, shape (num_sets, num_players)
    """
    m = member.astype(float)
    return m @ (w_r * (1.0 - theta)) + (m @ theta) * (m @ w_r)


def solve_by_columns(
    time_s: FloatArray,
    theta: FloatArray,
    incumbent: IntArray,
    rel_gap: float,
    node_limit: int | None,
    deadline: float | None = None,
) -> ColumnSolution | None:
    """Exact optimum of one subgame by the column model (module docstring); None if a limit binds.

    Parameters
    ----------
    time_s : ndarray, shape (num_players, num_resources)
        Standalone times of the players [s] (``inf``: infeasible).
    theta : ndarray, shape (num_players,)
        Activities, all > 0.
    incumbent : ndarray of int, shape (num_players,)
        A feasible profile (its sets seed the columns; its cost is the first UB).
    rel_gap : float
        Relative gap at which the optimum counts as proven.
    node_limit : int or None
        Branch-and-bound nodes of each HiGHS MILP here.
    deadline : float or None
        Opt-in wall-clock safety: a :func:`time.perf_counter` value after which no further
        pricing round or search starts (None when only the counted limits apply; a result it
        cuts depends on the machine's load).
    """
    p, num_r = time_s.shape
    feasible = np.isfinite(time_s)
    w = np.where(feasible, theta[:, None] * np.where(feasible, time_s, 0.0), 0.0)
    cols = _Columns(w, theta)
    for r in range(num_r):
        cols.add(r, (incumbent == r)[None])
    fastest = np.argmin(np.where(feasible, time_s, np.inf), axis=1)
    for r in range(num_r):
        cols.add(r, np.eye(p, dtype=bool)[fastest == r])
    own = np.where(feasible, w * (1.0 - theta[:, None]), np.inf)  # [players, resources]
    bound = _generate(cols, own, theta, num_r, deadline)
    if bound is None:
        return None
    lower, pi, floor = bound
    choice, upper, _ = _partition(cols, time_s, theta, incumbent, rel_gap, node_limit)
    if upper - lower <= rel_gap * upper:
        return ColumnSolution(choice, upper, min(lower, upper), True, 0, len(cols.res))
    # every set of a partition cheaper than UB prices at most floor_r + (UB - LB)
    slack = (upper - lower) + 1e-9 * upper
    full = _Columns(w, theta)
    for r in range(num_r):
        if _past(deadline):
            return None
        found = cheapest_sets(own[:, r] - pi, theta, w[:, r], floor[r] + slack, mode="all",
                              max_states=MAX_PRICING_STATES)  # fmt: skip
        if not found.finished or len(full.res) + len(found.values) > MAX_COLUMNS:
            return None
        full.add(r, found.members)
        full.add(r, (choice == r)[None])
    best, value, res = _partition(full, time_s, theta, choice, rel_gap, node_limit)
    # a profile outside the enumerated columns costs more than UB >= value
    lower = min(value, max(lower, dual_bound(res, rel_gap)))
    return ColumnSolution(best, value, lower, res.status == 0, res.nodes, len(full.res))


def _past(deadline: float | None) -> bool:
    """Whether the opt-in wall-clock deadline has passed."""
    return deadline is not None and time.perf_counter() > deadline


def _generate(
    cols: _Columns, own: FloatArray, theta: FloatArray, num_r: int, deadline: float | None
) -> tuple[float, FloatArray, FloatArray] | None:
    """Column generation; the best Lagrangian bound with its π and floors m_r (None: a limit)."""
    from scipy import optimize, sparse

    p = own.shape[0]
    best: tuple[float, FloatArray, FloatArray] | None = None
    for _ in range(MAX_ROUNDS):
        if _past(deadline):
            return None
        # rows: -(players covered) <= -1, (columns on r) <= 1
        sign = sparse.diags_array(np.r_[-np.ones(p), np.ones(num_r)])
        lp = optimize.linprog(
            cols.cost, A_ub=sign @ cols.matrix(num_r), b_ub=np.r_[-np.ones(p), np.ones(num_r)],
            bounds=(0, None), method="highs",
        )  # fmt: skip
        if lp.status != 0:
            return None
        pi = np.maximum(-lp.ineqlin.marginals[:p], 0.0)  # [players] duals of the cover rows
        mu = np.minimum(lp.ineqlin.marginals[p:], 0.0)  # [resources] duals of "at most one"
        added = 0
        for r in range(num_r):
            sets, _ = greedy_sets(
                own[:, r] - pi, theta, cols.w[:, r], mu[r] - 1e-9, COLUMNS_PER_ROUND
            )
            added += cols.add(r, sets)
        if added:
            continue
        floor = np.zeros(num_r)
        for r in range(num_r):
            if _past(deadline):
                return None
            found = cheapest_sets(
                own[:, r] - pi, theta, cols.w[:, r], mu[r], keep=COLUMNS_PER_ROUND,
                max_states=MAX_PRICING_STATES,
            )  # fmt: skip
            if not found.finished:
                return None
            floor[r] = min(0.0, found.minimum)
            added += cols.add(r, found.members[found.values < mu[r] - 1e-9])
        lower = float(pi.sum() + floor.sum())
        if best is None or lower > best[0]:
            best = (lower, pi, floor)
        if added == 0 or lp.fun - best[0] <= STOP_GAP * abs(lp.fun):
            return best
    return best


def _partition(
    cols: _Columns,
    time_s: FloatArray,
    theta: FloatArray,
    fallback: IntArray,
    rel_gap: float,
    node_limit: int | None,
) -> tuple[IntArray, float, optimize.OptimizeResult]:
    """Best partition over ``cols`` (HiGHS), polished by single moves, vs ``fallback``."""
    from scipy import optimize

    p = time_s.shape[0]
    num_r = time_s.shape[1]
    with without_stray_line():  # HiGHS's debug line (jcaco.game.optimum.highs_output)
        res = optimize.milp(
            cols.cost, integrality=np.ones(len(cols.cost)), bounds=optimize.Bounds(0, 1),
            constraints=optimize.LinearConstraint(
                cols.matrix(num_r), np.r_[np.ones(p), np.zeros(num_r)], np.ones(p + num_r)),
            options=solver_options(None, rel_gap, node_limit),
        )  # fmt: skip
    res.nodes = int(getattr(res, "mip_node_count", 0) or 0)
    best = fallback
    value = float(subgame_cost(time_s, theta, fallback))
    if res.x is not None:
        chosen = res.x > 0.5
        choice = np.empty(p, dtype=np.int64)
        rows, players = np.nonzero(cols.member[chosen])
        choice[players] = cols.res[chosen][rows]
        choice = social_local_search(cols.w, theta, choice, np.isfinite(time_s))
        candidate = float(subgame_cost(time_s, theta, choice))
        if candidate < value:
            best, value = choice, candidate
    return best, value, res
