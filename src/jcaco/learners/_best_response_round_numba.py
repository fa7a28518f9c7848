"""Compiled round of best responses and its check, fused (imports numba; load it lazily).

The same operations in the same order as the numpy forms in
:mod:`jcaco.learners.best_response_round` (:mod:`jcaco.kernels`), so the same bits
(``tests/test_br_round_kernel.py``): the loads summed in user order from 0.0 (as
``np.bincount``), each turn's deviation costs ``load[r] + w[i, r]`` with the current
resource at its load, the first cheapest resource (``np.argmin``: the first NaN if any), and a
move only when it gains more than ``atol``. The numpy form adds 0.0 to the loads of a seed
whose user did not move; the kernel skips that, which changes no bit (the loads are sums and
differences of non-negative weights, never -0.0, and ``x + 0.0 == x`` for every other x).
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def _loads(ws, cs, load):  # pragma: no cover - compiled
    """load[r] = Σ_{i: cs_i = r} ws[i, r], summed in user order from 0.0 (``resource.loads``)."""
    load[:] = 0.0
    for i in range(cs.shape[0]):
        load[cs[i]] += ws[i, cs[i]]


@numba.njit(cache=True, nogil=True)
def _first_cheapest(load, row, current, cost):  # pragma: no cover - compiled
    """``np.argmin`` of the deviation costs of one user (docs/model.md (43)), filled in ``cost``."""
    for r in range(load.shape[0]):
        cost[r] = load[r] + row[r]
    cost[current] = load[current]
    best = 0
    if cost[0] != cost[0]:  # NaN: numpy's argmin returns the first NaN
        return 0
    for r in range(1, load.shape[0]):
        value = cost[r]
        if value != value:
            return r
        if value < cost[best]:
            best = r
    return best


@numba.njit(cache=True, nogil=True)
def _settled(ws, cs, players, atol, load, cost):  # pragma: no cover - compiled
    """:func:`settled` of one seed: no user of ``players`` with a positive weight gains more
    than ``atol``; ``load`` is ``cs``'s, summed afresh (``resource.best_responses``)."""
    for i in range(cs.shape[0]):
        row = ws[i]
        plays = False
        for r in range(row.shape[0]):
            if row[r] > 0:
                plays = True
        if players[i] and plays:
            best = _first_cheapest(load, row, cs[i], cost)
            if load[cs[i]] - cost[best] > atol:
                return False
    return True


@numba.njit(cache=True, nogil=True)
def round_kernel(w, choice, movers, order, players, atol):  # pragma: no cover - compiled
    """:func:`round_and_settle` for ``w (S, N, R)``: (choice after, moves (S,), settled (S,)).

    ``choice (S, N)`` is not modified; ``movers (S, N)`` says who takes a turn, ``order
    (S, N)`` the turns' order per seed, ``players (S, N)`` who counts in the check.
    """
    num_seeds, num_users, num_resources = w.shape
    out = choice.copy()
    moves = np.zeros(num_seeds, dtype=np.int64)
    still = np.empty(num_seeds, dtype=np.bool_)
    load = np.empty(num_resources)
    cost = np.empty(num_resources)
    for s in range(num_seeds):
        ws, cs = w[s], out[s]
        _loads(ws, cs, load)
        for turn in range(num_users):
            user = order[s, turn]
            row = ws[user]
            current = cs[user]
            best = _first_cheapest(load, row, current, cost)
            if movers[s, user] and load[current] - cost[best] > atol:
                load[current] -= row[current]
                load[best] += row[best]
                cs[user] = best
                moves[s] += 1
        _loads(ws, cs, load)  # afresh, as the check's numpy form sums them
        still[s] = _settled(ws, cs, players[s], atol, load, cost)
    return out, moves, still
