"""Compiled kernel of ``br``'s rejection draws (``draw="rejection"``; imports numba).

The same tries, moves and loads as the numpy form
:func:`jcaco.learners.best_response_rejection.rejection_moves`, to the bit (the same scalar
operations in the same order; ``tests/test_br_rejection.py``), one seed at a time.
"""

from __future__ import annotations

import numba
import numpy as np

from jcaco.learners._best_response_numba import _best_response


@numba.njit(cache=True, nogil=True)
def fold_loads(w, choice, load):  # pragma: no cover - compiled
    """``load[r] = Σ w[i, r]`` over the users on r, added in user order from 0.0 (bincount)."""
    load[:] = 0.0
    for i in range(choice.shape[0]):
        load[choice[i]] += w[i, choice[i]]


@numba.njit(cache=True, nogil=True, inline="always")
def _best(w, load, i, c, atol):  # pragma: no cover - compiled
    """``resource.best_responses`` of user i on c (a player: some weight of its row > 0)."""
    player = False
    for r in range(w.shape[1]):
        player = player or w[i, r] > 0
    return _best_response(w, load, i, c, player, atol)


@numba.njit(cache=True, nogil=True)
def _move(w, load, choice, i, b):  # pragma: no cover - compiled
    """User i moves to b: its weight leaves one load and joins the other (refold if not finite)."""
    a = choice[i]
    choice[i] = b
    load[a] -= w[i, a]
    load[b] += w[i, b]
    if not (np.isfinite(load[a]) and np.isfinite(load[b])):
        fold_loads(w, choice, load)


@numba.njit(cache=True, nogil=True)
def rejection_moves(w_ap, w_sv, ap, server, active, load_ap, load_sv, draws, state, cand, atol):
    """Consume ``draws`` for up to ``state[0]`` moves of one seed; return the draws used.

    ``state`` (int64): moves left, consecutive rejections, moves made, 1 once the scan found
    nobody able to improve, the rejection budget. ``cand``: scratch of the scan's list.
    The slot stops early (returns) when the draws run out; the caller refills and calls again.
    """  # pragma: no cover - compiled
    used = 0
    num_active = active.shape[0]
    while state[0] > 0 and state[3] == 0 and used < draws.shape[0]:
        u = draws[used]
        used += 1
        if state[1] >= state[4]:  # the exact scan: loads to the bit, every improver listed
            fold_loads(w_ap, ap, load_ap)
            fold_loads(w_sv, server, load_sv)
            count = 0
            for t in range(num_active):
                i = active[t]
                if (_best(w_ap, load_ap, i, ap[i], atol) != ap[i]) or (
                    _best(w_sv, load_sv, i, server[i], atol) != server[i]
                ):
                    cand[count] = i
                    count += 1
            state[1] = 0
            if count == 0:
                state[3] = 1
                break
            user = cand[int(np.floor(u * count))]
        else:
            user = active[int(np.floor(u * num_active))]
        a1 = _best(w_ap, load_ap, user, ap[user], atol)
        s1 = _best(w_sv, load_sv, user, server[user], atol)
        if a1 == ap[user] and s1 == server[user]:
            state[1] += 1
            continue
        if a1 != ap[user]:
            _move(w_ap, load_ap, ap, user, a1)
        if s1 != server[user]:
            _move(w_sv, load_sv, server, user, s1)
        state[0] -= 1
        state[1] = 0
        state[2] += 1
    return used
