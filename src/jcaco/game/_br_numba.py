"""Compiled kernel of sequential best-response dynamics (imports numba; load it lazily).

The same dynamics as :func:`jcaco.game.dynamics.sequential_best_response`, to the bit, for a
whole batch of independent games in one compiled call: per game, rounds in which the users that
can improve at the round's start move one after another in the order of their random priority,
each to its first cheapest resource, with the loads kept incrementally and refreshed (summed in
user order) after every round. See :mod:`jcaco.game.br_compiled` for the wrapper.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def _refresh(load, w, choice):
    """load[r] = Σ_{i: choice_i = r} w[i, r], summed in user order (as np.bincount)."""
    load[:] = 0.0
    for i in range(w.shape[0]):
        load[choice[i]] += w[i, choice[i]]


@numba.njit(cache=True, nogil=True)
def _candidates(w, choice, load, atol, out):
    """out[i]: user i gains more than ``atol`` by its best response; returns how many do.

    ``resource.best_responses``: the deviation cost is ``load[r] + w[i, r]`` off the current
    resource and ``load[c]`` on it, the first minimum wins, and a user without a positive
    weight (a non-player) never moves.
    """
    count = 0
    for i in range(w.shape[0]):
        c = choice[i]
        player = False
        for r in range(w.shape[1]):
            if w[i, r] > 0:
                player = True
        current = load[c]
        best = np.inf
        first = True
        for r in range(w.shape[1]):
            cost = current if r == c else load[r] + w[i, r]
            if first or cost < best:
                best = cost
                first = False
        out[i] = player and (current - best > atol)
        if out[i]:
            count += 1
    return count


@numba.njit(cache=True, nogil=True)
def sequential_best_response_kernel(w, choice, priority, max_rounds, atol):
    """Run the dynamics in place on ``choice`` ``(S, N)``; return (rounds, moves, converged)."""
    num_seeds, num_users, num_resources = w.shape
    rounds = np.zeros(num_seeds, dtype=np.int64)
    moves = np.zeros(num_seeds, dtype=np.int64)
    converged = np.zeros(num_seeds, dtype=np.bool_)
    load = np.empty(num_resources)
    cost = np.empty(num_resources)
    candidate = np.zeros(num_users, dtype=np.bool_)
    keys = np.empty(num_users)
    for s in range(num_seeds):
        ws, cs = w[s], choice[s]
        _refresh(load, ws, cs)
        done = False
        for _ in range(max_rounds):
            count = _candidates(ws, cs, load, atol, candidate)
            if count == 0:
                done = True
                break
            rounds[s] += 1
            for i in range(num_users):
                keys[i] = priority[s, i] if candidate[i] else np.inf
            order = np.argsort(keys)
            for p in range(count):
                i = order[p]
                c = cs[i]
                own = ws[i, c]
                for r in range(num_resources):
                    cost[r] = load[r] + ws[i, r]
                cost[c] = (load[c] + own) - own
                best = 0
                for r in range(1, num_resources):
                    if cost[r] < cost[best]:
                        best = r
                if cost[c] - cost[best] > atol:
                    load[c] -= own
                    load[best] += ws[i, best]
                    cs[i] = best
                    moves[s] += 1
            _refresh(load, ws, cs)
        if not done:
            done = _candidates(ws, cs, load, atol, candidate) == 0
        converged[s] = done
    return rounds, moves, converged
