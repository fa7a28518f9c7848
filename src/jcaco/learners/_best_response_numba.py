"""Compiled kernel of ``br``'s moves in one slot (imports numba; load it lazily).

The same moves as the numpy form in :meth:`jcaco.learners.best_response.BestResponse.act`, to
the bit, for a whole batch of seeds: each move draws one uniform per seed, picks the
``floor(u * count)``-th user (in user order) among the active players that can improve (as
:func:`jcaco.learners.base.uniform_choice`), and moves it to its best AP and server
(:func:`jcaco.game.resource.best_responses`). Instead of recomputing every user's best response
after each move, it keeps per subgame and user

* ``best[i]``: the cheapest alternative ``min_{r != c_i} (L_r + w[i, r])`` and its resource
  ``arg[i]`` (``-1`` while every alternative is ``inf``);
* ``flag[i]``: ``player_i and L_{c_i} - best[i] > atol``, which is ``best_responses``' ``gain > 0``
  (its minimum also runs over ``L_{c_i}`` itself: that changes the difference only where it is
  ``<= 0 <= atol``);

and per block of :data:`BLOCK` users the number of movers that can improve, so the draw's user
is found in O(N / BLOCK + BLOCK). A move from resource a to b changes two loads only; they are
summed again in user order (the bits of ``np.bincount``), and one pass over the users updates
``best``: the term of a went down (it becomes the minimum where it is smaller, or stays the
minimum where it was), the term of b went up (users whose minimum was b, and the mover, take
the minimum over their row again; for the others the minimum is unchanged), and the flags of
the users on a and b follow their new loads. Every value is computed by the same floating-point
operation as the numpy form (``L_r + w[i, r]`` with loads summed in user order; ``L_c - best``),
so the flags, draws and moves are the same (``tests/test_br_incremental.py``).
"""

from __future__ import annotations

import numba
import numpy as np

#: Users per block of the can-improve counts (the draw scans the blocks, then one block).
BLOCK = 1024


@numba.njit(cache=True, nogil=True)
def _fold(own, choice, r0, r1):  # pragma: no cover - compiled
    """The loads of resources r0 and r1: ``own`` summed in user order from 0.0 (as bincount)."""
    l0 = 0.0
    l1 = 0.0
    for i in range(choice.shape[0]):
        c = choice[i]
        if c == r0:
            l0 += own[i]
        elif c == r1:
            l1 += own[i]
    return l0, l1


@numba.njit(cache=True, nogil=True)
def _row_best(w, load, i, c):  # pragma: no cover - compiled
    """``min_{r != c} (load[r] + w[i, r])`` and its first resource (-1: all ``inf``)."""
    best = np.inf
    arg = -1
    for r in range(w.shape[1]):
        if r != c:
            t = load[r] + w[i, r]
            if t < best:
                best = t
                arg = r
    return best, arg


@numba.njit(cache=True, nogil=True)
def _setup(w, choice, load, own, best, arg, flag, player, atol):  # pragma: no cover
    """Loads (user order), own weights, cheapest alternatives and flags of one subgame."""
    num_users, num_resources = w.shape
    load[:] = 0.0
    for i in range(num_users):
        own[i] = w[i, choice[i]]
        load[choice[i]] += own[i]
    for i in range(num_users):
        on = False
        for r in range(num_resources):
            if w[i, r] > 0:
                on = True
        player[i] = on
        best[i], arg[i] = _row_best(w, load, i, choice[i])
        flag[i] = on and load[choice[i]] - best[i] > atol


@numba.njit(cache=True, nogil=True)
def _best_response(w, load, i, c, player, atol):  # pragma: no cover - compiled
    """``resource.best_responses`` of user i on c: the first cheapest resource if it gains."""
    if not player:
        return c
    current = load[c]
    argbest = 0
    cheapest = np.inf
    for r in range(w.shape[1]):
        cost = current if r == c else load[r] + w[i, r]
        if r == 0 or cost < cheapest:
            cheapest = cost
            argbest = r
    if current - cheapest > atol:
        return argbest
    return c


@numba.njit(cache=True, nogil=True)
def _after_move(w, wt_a, choice, load, own, best, arg, flag, player, u, a, b, atol):  # noqa: E501  # pragma: no cover
    """User u moved from a to b in one subgame: its two loads and every user's ``best``."""
    choice[u] = b
    own[u] = w[u, b]
    load[a], load[b] = _fold(own, choice, a, b)
    load_a = load[a]
    for i in range(choice.shape[0]):
        if not player[i]:
            continue
        c = choice[i]
        if i == u or arg[i] == b:  # the mover's row, or a minimum that went up
            best[i], arg[i] = _row_best(w, load, i, c)
        elif c != a:  # a's term went down: it is the minimum where it is smaller
            t = load_a + wt_a[i]
            if arg[i] == a or t < best[i]:
                best[i] = t
                arg[i] = a
        flag[i] = load[c] - best[i] > atol


@numba.njit(cache=True, nogil=True)
def _find(can, block_count, target):  # pragma: no cover - compiled
    """The ``target``-th (0-based) True of ``can``, in user order."""
    blk = 0
    while target >= block_count[blk]:
        target -= block_count[blk]
        blk += 1
    i = blk * BLOCK
    while True:
        if can[i]:
            if target == 0:
                return i
            target -= 1
        i += 1


@numba.njit(cache=True, nogil=True)
def _recount(can, block_count, mover, flag_ap, flag_sv):  # pragma: no cover - compiled
    """``can = mover & (flag_ap | flag_sv)`` and its counts per block; returns the total."""
    block_count[:] = 0
    total = 0
    for i in range(can.shape[0]):
        value = mover[i] and (flag_ap[i] or flag_sv[i])
        can[i] = value
        if value:
            block_count[i // BLOCK] += 1
            total += 1
    return total


@numba.njit(cache=True, nogil=True)
def br_moves_kernel(w_ap, w_sv, ap, server, mover, draws, atol):  # pragma: no cover - compiled
    """Make the moves of one slot in place on ``ap`` and ``server`` ``(S, N)``.

    Parameters
    ----------
    w_ap, w_sv : ndarray, shape (S, N, M) and (S, N, K)
        Player weights [s] (``resource.player_weights``); every load of the start profile finite.
    ap, server : ndarray of int64, shape (S, N)
        The profile, updated in place.
    mover : ndarray of bool, shape (S, N)
        Active players (who may move).
    draws : ndarray, shape (S, moves)
        The uniform of each seed and move, in the order of the moves.
    atol : float
        Smallest gain that is a gain [s].

    Returns
    -------
    moves : ndarray of int64, shape (S,)
        Moves made.
    improvable : ndarray of bool, shape (S,)
        Some player can still improve after the moves.
    can_move : ndarray of bool, shape (S,)
        Some active player can still improve after the moves.
    """
    num_seeds, num_users, num_aps = w_ap.shape
    num_servers = w_sv.shape[2]
    moves = np.zeros(num_seeds, dtype=np.int64)
    improvable = np.zeros(num_seeds, dtype=np.bool_)
    can_move = np.zeros(num_seeds, dtype=np.bool_)
    load_ap, load_sv = np.empty(num_aps), np.empty(num_servers)
    own_ap, own_sv = np.empty(num_users), np.empty(num_users)
    best_ap, best_sv = np.empty(num_users), np.empty(num_users)
    arg_ap = np.empty(num_users, dtype=np.int64)
    arg_sv = np.empty(num_users, dtype=np.int64)
    flag_ap = np.empty(num_users, dtype=np.bool_)
    flag_sv = np.empty(num_users, dtype=np.bool_)
    player_ap = np.empty(num_users, dtype=np.bool_)
    player_sv = np.empty(num_users, dtype=np.bool_)
    can = np.empty(num_users, dtype=np.bool_)
    block_count = np.zeros((num_users + BLOCK - 1) // BLOCK, dtype=np.int64)
    wt_ap = np.empty((num_aps, num_users))  # one resource's weights contiguous
    wt_sv = np.empty((num_servers, num_users))
    for s in range(num_seeds):
        wa, ws, ca, cs = w_ap[s], w_sv[s], ap[s], server[s]
        _setup(wa, ca, load_ap, own_ap, best_ap, arg_ap, flag_ap, player_ap, atol)
        _setup(ws, cs, load_sv, own_sv, best_sv, arg_sv, flag_sv, player_sv, atol)
        total = _recount(can, block_count, mover[s], flag_ap, flag_sv)
        transposed = False
        for k in range(draws.shape[1]):
            if total == 0:  # nobody can move: the remaining draws move nobody
                break
            target = np.int64(np.floor(draws[s, k] * total))
            user = _find(can, block_count, target) if target < total else 0
            if not can[user]:  # uniform_choice's argmax of an all-False row
                continue
            if not transposed:
                wt_ap[:] = wa.T
                wt_sv[:] = ws.T
                transposed = True
            a0, s0 = ca[user], cs[user]
            a1 = _best_response(wa, load_ap, user, a0, player_ap[user], atol)
            s1 = _best_response(ws, load_sv, user, s0, player_sv[user], atol)
            if a1 != a0:
                _after_move(
                    wa,
                    wt_ap[a0],
                    ca,
                    load_ap,
                    own_ap,
                    best_ap,
                    arg_ap,
                    flag_ap,
                    player_ap,
                    user,
                    a0,
                    a1,
                    atol,
                )
            if s1 != s0:
                _after_move(
                    ws,
                    wt_sv[s0],
                    cs,
                    load_sv,
                    own_sv,
                    best_sv,
                    arg_sv,
                    flag_sv,
                    player_sv,
                    user,
                    s0,
                    s1,
                    atol,
                )
            moves[s] += 1
            total = _recount(can, block_count, mover[s], flag_ap, flag_sv)
        can_move[s] = total > 0
        for i in range(num_users):
            if flag_ap[i] or flag_sv[i]:
                improvable[s] = True
                break
    return moves, improvable, can_move
