"""Compiled kernel of sequential best-response dynamics (imports numba; load it lazily).

The same dynamics as :func:`jcaco.game.dynamics.sequential_best_response`, to the bit, for a
whole batch of independent games in one compiled call: per game, rounds in which the users that
can improve at the round's start move one after another in the order of their random priority,
each to its first cheapest resource, with the loads kept incrementally and refreshed (summed in
user order) after every round. Called by :func:`jcaco.game.dynamics.sequential_best_response`
(:mod:`jcaco.kernels`). Also :func:`round_kernel`, ``br-round``'s round
(:func:`jcaco.game.dynamics.best_response_round`).
"""

from __future__ import annotations

import numba
import numpy as np

from jcaco.game._resource_numba import first_cheapest, sum_chosen


@numba.njit(cache=True, nogil=True)
def _refresh(load, own, choice):
    """load[r] = Σ_{i: choice_i = r} w[i, r], summed in user order (as np.bincount).

    ``own[i]`` holds ``w[i, choice_i]``: the same values in the same order as gathering them
    from ``w``, read sequentially instead of one cache line of ``w`` per user.
    """
    load[:] = 0.0
    for i in range(own.shape[0]):
        load[choice[i]] += own[i]


@numba.njit(cache=True, nogil=True)
def _candidates(w, choice, load, atol, player, flag):  # pragma: no cover - compiled
    """flag[i]: user i gains more than ``atol`` by its best response; returns how many do.

    ``resource.best_responses``: the gain is ``load[c] - min_r cost[r]`` with the deviation
    cost ``load[r] + w[i, r]`` off the current resource c and ``load[c]`` on it, and a user
    without a positive weight (``player[i]`` False) never moves. Taking ``load[c] + w[i, c]``
    (>= ``load[c]``, as w >= 0 and rounding is monotone) in place of ``load[c]`` changes no
    flag: either some other resource is cheaper than ``load[c]`` and the minimum is the same,
    or the gain is <= 0 either way. The minimum then runs over one contiguous row without a
    branch.
    """
    count = 0
    num_resources = w.shape[1]
    for i in range(w.shape[0]):
        cheapest = np.inf
        for r in range(num_resources):
            cheapest = min(cheapest, load[r] + w[i, r])
        value = player[i] and load[choice[i]] - cheapest > atol
        flag[i] = value
        count += value
    return count


@numba.njit(cache=True, nogil=True)
def order_of_play(priority, order):
    """``order`` = the users sorted by ``priority`` (uniform in [0, 1)), ties by index.

    The same permutation as ``np.argsort(priority, kind="stable")``, in expected O(N): a
    counting sort into N buckets by ``floor(priority * N)`` (monotone in the priority, so the
    buckets are in order), then an insertion sort by (priority, index) inside each bucket,
    which holds one user on average. A comparison sort of 10^6 keys cost more than the
    dynamics' rounds in a slot.
    """
    n = priority.shape[0]
    start = np.zeros(n + 1, dtype=np.int64)
    bucket = np.empty(n, dtype=np.int64)
    for i in range(n):
        b = min(max(int(priority[i] * n), 0), n - 1)
        bucket[i] = b
        start[b + 1] += 1
    for b in range(n):
        start[b + 1] += start[b]
    for i in range(n):  # users in index order: a bucket holds them by index
        order[start[bucket[i]]] = i
        start[bucket[i]] += 1
    lo = 0
    for b in range(n):
        hi = start[b]  # the end of bucket b after the fill
        for p in range(lo + 1, hi):
            user = order[p]
            key = priority[user]
            q = p - 1
            while q >= lo and priority[order[q]] > key:
                order[q + 1] = order[q]
                q -= 1
            order[q + 1] = user
        lo = hi


@numba.njit(cache=True, nogil=True)
def sequential_best_response_kernel(w, choice, priority, max_rounds, atol):  # pragma: no cover
    """Run the dynamics in place on ``choice`` ``(S, N)``; return (rounds, moves, converged).

    Per game the order of play (by priority, ties by index) is found once per call, and the
    users' weights and choices are copied into that order, so a round is sequential passes
    only: one over the weights to find the candidates, one over the candidates in the order of
    play to move them, and a refresh of the loads, summed in user order from the user-ordered
    choices and own weights (the same sums as before). At N = 10^6 the moves had cost one cache
    miss per candidate and a per-round sort O(N log N).
    """
    num_seeds, num_users, num_resources = w.shape
    rounds = np.zeros(num_seeds, dtype=np.int64)
    moves = np.zeros(num_seeds, dtype=np.int64)
    converged = np.zeros(num_seeds, dtype=np.bool_)
    load = np.empty(num_resources)
    cost = np.empty(num_resources)
    flag = np.zeros(num_users, dtype=np.bool_)  # by position in the order of play
    player = np.zeros(num_users, dtype=np.bool_)  # by position
    is_player = np.zeros(num_users, dtype=np.bool_)  # user order
    own = np.empty(num_users)  # [users], user order: w[i, choice_i]
    order = np.empty(num_users, dtype=np.int64)
    played = np.empty((num_users, num_resources))  # [position in the order of play, r]
    chose = np.empty(num_users, dtype=np.int64)  # choices by position
    by_position = np.empty(num_users, dtype=np.bool_)
    for s in range(num_seeds):
        ws, cs = w[s], choice[s]
        for i in range(num_users):
            is_player[i] = False
            for r in range(num_resources):
                if ws[i, r] > 0:
                    is_player[i] = True
            own[i] = ws[i, cs[i]]
        _refresh(load, own, cs)
        # the first round's candidates, in user order: none (an equilibrium already, as in
        # most slots of a long run) means no order of play to set up
        if _candidates(ws, cs, load, atol, is_player, flag) == 0:
            converged[s] = True
            continue
        order_of_play(priority[s], order)
        for p in range(num_users):
            i = order[p]
            for r in range(num_resources):
                played[p, r] = ws[i, r]
            chose[p] = cs[i]
            player[p] = is_player[i]
        done = False
        for round_ in range(max_rounds):
            if round_ == 0:  # the flags found above, by position
                for p in range(num_users):
                    by_position[p] = flag[order[p]]
                flag[:] = by_position
            elif _candidates(played, chose, load, atol, player, flag) == 0:
                done = True
                break
            rounds[s] += 1
            for p in range(num_users):
                if not flag[p]:
                    continue
                c = chose[p]
                own_c = played[p, c]
                for r in range(num_resources):
                    cost[r] = load[r] + played[p, r]
                cost[c] = (load[c] + own_c) - own_c
                best = 0
                for r in range(1, num_resources):
                    if cost[r] < cost[best]:
                        best = r
                if cost[c] - cost[best] > atol:
                    load[c] -= own_c
                    load[best] += played[p, best]
                    chose[p] = best
                    i = order[p]
                    cs[i] = best
                    own[i] = played[p, best]
                    moves[s] += 1
            _refresh(load, own, cs)
        if not done:
            done = _candidates(played, chose, load, atol, player, flag) == 0
        converged[s] = done
    return rounds, moves, converged


@numba.njit(cache=True, nogil=True)
def round_kernel(w, choice, movers, order, atol):  # pragma: no cover - compiled
    """``dynamics.best_response_round`` for ``w (S, N, R)``: (choice after, moves (S,)).

    ``choice (S, N)`` is not modified; ``movers (S, N)`` says who takes a turn, ``order
    (S, N)`` the turns' order per seed. The numpy form's operations: the loads summed in
    user order, each turn's deviation costs (43) with the first cheapest resource
    (``np.argmin``), a move when it gains more than ``atol``, the two loads updated. The
    numpy form also adds 0.0 to the loads of a seed whose user did not move; skipping that
    changes no bit (the loads are sums and differences of non-negative weights, never -0.0,
    and ``x + 0.0 == x`` for every other x).
    """
    num_seeds, num_users, num_resources = w.shape
    out = choice.copy()
    moves = np.zeros(num_seeds, dtype=np.int64)
    load = np.empty(num_resources)
    cost = np.empty(num_resources)
    for s in range(num_seeds):
        ws, cs = w[s], out[s]
        sum_chosen(ws, cs, load)
        for turn in range(num_users):
            user = order[s, turn]
            row = ws[user]
            current = cs[user]
            best = first_cheapest(load, row, current, cost)
            if movers[s, user] and load[current] - cost[best] > atol:
                load[current] -= row[current]
                load[best] += row[best]
                cs[user] = best
                moves[s] += 1
    return out, moves
