"""Cheapest sets of one resource: the pricing problem of the column model.

The column model of :mod:`jcaco.game.optimum.partition_columns` asks, for one resource r and duals
π ≥ 0 of the users, for the sets S of players that minimise

    f(S) = Σ_{j∈S} a_j + B(S) C(S),   a_j = w_j (1 - θ_j) - π_j,  B = Σ_S θ_j,  C = Σ_S w_j,

the reduced cost of the column (r, S) (the closed form cost_r(S) = Σ_S w_j (1 - θ_j) + Θ_r W_r
of (15), :mod:`jcaco.game.optimum.count_model`, minus the duals of its users). With b = θ > 0 and
c = w > 0, adding j to S changes f by its marginal ``a_j + b_j C + c_j B + b_j c_j``, which only
grows as S grows (f is supermodular). Hence the exact search below:

* Sets are built level by level (level k holds sets of k items, each extended only by items
  after its last one, so each set is built once), all states of a level at once with numpy.
* A child (S + j) is kept only if a lower bound on every set that extends it is below the cut:
  its value plus ``min_k [sum of the k smallest marginals of the later items at S + j] +
  k (k - 1) min(b) min(c)`` (the k-item pairs add at least that among themselves). The
  marginals at S + j bound the marginals at any superset from below, so the bound is valid
  and the search exact.
* ``mode="min"``: the cut starts at ``cut`` and falls to the best value found (the minimiser,
  and up to ``keep`` of the cheapest sets seen below the initial cut). Items whose marginal at
  the empty set is ≥ 0 are left out: by supermodularity they never lower f.
* ``mode="all"``: every nonempty set with f(S) < ``cut`` (all items take part).

The work is counted in states (sets kept); past ``max_states`` the search stops and reports
that it did not finish (deterministic, unlike a time limit).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jcaco.types import BoolArray, FloatArray

#: States (sets kept) processed together in one numpy block: [chunk, items] floats.
CHUNK_STATES = 512
#: Greedy sets polished by local moves, per set asked for.
POLISHED = 3


@dataclass(frozen=True)
class CheapestSets:
    """Result of :func:`cheapest_sets`.

    Attributes
    ----------
    members : ndarray of bool, shape (num_sets, num_items)
        The sets found, cheapest first.
    values : ndarray, shape (num_sets,)
        f of each set.
    minimum : float
        ``mode="min"``: the smallest f over all nonempty sets when it is below the initial
        cut, else the initial cut (every set costs at least this). ``mode="all"``: nan.
    states : int
        Sets kept by the search (its work).
    finished : bool
        False when ``max_states`` stopped it (then nothing above is proven).
    """

    members: BoolArray
    values: FloatArray
    minimum: float
    states: int
    finished: bool


def greedy_sets(
    a: FloatArray, b: FloatArray, c: FloatArray, cut: float, keep: int
) -> tuple[BoolArray, FloatArray]:
    """Greedy sets started from every single item: those with f < ``cut``, cheapest first.

    From each seed item the item with the most negative marginal is added while one is
    negative; where fewer than ``keep`` sets are below the cut, the best ``POLISHED * keep``
    are improved by best-improvement drop, add and swap moves. Heuristic (no proof); ``a`` is
    ``inf`` where an item may not be used.

    Returns
    -------
    members : ndarray of bool, shape (num_sets, num_items)
    values : ndarray, shape (num_sets,)
    """
    ok = np.isfinite(a)  # [items]
    a0 = np.where(ok, a, 0.0)
    seeds = np.flatnonzero(ok & (a0 + b * c < 0.0))
    n = len(a)
    if len(seeds) == 0:
        return np.zeros((0, n), dtype=bool), np.zeros(0)
    rows = np.arange(len(seeds))
    # [seeds, items]
    member = np.zeros((len(seeds), n), dtype=bool)
    member[rows, seeds] = True
    total_a, total_b, total_c = a0[seeds], b[seeds], c[seeds]
    growing = np.ones(len(seeds), dtype=bool)
    for _ in range(n):
        marginal = a0 + b * total_c[:, None] + c * total_b[:, None] + b * c  # [seeds, items]
        marginal[member | ~ok] = np.inf
        best = np.argmin(marginal, axis=1)
        growing &= marginal[rows, best] < 0.0
        if not growing.any():
            break
        g = np.flatnonzero(growing)
        member[g, best[g]] = True
        total_a[g] += a0[best[g]]
        total_b[g] += b[best[g]]
        total_c[g] += c[best[g]]
    value = total_a + total_b * total_c
    first = _distinct(member)
    first = first[np.argsort(value[first], kind="stable")][: POLISHED * keep]
    if np.count_nonzero(value[first] < cut) < keep:  # too few: improve them by local moves
        member, value = _polish(member[first], a0, b, c, ok)
        first = _distinct(member)
    first = first[value[first] < cut]
    first = first[np.argsort(value[first], kind="stable")][:keep]
    return member[first], value[first]


def _distinct(member: BoolArray) -> np.ndarray:
    """Index of the first occurrence of every distinct row of ``member`` [sets, items]."""
    packed = np.ascontiguousarray(np.packbits(member, axis=1))
    keys = packed.view(np.dtype((np.void, packed.shape[1]))).ravel()
    return np.asarray(np.unique(keys, return_index=True)[1])


def _polish(
    member: BoolArray,
    a: FloatArray,
    b: FloatArray,
    c: FloatArray,
    ok: BoolArray,
    passes: int = 20,
) -> tuple[BoolArray, FloatArray]:
    """Best-improvement drop, add and swap moves on every set [sets, items]; their values."""
    member = member.copy()
    rows = np.arange(len(member))
    m = member.astype(float)
    total_a, total_b, total_c = m @ a, m @ b, m @ c
    value = total_a + total_b * total_c
    for _ in range(passes):
        # [sets, i (leaves), j (joins)]; j = i on the diagonal stands for "drop i" and a
        # column of "add j" is appended
        swap_a = total_a[:, None, None] - a[:, None] + a
        swap_b = total_b[:, None, None] - b[:, None] + b
        swap_c = total_c[:, None, None] - c[:, None] + c
        swap = swap_a + swap_b * swap_c
        swap[~(member[:, :, None] & ~member[:, None, :] & ok)] = np.inf
        drop = (total_a[:, None] - a) + (total_b[:, None] - b) * (total_c[:, None] - c)
        drop[~member] = np.inf
        add = (total_a[:, None] + a) + (total_b[:, None] + b) * (total_c[:, None] + c)
        add[member | ~ok] = np.inf
        n = member.shape[1]
        moves = np.concatenate([swap.reshape(len(rows), -1), drop, add], axis=1)
        pick = np.argmin(moves, axis=1)
        better = moves[rows, pick] < value - 1e-12 * np.maximum(1.0, np.abs(value))
        if not better.any():
            break
        for r in np.flatnonzero(better):
            k = pick[r]
            if k < n * n:
                member[r, k // n], member[r, k % n] = False, True
            elif k < n * n + n:
                member[r, k - n * n] = False
            else:
                member[r, k - n * n - n] = True
        m = member.astype(float)
        total_a, total_b, total_c = m @ a, m @ b, m @ c
        value = total_a + total_b * total_c
    return member, value


def cheapest_sets(
    a: FloatArray,
    b: FloatArray,
    c: FloatArray,
    cut: float,
    *,
    mode: str = "min",
    keep: int = 1,
    max_states: int = 2_000_000,
) -> CheapestSets:
    """Exact search for the sets S minimising ``f(S) = a(S) + b(S) c(S)`` (module docstring).

    Parameters
    ----------
    a : ndarray, shape (num_items,)
        Linear part [s]; ``inf`` where the item may not be used.
    b, c : ndarray, shape (num_items,)
        Positive factors of the product part (θ, and the weights w = θ T [s]).
    cut : float
        ``mode="min"``: only sets with f < cut are of interest (e.g. the reduced-cost
        threshold; a positive cut is taken as 0, the cost of the empty set);
        ``mode="all"``: every set with f < cut is returned.
    mode : {"min", "all"}
    keep : int
        ``mode="min"``: how many of the cheapest sets to return.
    max_states : int
        Deterministic work limit.
    """
    n_all = len(a)
    ok = np.isfinite(a)
    single = np.where(ok, a + b * c, np.inf)  # marginal at the empty set
    enumerate_all = mode == "all"
    cut = cut if enumerate_all else min(cut, 0.0)
    cand = np.flatnonzero(ok if enumerate_all else single < 0.0)
    order = cand[np.argsort(single[cand], kind="stable")]
    n = len(order)
    nothing = np.zeros((0, n_all), dtype=bool)
    if n == 0:
        return CheapestSets(nothing, np.zeros(0), np.nan if enumerate_all else cut, 0, True)
    a_, b_, c_ = a[order], b[order], c[order]
    idx = np.arange(n)
    later = idx[None, :] > idx[:, None]  # [j, j'] j' comes after j
    cross = b_[None, :] * c_[:, None] + c_[None, :] * b_[:, None]  # [j, j'] pair term
    k = np.arange(1, n + 1)
    pair_floor = k * (k - 1) * b_.min() * c_.min()  # [k] pairs among k added items
    best = cut
    sum_a, sum_b, sum_c = np.zeros(1), np.zeros(1), np.zeros(1)
    last = np.full(1, -1)
    levels: list[tuple[np.ndarray, np.ndarray, FloatArray]] = []
    states = 0
    while len(sum_a):
        parents, items, values = [], [], []
        for lo in range(0, len(sum_a), CHUNK_STATES):
            part = slice(lo, lo + CHUNK_STATES)
            # [states, items] marginal of each later item at each state
            marginal = a_ + b_ * sum_c[part, None] + c_ * sum_b[part, None] + b_ * c_
            marginal[idx[None, :] <= last[part, None]] = np.inf
            child = (sum_a[part] + sum_b[part] * sum_c[part])[:, None] + marginal
            if not enumerate_all:
                best = min(best, float(child.min()))
            limit = cut if enumerate_all else best
            # cheap bound: the later items' negative marginals at S (cross terms dropped)
            neg = np.minimum(marginal, 0.0)
            tail = np.cumsum(neg[:, ::-1], axis=1)[:, ::-1] - neg  # [states, j] Σ_{j' > j}
            alive = np.isfinite(child) & (child + tail < limit)
            if not enumerate_all:  # S + j with m_j >= 0 is beaten by S's own subtree
                alive = (marginal < 0.0) & ((child + tail < best) | (child <= best))
            s, j = np.nonzero(alive)
            # [children, j'] marginal of j' at the child S + j, sorted: the strong bound
            ahead = np.where(later[j], marginal[s] + cross[j], np.inf)
            ahead.sort(axis=1)
            gain = np.cumsum(np.minimum(ahead, 0.0), axis=1) + pair_floor
            bound = child[s, j] + np.minimum(gain.min(axis=1, initial=0.0), 0.0)
            kept = bound < limit
            if not enumerate_all:
                kept |= child[s, j] <= best
            s, j = s[kept], j[kept]
            parents.append(s + lo)
            items.append(j)
            values.append(child[s, j])
        parent, item = np.concatenate(parents), np.concatenate(items)
        levels.append((parent, item, np.concatenate(values)))
        states += len(parent)
        if states > max_states:
            return CheapestSets(nothing, np.zeros(0), -np.inf, states, False)
        sum_a, sum_b = sum_a[parent] + a_[item], sum_b[parent] + b_[item]
        sum_c, last = sum_c[parent] + c_[item], item
    members, values_out = _collect(levels, order, n_all, cut)
    if not enumerate_all:
        members, values_out = members[:keep], values_out[:keep]
    minimum = np.nan if enumerate_all else min(cut, best)
    return CheapestSets(members, values_out, minimum, states, True)


def _collect(
    levels: list[tuple[np.ndarray, np.ndarray, FloatArray]],
    order: np.ndarray,
    n_all: int,
    cut: float,
) -> tuple[BoolArray, FloatArray]:
    """Every recorded set with f < ``cut``, cheapest first, walked back level by level."""
    members, values = [], []
    for depth, (_, _, value) in enumerate(levels):
        hit = np.flatnonzero(value < cut)
        member = np.zeros((len(hit), n_all), dtype=bool)
        state = hit
        rows = np.arange(len(hit))
        for back in range(depth, -1, -1):
            parent, items, _ = levels[back]
            member[rows, order[items[state]]] = True
            state = parent[state]
        members.append(member)
        values.append(value[hit])
    member_all, value_all = np.concatenate(members), np.concatenate(values)
    rank = np.argsort(value_all, kind="stable")
    return member_all[rank], value_all[rank]
