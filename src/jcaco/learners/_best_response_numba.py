"""Compiled kernel of ``br``'s moves (imports numba; load it lazily).

The same moves as the numpy form in :meth:`jcaco.learners.best_response.BestResponse.act`, to
the bit, for a whole batch of seeds: each move draws one uniform per seed, picks the
``floor(u * count)``-th user (in user order) among the active players that can improve (as
:func:`jcaco.learners.base.uniform_choice`), and moves it to its best AP and server
(:func:`jcaco.game.resource.best_responses`). The numpy form recomputes every user's best
response before each move, O(N R); here a move costs what it changes.

**Who can improve: thresholds.** In one subgame (loads ``L``, weights ``w``), user i on
resource c can improve iff some r != c has ``P(L_c, L_r, w[i, r])``, where ``P(Lc, Lr, x) =
Lc - (Lr + x) > atol`` in floating point: that is ``best_responses``' ``gain > 0`` (its minimum
also runs over ``L_c`` itself, which changes the difference only where it is ``<= 0 <=
atol``; and ``Lc - min_r fl(Lr + x_r) > atol`` iff it holds for some r, the subtraction being
monotone). ``P`` is monotone in x (rounding is monotone): with the players sorted by
``w[:, r]`` (``order[r]``, static while the game is), the players for whom ``P(L_c, L_r, .)``
holds are a prefix of ``order[r]``, of length ``ptr[c, r]``. A player's ``nimp`` counts the
alternatives r whose prefix of its own resource holds it; it can improve iff ``nimp > 0``. A
move a -> b changes ``L_a`` and ``L_b`` only, so only the prefixes of pairs with c or r in
{a, b} move (``4 R - 6`` pairs); each is found again by galloping from its old end, and the
players of c between the old and the new end (one bit per position and resource in ``mask``,
words of :data:`CHUNK` positions) gain or lose that alternative. So a move touches the users
whose ability to improve it changes, plus ``O(R log)`` searches.

**Loads to the bit** (:mod:`._br_loads_numba`): ``np.bincount`` sums a resource's weights in
user order from 0.0; the kernel keeps each block's running sums and refolds, after a move, the
two changed resources in the mover's block and shifts the later blocks where that is exact.

The k-th can-improve user is found from per-block counts (blocks of :data:`BLOCK` users). The
state (sorted orders, prefixes, loads) is built once per game and kept across calls while the
weights do not change (:func:`br_state`, :func:`br_run`).
"""

from __future__ import annotations

import numba
import numpy as np

from jcaco.learners._br_loads_numba import BLOCK, loads_setup, move_loads

#: Positions per word of ``mask`` (int64 words, 32 bits used: no sign bit involved).
CHUNK = 32
#: Position of a word's lowest set bit from its de Bruijn product (32-bit words).
_DEBRUIJN = np.array(
    [0, 1, 28, 2, 29, 14, 24, 3, 30, 22, 20, 15, 25, 17, 4, 8,
     31, 27, 13, 23, 21, 19, 16, 7, 26, 12, 18, 6, 11, 5, 10, 9], dtype=np.int64
)  # fmt: skip


@numba.njit(cache=True, nogil=True, inline="always")
def _improves(load_c, load_r, x, atol):  # pragma: no cover - compiled
    """``P``: a user on c with weight x on r gains more than ``atol`` by moving to r."""
    return load_c - (load_r + x) > atol


@numba.njit(cache=True, nogil=True)
def _holds(w, order, r, k, load_c, load_r, atol):  # pragma: no cover - compiled
    """``P`` at position k of ``order[r]``."""
    return _improves(load_c, load_r, w[order[r, k], r], atol)


@numba.njit(cache=True, nogil=True)
def _prefix(w, order, r, n, load_c, load_r, atol, p):  # pragma: no cover - compiled
    """Length of the prefix of ``order[r][:n]`` where ``P`` holds, galloping from ``p``."""
    if p < n and _holds(w, order, r, p, load_c, load_r, atol):
        lo = p + 1  # P holds below lo
        hi = n  # P fails from hi on
        step = 1
        while lo + step - 1 < n:
            probe = lo + step - 1
            if _holds(w, order, r, probe, load_c, load_r, atol):
                lo = probe + 1
                step *= 2
            else:
                hi = probe
                break
    else:
        if p == 0 or _holds(w, order, r, p - 1, load_c, load_r, atol):
            return p
        hi = p - 1
        lo = 0
        step = 1
        while hi - step >= 0:
            probe = hi - step
            if _holds(w, order, r, probe, load_c, load_r, atol):
                lo = probe + 1
                break
            hi = probe
            step *= 2
    while lo < hi:
        mid = (lo + hi) // 2
        if _holds(w, order, r, mid, load_c, load_r, atol):
            lo = mid + 1
        else:
            hi = mid
    return lo


@numba.njit(cache=True, nogil=True)
def _bump(i, step, nimp, other, mover, can, count):  # pragma: no cover - compiled
    """Add ``step`` to user i's ``nimp``; returns the change of the movers that can improve."""
    before = nimp[i] > 0
    nimp[i] += step
    now = nimp[i] > 0
    if now == before:
        return 0
    value = 1 if mover[i] != 0 and (now or other[i] > 0) else 0
    if value == can[i]:
        return 0
    can[i] = value
    change = 2 * value - 1
    count[i // BLOCK] += change
    return change


@numba.njit(cache=True, nogil=True)
def _walk(
    r, c, lo, hi, step, skip, order, mask, nimp, other, mover, can, count
):  # pragma: no cover
    """``step`` to the ``nimp`` of the players of c at positions [lo, hi) of ``order[r]``."""
    change = 0
    k = lo
    while k < hi:
        word_index = k // CHUNK
        base = word_index * CHUNK
        end = min(hi, base + CHUNK)
        word = mask[r, c, word_index] >> (k - base)
        word &= (np.int64(1) << (end - k)) - 1
        while word != 0:
            low_bit = word & -word
            i = order[r, k + _DEBRUIJN[((low_bit * 0x077CB531) & 0xFFFFFFFF) >> 27]]
            if i != skip:
                change += _bump(i, step, nimp, other, mover, can, count)
            word ^= low_bit
        k = end
    return change


@numba.njit(cache=True, nogil=True)
def _set_bits(u, c, on, rank, mask):  # pragma: no cover - compiled
    """Mark (or unmark) player u as on c at its position in every ``order[r]``."""
    for r in range(rank.shape[0]):
        k = rank[r, u]
        bit = np.int64(1) << (k % CHUNK)
        if on:
            mask[r, c, k // CHUNK] |= bit
        else:
            mask[r, c, k // CHUNK] &= ~bit


@numba.njit(cache=True, nogil=True)
def _count_alternatives(i, c, rank, ptr):  # pragma: no cover - compiled
    """How many alternatives r != c hold player i (on c) in their prefix."""
    n = 0
    for r in range(rank.shape[0]):
        if r != c and rank[r, i] < ptr[c, r]:
            n += 1
    return n


@numba.njit(cache=True, nogil=True)
def _setup(w, choice, sub, atol):  # pragma: no cover - compiled
    """Loads, sorted orders, masks, prefixes and ``nimp`` of one subgame of one seed."""
    player, own, tzu, perm, start, ownp, tzr, enter, load, order, rank, mask, ptr, nimp, meta = sub
    num_users, num_resources = w.shape
    players = np.empty(num_users, dtype=np.int64)
    n = 0
    for i in range(num_users):
        on = False
        for r in range(num_resources):
            if w[i, r] > 0:
                on = True
        player[i] = on
        nimp[i] = 0
        if on:
            players[n] = i
            n += 1
    meta[0] = n
    players = players[:n]
    loads_setup(w, choice, own, tzu, perm, start, ownp, tzr, enter, load)
    mask[:] = 0
    rank[:] = -1
    for r in range(num_resources):
        keys = np.empty(n)
        for k in range(n):
            keys[k] = w[players[k], r]
        sorted_players = players[np.argsort(keys, kind="mergesort")]
        for k in range(n):
            i = sorted_players[k]
            order[r, k] = i
            rank[r, i] = k
            mask[r, choice[i], k // CHUNK] |= np.int64(1) << (k % CHUNK)
    for c in range(num_resources):
        for r in range(num_resources):
            ptr[c, r] = 0
            if r != c:
                ptr[c, r] = _prefix(w, order, r, n, load[c], load[r], atol, 0)
    for k in range(n):
        i = players[k]
        nimp[i] = _count_alternatives(i, choice[i], rank, ptr)


@numba.njit(cache=True, nogil=True)
def _after_move(u, a, b, w, choice, sub, atol, other, mover, can, count):  # pragma: no cover
    """Player u moved from a to b in one subgame: loads, prefixes and ``nimp`` brought up to date.

    Returns the change of the number of movers that can improve.
    """
    player, own, tzu, perm, start, ownp, tzr, enter, load, order, rank, mask, ptr, nimp, meta = sub
    num_resources = w.shape[1]
    n = meta[0]
    _set_bits(u, a, False, rank, mask)
    _set_bits(u, b, True, rank, mask)
    choice[u] = b
    move_loads(u, a, b, w, choice, own, tzu, perm, start, ownp, tzr, enter, load)
    change = 0
    for c in range(num_resources):
        for r in range(num_resources):
            if r == c or not (c == a or c == b or r == a or r == b):
                continue
            p = ptr[c, r]
            q = _prefix(w, order, r, n, load[c], load[r], atol, p)
            if q == p:
                continue
            ptr[c, r] = q
            args = (order, mask, nimp, other, mover, can, count)
            if q > p:
                change += _walk(r, c, p, q, 1, u, *args)
            else:
                change += _walk(r, c, q, p, -1, u, *args)
    fresh = _count_alternatives(u, b, rank, ptr)
    return change + _bump(u, fresh - nimp[u], nimp, other, mover, can, count)


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
def _find(can, count, target):  # pragma: no cover - compiled
    """The ``target``-th (0-based) True of ``can``, in user order."""
    j = 0
    while target >= count[j]:
        target -= count[j]
        j += 1
    i = j * BLOCK
    while True:
        if can[i] != 0:
            if target == 0:
                return i
            target -= 1
        i += 1


@numba.njit(cache=True, nogil=True)
def _subgame(num_seeds, num_users, size, nimp):  # pragma: no cover - compiled
    """The state arrays of one subgame for every seed (leading axis: seed); ``nimp`` given."""
    num_blocks = (num_users + BLOCK - 1) // BLOCK
    words = (num_users + CHUNK - 1) // CHUNK
    return (
        np.zeros((num_seeds, num_users), dtype=np.bool_),  # player
        np.zeros((num_seeds, num_users)),  # own
        np.zeros((num_seeds, num_users), dtype=np.int64),  # tzu
        np.zeros((num_seeds, num_users), dtype=np.int64),  # perm
        np.zeros((num_seeds, num_blocks, size + 1), dtype=np.int64),  # start
        np.zeros((num_seeds, num_users)),  # ownp
        np.zeros((num_seeds, 2, size, num_blocks), dtype=np.int64),  # tzr
        np.zeros((num_seeds, size, num_blocks + 1)),  # enter
        np.zeros((num_seeds, size)),  # load
        np.zeros((num_seeds, size, num_users), dtype=np.int32),  # order
        np.zeros((num_seeds, size, num_users), dtype=np.int32),  # rank
        np.zeros((num_seeds, size, size, words), dtype=np.int64),  # mask
        np.zeros((num_seeds, size, size), dtype=np.int64),  # ptr
        nimp,
        np.zeros((num_seeds, 1), dtype=np.int64),  # meta: number of players
    )


@numba.njit(cache=True, nogil=True)
def _seed(state, s):  # pragma: no cover - compiled
    """Seed s's views of one subgame's state arrays."""
    a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14 = state
    return (a0[s], a1[s], a2[s], a3[s], a4[s], a5[s], a6[s], a7[s], a8[s], a9[s], a10[s],
            a11[s], a12[s], a13[s], a14[s])  # fmt: skip


@numba.njit(cache=True, nogil=True)
def br_state(w_ap, w_sv, ap, server, atol):  # pragma: no cover - compiled
    """The kernel's state for the profile ``ap``, ``server`` ``(S, N)`` of the weights given.

    ``w_ap``, ``w_sv`` ``(S, N, M)``, ``(S, N, K)``: player weights [s], every load of the
    profile finite. Returns the AP subgame's and the server subgame's state arrays.
    """
    num_seeds, num_users, _ = w_ap.shape
    users = np.zeros((num_seeds, num_users, 4), dtype=np.int16)
    state_a = _subgame(num_seeds, num_users, w_ap.shape[2], users[:, :, 0])
    state_s = _subgame(num_seeds, num_users, w_sv.shape[2], users[:, :, 1])
    for s in range(num_seeds):
        _setup(w_ap[s], ap[s], _seed(state_a, s), atol)
        _setup(w_sv[s], server[s], _seed(state_s, s), atol)
    return state_a, state_s, users


@numba.njit(cache=True, nogil=True)
def br_run(
    w_ap, w_sv, ap, server, state_a, state_s, users, movers, draws, atol
):  # pragma: no cover - compiled
    """Make the moves of one block of draws in place on ``ap``, ``server`` and the state.

    Parameters
    ----------
    w_ap, w_sv : ndarray, shape (S, N, M) and (S, N, K)
        Player weights [s], those the state was built for.
    ap, server : ndarray of int64, shape (S, N)
        The profile the state describes, updated in place.
    state_a, state_s, users : tuple of ndarray, tuple of ndarray, ndarray
        :func:`br_state`'s, updated in place (``users[s, i]``: user i's ``nimp`` in the AP
        and the server subgame, whether it may move, whether it can improve: one cache line).
    movers : ndarray of bool, shape (S, N)
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
    num_seeds, num_users, _ = w_ap.shape
    num_blocks = (num_users + BLOCK - 1) // BLOCK
    moves = np.zeros(num_seeds, dtype=np.int64)
    improvable = np.zeros(num_seeds, dtype=np.bool_)
    can_move = np.zeros(num_seeds, dtype=np.bool_)
    count = np.zeros(num_blocks, dtype=np.int64)
    for s in range(num_seeds):
        sub_a, sub_s = _seed(state_a, s), _seed(state_s, s)
        nimp_a, nimp_s, mover, can = users[s, :, 0], users[s, :, 1], users[s, :, 2], users[s, :, 3]
        count[:] = 0
        for i in range(num_users):
            mover[i] = movers[s, i]
            can[i] = 1 if movers[s, i] and (nimp_a[i] > 0 or nimp_s[i] > 0) else 0
            count[i // BLOCK] += can[i]
        total = count.sum()
        for k in range(draws.shape[1]):
            if total == 0:  # nobody can move: the remaining draws move nobody
                break
            target = np.int64(np.floor(draws[s, k] * total))
            user = _find(can, count, target) if target < total else 0
            if can[user] == 0:  # uniform_choice's argmax of an all-False row
                continue
            a0, s0 = ap[s, user], server[s, user]
            a1 = _best_response(w_ap[s], sub_a[8], user, a0, sub_a[0][user], atol)
            s1 = _best_response(w_sv[s], sub_s[8], user, s0, sub_s[0][user], atol)
            if a1 != a0:
                total += _after_move(user, a0, a1, w_ap[s], ap[s], sub_a, atol, nimp_s,
                                     mover, can, count)  # fmt: skip
            if s1 != s0:
                total += _after_move(user, s0, s1, w_sv[s], server[s], sub_s, atol, nimp_a,
                                     mover, can, count)  # fmt: skip
            moves[s] += 1
        can_move[s] = total > 0
        for i in range(num_users):
            if nimp_a[i] > 0 or nimp_s[i] > 0:
                improvable[s] = True
                break
    return moves, improvable, can_move


__all__ = ["BLOCK", "br_run", "br_state"]
