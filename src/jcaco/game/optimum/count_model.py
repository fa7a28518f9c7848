"""The count-indicator MILP of the social cost of one subgame (see
:mod:`jcaco.game.optimum.social_optimum`).

Derivation of the closed form. Let S be the players (θ > 0) on resource r, w_j = θ_j T_{j,r}
their weights, Θ_r = Σ_{j∈S} θ_j and W_r = Σ_{j∈S} w_j (the expected load (27)/(28)). By
independence (3), E[a_i L_r | x_i = r] = θ_i (T_{i,r} + Σ_{j∈S, j≠i} θ_j T_{j,r}), so

    cost_r(S) = Σ_{i∈S} θ_i T_{i,r} + Σ_{i≠j∈S} θ_i θ_j T_{j,r}
              = Σ_{j∈S} w_j (1 - θ_j) + Θ_r W_r.

With every θ in {0, 1} this is n_r L_r, problem (14); with every θ equal to q it is
(1 - q) W_r + q n_r W_r. Both are linear in the product of "user j is on r" and "r holds
exactly c players", which the count-indicator model below makes linear.

Mixed-integer model (per subgame, players only; a pair (i, r) with T = inf has no variable):

* ``x[i, r]`` binary: player i uses r; Σ_r x[i, r] = 1.
* ``u[r, c]`` binary: r holds exactly c players; Σ_c u[r, c] = 1, for the counts c that
  survive pruning (:mod:`jcaco.game.optimum.social_optimum`).
* ``y[i, r, c]`` in [0, 1], the product x[i, r] u[r, c]: Σ_c y[i, r, c] = x[i, r] and
  Σ_i y[i, r, c] = c u[r, c]. For binary u these force y = x u exactly, in both optimisation
  directions (u selects one c; every other c has Σ_i y = 0).
* ``y[i, r, c] <= u[r, c]`` (redundant for integers; it tightens the LP bound a lot).
* Objective, with q = min θ and δ_i = θ_i - q >= 0, Θ_r = q n_r + Σ_{i on r} δ_i:
  cost_r = Σ (1 - q) w[i, r] x[i, r] + Σ q c w[i, r] y[i, r, c]
  + Σ_{i<j} (δ_i θ_j T_{j,r} + δ_j θ_i T_{i,r}) z[i, j, r].
  With equal θ (complete information included) δ = 0 and the z part vanishes.
* z[i, j, r] in [0, 1] (only for unequal θ) and the RLT row got by multiplying
  Σ_j x[j, r] = n_r by x[i, r]: Σ_{j≠i} z[i, j, r] = Σ_c (c - 1) y[i, r, c]. For integer x
  this alone forces z = x[i, r] x[j, r]: if x[i, r] = 0 the row of i is Σ_j z[i, j, r] = 0,
  so z[i, j, r] = 0 (likewise for j); if both are on r, the c - 1 partners of i on r are the
  only j whose z can be positive, and Σ = c - 1 with z ≤ 1 makes each of them 1. Exact in
  both directions. The links z ≤ x[i, r], z ≤ x[j, r] are therefore not added: they only
  tighten the LP a little, and without their 2 × (pairs) rows each node's LP is about half
  as large (30 × 10 paper-preset AP subgame: proven in 18 s instead of 33 s, same node
  limit, loaded machine). The count rows are what make the LP relaxation tight.

Pruning. A heuristic profile gives an upper bound UB: best response from the greedy start,
then a local search on the social cost; for unequal θ also the exact optimum of the equal-θ
surrogate (θ replaced by its mean, weights kept), polished the same way. A set of c players
on resource r costs at least the sum of the c smallest w_j (1 - θ_j) there plus (c smallest
θ) × (c smallest w); spreading the other players over the other resources costs at least the
best split of those bounds (a small dynamic programme). A count whose total bound exceeds UB
is dropped with its y columns. The proven lower bound reported is the largest of HiGHS's dual
bound, the pair-free relaxation's bound (``relaxed=True`` in :func:`build_social_model`, solved
first for unequal θ) and the count bound, capped at UB; valid because a dropped count cannot
beat UB.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from jcaco.game import resource
from jcaco.game.optimum.highs_output import without_stray_line
from jcaco.types import BoolArray, FloatArray, IntArray

if TYPE_CHECKING:  # scipy is imported where a MILP is solved: the registry imports this module
    from scipy import optimize


def subgame_cost(time_s: FloatArray, weight: FloatArray, choice: IntArray) -> FloatArray:
    """Expected total service time of one subgame: Σ_r Σ_{j on r} w_j (1 - θ_j) + Θ_r W_r [s].

    Parameters
    ----------
    time_s : ndarray, shape (..., num_users, num_resources)
        Standalone times [s] (``inf``: infeasible).
    weight : ndarray, shape (..., num_users)
        θ (or a realisation a ∈ {0, 1}^N).
    choice : ndarray of int, shape (..., num_users)

    Returns
    -------
    ndarray, shape (...)
        The AP or server part of objective (15) [s]; (14) when ``weight`` is 0/1.
    """
    theta = np.asarray(weight, dtype=float)
    w = resource.player_weights(time_s, theta)
    load = resource.loads(w, choice)  # [..., resources] W_r
    mass = resource.loads(np.broadcast_to(theta[..., None], w.shape), choice)  # Θ_r
    own = resource.chosen(w, choice)  # [..., users]
    return np.asarray((own * (1.0 - theta)).sum(axis=-1) + (mass * load).sum(axis=-1))


def social_local_search(
    w: FloatArray, theta: FloatArray, choice: IntArray, allowed: BoolArray, max_moves: int = 10_000
) -> IntArray:
    """Best-improvement single moves on the social cost of one subgame (single game).

    Moving player i from r0 to r changes the cost by ``w[i, r] + θ_i W_r + Θ_r w[i, r]``
    (joining) minus ``w[i, r0] (1 - θ_i) + Θ_{r0} w[i, r0] + θ_i W_{r0} - θ_i w[i, r0]``
    (leaving, with Θ, W including i).
    """
    choice = choice.copy()
    users = np.arange(len(choice))
    for _ in range(max_moves):
        load = resource.loads(w, choice)
        mass = resource.loads(np.broadcast_to(theta[:, None], w.shape), choice)
        w0 = w[users, choice]
        leave = w0 * (1.0 - 2.0 * theta) + mass[choice] * w0 + theta * load[choice]
        # [users, resources]
        join = w + theta[:, None] * load[None, :] + mass[None, :] * w
        delta = np.where(allowed, join, np.inf) - leave[:, None]
        delta[users, choice] = 0.0
        i, r = np.unravel_index(np.argmin(delta), delta.shape)
        if delta[i, r] >= -1e-12 * max(1.0, float(leave.sum())):
            break
        choice[i] = r
    return choice


class ModelBuilder:
    """Collects variables and sparse rows of a MILP for :func:`scipy.optimize.milp`."""

    def __init__(self) -> None:
        self.cost: list[FloatArray] = []
        self.lower: list[FloatArray] = []
        self.upper: list[FloatArray] = []
        self.integer: list[IntArray] = []
        self.size = 0
        self.entries: list[tuple[IntArray, IntArray, FloatArray]] = []
        self.row_lo: list[FloatArray] = []
        self.row_hi: list[FloatArray] = []
        self.rows = 0

    def add_vars(self, cost: FloatArray, integer: bool, upper: float = 1.0) -> IntArray:
        """Add ``len(cost)`` variables in [0, upper]; return their column indices."""
        n = len(cost)
        self.cost.append(np.asarray(cost, dtype=float))
        self.lower.append(np.zeros(n))
        self.upper.append(np.full(n, upper))
        self.integer.append(np.full(n, int(integer), dtype=np.int64))
        self.size += n
        return np.arange(self.size - n, self.size)

    def add_rows(
        self,
        row: IntArray,
        col: IntArray,
        val: FloatArray,
        num: int,
        lo: float | FloatArray,
        hi: float | FloatArray,
    ) -> None:
        """Add ``num`` rows lo <= A x <= hi; ``row`` indexes them from 0."""
        self.entries.append((np.asarray(row) + self.rows, np.asarray(col), np.asarray(val)))
        self.row_lo.append(np.broadcast_to(np.asarray(lo, dtype=float), (num,)))
        self.row_hi.append(np.broadcast_to(np.asarray(hi, dtype=float), (num,)))
        self.rows += num

    def solve(
        self,
        time_limit_s: float | None,
        rel_gap: float,
        maximize: bool = False,
        node_limit: int | None = None,
    ) -> optimize.OptimizeResult:
        """Run HiGHS (serial, so a node limit makes the result reproducible bit for bit;
        its stray debug line kept off standard output, :mod:`jcaco.game.optimum.highs_output`).

        ``node_limit`` caps the branch-and-bound nodes (deterministic); ``time_limit_s``
        (None: none) is a wall-clock safety whose result depends on the machine's load.
        """
        row = np.concatenate([e[0] for e in self.entries])
        col = np.concatenate([e[1] for e in self.entries])
        val = np.concatenate([e[2] for e in self.entries]).astype(float)
        from scipy import optimize, sparse

        matrix = sparse.csr_array((val, (row, col)), shape=(self.rows, self.size))
        cost = np.concatenate(self.cost)
        with without_stray_line():
            return optimize.milp(
                -cost if maximize else cost,
                integrality=np.concatenate(self.integer),
                bounds=optimize.Bounds(np.concatenate(self.lower), np.concatenate(self.upper)),
                constraints=optimize.LinearConstraint(
                    matrix, np.concatenate(self.row_lo), np.concatenate(self.row_hi)
                ),
                options=solver_options(time_limit_s, rel_gap, node_limit),
            )


def solver_options(time_limit_s: float | None, rel_gap: float, node_limit: int | None) -> dict:
    """HiGHS options of :func:`scipy.optimize.milp`: gap, and the limits that are set."""
    options: dict[str, float | int] = {"mip_rel_gap": rel_gap}
    if time_limit_s is not None:
        options["time_limit"] = max(time_limit_s, 1e-3)
    if node_limit is not None:
        options["node_limit"] = int(node_limit)
    return options


def resource_bounds(w: FloatArray, theta: FloatArray, feasible: BoolArray) -> FloatArray:
    """``low[r, c]``: a lower bound on cost_r(S) over every set S of c players that can use r.

    cost_r(S) = Σ_S w_j (1 - θ_j) + Θ(S) W(S) is at least the sum of the c smallest
    w_j (1 - θ_j), plus the c smallest θ times the c smallest w (each sum minimised apart).

    Returns
    -------
    ndarray, shape (num_resources, num_players + 1)
        ``inf`` where fewer than c players can use r.
    """
    safe = np.where(feasible, w, 0.0)
    big = np.where(feasible, w, np.inf)  # [players, resources]
    own = np.where(feasible, safe * (1.0 - theta[:, None]), np.inf)
    mass = np.where(feasible, theta[:, None], np.inf)

    def smallest_sums(values: FloatArray) -> FloatArray:
        # [resources, players + 1]: sum of the c smallest entries of each column
        ordered = np.sort(values, axis=0).T
        return np.concatenate([np.zeros((values.shape[1], 1)), np.cumsum(ordered, axis=1)], 1)

    with np.errstate(invalid="ignore"):
        low = smallest_sums(own) + smallest_sums(mass) * smallest_sums(big)
    return np.where(np.isnan(low), np.inf, low)


def count_bounds(w: FloatArray, theta: FloatArray, feasible: BoolArray) -> FloatArray:
    """Lower bound on the subgame cost when resource r holds exactly c players.

    ``low[r, c]`` of :func:`resource_bounds` for r plus the cheapest way to spread the other
    P - c players over the other resources, ``min Σ_{r'≠r} low[r', n_r']`` subject to
    Σ n_r' = P - c (a knapsack-like dynamic programme over resources; it lets a player count on
    several resources, so it is a relaxation).

    Returns
    -------
    ndarray, shape (num_resources, num_players + 1)
        ``inf`` where c players cannot be on r at all.
    """
    p, num_r = w.shape
    low = resource_bounds(w, theta, feasible)

    def combine(a: FloatArray, b: FloatArray) -> FloatArray:
        # (min-plus convolution) best[n] = min_k a[k] + b[n - k], n = 0..P
        total = a[:, None] + b[None, :]  # [k, n - k]
        n = np.add.outer(np.arange(p + 1), np.arange(p + 1))
        out = np.full(p + 1, np.inf)
        np.minimum.at(out, n[n <= p], total[n <= p])
        return out

    # prefix[r]: best over resources < r; suffix[r]: best over resources > r
    identity = np.r_[0.0, np.full(p, np.inf)]
    prefix = [identity]
    for r in range(num_r - 1):
        prefix.append(combine(prefix[-1], low[r]))
    suffix = [identity]
    for r in range(num_r - 1, 0, -1):
        suffix.append(combine(suffix[-1], low[r]))
    suffix.reverse()
    bound = np.empty((num_r, p + 1))
    for r in range(num_r):
        rest = combine(prefix[r], suffix[r])  # [players + 1]
        bound[r] = low[r] + rest[::-1]
    return bound


@dataclass(frozen=True)
class SocialModel:
    """Column indices of the count-indicator model of one subgame (see the module docstring).

    ``pair_user``, ``pair_res`` name the feasible (player, resource) pairs behind ``x``;
    ``u_res``, ``u_count`` the (resource, count) behind each count indicator ``u``.
    """

    x: IntArray
    pair_user: IntArray
    pair_res: IntArray
    u: IntArray
    u_res: IntArray
    u_count: IntArray

    @property
    def counts_kept(self) -> int:
        """Number of (resource, count) indicators left after pruning."""
        return len(self.u)


def build_social_model(
    builder: ModelBuilder,
    time_s: FloatArray,
    theta: FloatArray,
    allowed_counts: BoolArray,
    relaxed: bool = False,
) -> SocialModel:
    """Add the exact linearisation of the social cost of one subgame to ``builder``.

    Parameters
    ----------
    time_s : ndarray, shape (num_players, num_resources)
        Standalone times of the players only [s] (``inf``: infeasible).
    theta : ndarray, shape (num_players,)
        Activities (all > 0).
    allowed_counts : ndarray of bool, shape (num_resources, num_players + 1)
        Which counts each resource may hold.
    relaxed : bool
        Leave out the pair variables and use cost_r = Σ_j w_j (1 + Σ_{i on r, i≠j} θ_i)
        ≥ Σ_j w_j (1 + sum of the c - 1 smallest θ that can use r) when r holds c players: a
        relaxation (a valid lower bound) that solves as fast as the equal-θ model.
    """
    p, num_r = time_s.shape
    feasible = np.isfinite(time_s)
    pair_user, pair_res = np.nonzero(feasible)  # [pairs]
    w = theta[pair_user] * time_s[pair_user, pair_res]
    uniform = bool(np.all(theta == theta[0]))
    q = float(theta.min())  # reference θ: the y part carries q, the z part θ - q >= 0
    x = builder.add_vars(np.zeros(len(w)) if relaxed else w * (1.0 - q), integer=True)
    builder.add_rows(pair_user, x, np.ones(len(x)), p, 1.0, 1.0)
    # count indicators u[r, c]
    u_res, u_count = np.nonzero(allowed_counts)
    u = builder.add_vars(np.zeros(len(u_res)), integer=True)
    builder.add_rows(u_res, u, np.ones(len(u)), num_r, 1.0, 1.0)
    # y[e, c] for every pair e and every allowed count c >= 1 of its resource
    pos = u_count >= 1
    ys = [np.nonzero(pos & (u_res == r))[0] for r in range(num_r)]
    y_pair = np.concatenate([np.full(len(ys[r]), e) for e, r in enumerate(pair_res)])
    y_u = np.concatenate([ys[r] for r in pair_res]) if len(pair_res) else np.zeros(0, int)
    y_pair = y_pair.astype(np.int64)
    y_u = y_u.astype(np.int64)
    y_c = u_count[y_u].astype(float)
    if relaxed:
        # [resources, players + 1] sum of the c smallest θ among the players that can use r
        mass = np.cumsum(np.sort(np.where(feasible, theta[:, None], np.inf), axis=0), axis=0)
        mass = np.concatenate([np.zeros((1, num_r)), np.where(np.isfinite(mass), mass, 0.0)])
        # cost_r = Σ_j w_j (1 + Σ_{i on r, i≠j} θ_i) ≥ Σ_j w_j (1 + c - 1 smallest θ on r)
        y_cost = (1.0 + mass[u_count[y_u] - 1, u_res[y_u]]) * w[y_pair]
    else:
        y_cost = q * y_c * w[y_pair]
    y = builder.add_vars(y_cost, integer=False)
    # Σ_c y[e, c] - x[e] = 0
    builder.add_rows(
        np.concatenate([y_pair, np.arange(len(x))]),
        np.concatenate([y, x]),
        np.concatenate([np.ones(len(y)), -np.ones(len(x))]),
        len(x),
        0.0,
        0.0,
    )
    # Σ_i y[i, r, c] - c u[r, c] = 0, one row per u (rows of c = 0 are empty: 0 = 0)
    builder.add_rows(
        np.concatenate([y_u, np.arange(len(u))]),
        np.concatenate([y, u]),
        np.concatenate([np.ones(len(y)), -u_count.astype(float)]),
        len(u),
        0.0,
        0.0,
    )
    # y[e, c] <= u[r, c]: redundant for integers, it tightens the LP bound a lot
    builder.add_rows(
        np.tile(np.arange(len(y)), 2), np.concatenate([y, u[y_u]]),
        np.r_[np.ones(len(y)), -np.ones(len(y))], len(y), -np.inf, 0.0,
    )  # fmt: skip
    if not (uniform or relaxed):
        _add_pair_terms(builder, time_s, theta, q, x, pair_user, pair_res, y, y_pair, y_c)
    return SocialModel(x, pair_user, pair_res, u, u_res, u_count)


def _add_pair_terms(
    builder: ModelBuilder,
    time_s: FloatArray,
    theta: FloatArray,
    q: float,
    x: IntArray,
    pair_user: IntArray,
    pair_res: IntArray,
    y: IntArray,
    y_pair: IntArray,
    y_c: FloatArray,
) -> None:
    """z[i, j, r] = x[i, r] x[j, r] by the RLT rows Σ_j z[i, j, r] = Σ_c (c - 1) y[i, r, c].

    Exact for integer x without the links z ≤ x (module docstring).
    """
    p, num_r = time_s.shape
    index = np.full((p, num_r), -1, dtype=np.int64)
    index[pair_user, pair_res] = np.arange(len(x))
    zi, zj, zr = [], [], []
    for r in range(num_r):
        on = np.flatnonzero(index[:, r] >= 0)
        a, b = np.triu_indices(len(on), k=1)
        zi.append(on[a])
        zj.append(on[b])
        zr.append(np.full(len(a), r))
    i_, j_, r_ = (np.concatenate(v).astype(np.int64) for v in (zi, zj, zr))
    delta = theta - q
    cost = delta[i_] * theta[j_] * time_s[j_, r_] + delta[j_] * theta[i_] * time_s[i_, r_]
    z = builder.add_vars(cost, integer=False)
    ei, ej = index[i_, r_], index[j_, r_]
    nz = len(z)
    # RLT: Σ_{j} z[{i, j}, r] - Σ_c (c - 1) y[e, c] = 0 for every pair e = (i, r)
    builder.add_rows(
        np.concatenate([ei, ej, y_pair]),
        np.concatenate([z, z, y]),
        np.concatenate([np.ones(2 * nz), -(y_c - 1.0)]),
        len(x),
        0.0,
        0.0,
    )


def model_choice(model: SocialModel, values: FloatArray, num_players: int) -> IntArray:
    """The assignment encoded by a MILP solution's x columns, shape ``(num_players,)``."""
    sel = values[model.x] > 0.5
    choice = np.empty(num_players, dtype=np.int64)
    choice[model.pair_user[sel]] = model.pair_res[sel]
    return choice


def dual_bound(res: optimize.OptimizeResult, rel_gap: float) -> float:
    """HiGHS's proven bound of a minimisation (``-inf`` when it has none)."""
    dual = getattr(res, "mip_dual_bound", None)
    if dual is not None and np.isfinite(dual):
        return float(dual)
    if res.status == 0 and res.fun is not None:
        return float(res.fun) * (1.0 - rel_gap)
    return -np.inf
