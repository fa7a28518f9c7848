"""Compiled kernel of ``br``'s moves in one slot (imports numba; load it lazily).

The same moves as the numpy form in :meth:`jcaco.learners.best_response.BestResponse.act`, to
the bit, for a whole batch of seeds: each move draws one uniform per seed, picks the
``floor(u * count)``-th user (in user order) among the active players that can improve (as
:func:`jcaco.learners.base.uniform_choice`), and moves it to its best AP and server
(:func:`jcaco.game.resource.best_responses`). The numpy form recomputes every user's best
response before each move, O(N R); here a move costs what it changes.

**Who can improve.** In one subgame (loads ``L``, weights ``w``), user i on resource c can
improve iff some r != c has ``P(L_c, L_r, w[i, r])``, where ``P(Lc, Lr, x) = Lc - (Lr + x) >
atol`` in floating point: that is ``best_responses``' ``gain > 0`` (its minimum also runs over
``L_c`` itself, which changes the difference only where it is ``<= 0 <= atol``). ``P`` is
monotone in each argument (rounding is monotone): true for larger ``Lc``, smaller ``Lr``,
smaller ``x``. Each user keeps a ``flag``, and a flagged user the resource ``arg`` that
certifies it. The users are cut into blocks of :data:`BLOCK`; per block, current resource c
and alternative r the kernel keeps

* ``low[j, c, r]``: the smallest ``w[i, r]`` of the unflagged players on c in block j; the
  invariant "no unflagged user can improve via r" holds for the whole block iff ``P`` is false
  there (monotone in x);
* ``high[j, c, r]``: the largest ``w[i, r]`` of the flagged players on c in block j whose
  ``arg`` is r; "each of them still improves via r" holds iff ``P`` is true there.

A move from a to b lowers ``L_a`` and raises ``L_b`` only, so only four families of pairs can
break (unflagged: c = b, or r = a; flagged: c = a, or r = b); the kernel tests them on the
block aggregates (``4 (R - 1)`` tests per block) and recomputes, exactly, the users on c of the
blocks that fail (a failing block holds a user whose certificate broke). Everything else is
untouched. The draw's user is found from per-block counts of the movers that can improve.

**Loads to the bit** (:mod:`._br_loads_numba`). ``np.bincount`` sums a resource's weights in
user order from 0.0. Per block the users are kept grouped by resource in user order (``perm``,
``start``, with the weight rows and own weights copied in that order, ``wp``, ``ownp``:
contiguous reads) with each resource's running sum entering the block (``enter``); a move
refolds the two changed resources in the mover's block, the same additions in the same order
as bincount, and shifts the later blocks' sums where that is exact (else refolds them). So
every flag, draw and move equals the numpy form's (``tests/test_br_incremental.py``).
"""

from __future__ import annotations

import numba
import numpy as np

from jcaco.learners._br_loads_numba import BLOCK, loads_setup, move_loads


@numba.njit(cache=True, nogil=True, inline="always")
def _improves(load_c, load_r, x, atol):  # pragma: no cover - compiled
    """``P``: a user on c with weight x on r gains more than ``atol`` by moving to r."""
    return load_c - (load_r + x) > atol


@numba.njit(cache=True, nogil=True)
def _copy_rows(j, w, perm, start, wp):  # pragma: no cover - compiled
    """``wp[k]``: the weight row of the user at position k of block j (grouped by resource)."""
    for k in range(start[j, 0], start[j, start.shape[1] - 1]):
        wp[k, :] = w[perm[k], :]


@numba.njit(cache=True, nogil=True)
def _repair(
    j,
    c,
    flagged_only,
    wp,
    player,
    perm,
    start,
    load,
    flag,
    arg,
    low,
    high,
    atol,
    other,
    mover,
    can,
    count,
):  # pragma: no cover
    """Re-certify the players on c in block j, exactly, and the block's aggregates for c.

    With ``flagged_only`` (a flagged certificate may have broken; the unflagged ones hold) the
    unflagged players are left alone and a flagged one is recomputed only where its
    certificate broke (one test); otherwise every player is recomputed. Returns the change of
    the number of movers that can improve.
    """
    num_resources = wp.shape[1]
    if not flagged_only:
        low[j, c, :] = np.inf
    high[j, c, :] = -np.inf
    change = 0
    for k in range(start[j, c], start[j, c + 1]):
        i = perm[k]
        if not player[i] or (flagged_only and not flag[i]):
            continue
        if flagged_only and _improves(load[c], load[arg[i]], wp[k, arg[i]], atol):
            high[j, c, arg[i]] = max(high[j, c, arg[i]], wp[k, arg[i]])
            continue
        best = np.inf
        where = -1
        for r in range(num_resources):
            if r != c:
                t = load[r] + wp[k, r]
                if t < best:
                    best = t
                    where = r
        now = load[c] - best > atol
        flag[i] = now
        if now:
            arg[i] = where
            high[j, c, where] = max(high[j, c, where], wp[k, where])
        else:
            for r in range(num_resources):
                if r != c:
                    low[j, c, r] = min(low[j, c, r], wp[k, r])
        value = mover[i] and (now or other[i])
        if value != can[i]:
            can[i] = value
            step = 1 if value else -1
            count[j] += step
            change += step
    return change


@numba.njit(cache=True, nogil=True)
def _setup(game, atol):  # pragma: no cover - compiled
    """Own weights, players, grouping and loads (user order) of one subgame; no flags yet."""
    w, choice, own, player, perm, start, wp, ownp, enter, load, flag, arg, low, high, tzu, tzr = (
        game
    )
    num_users, num_resources = w.shape
    loads_setup(w, choice, own, tzu, perm, start, ownp, tzr, enter, load)
    for i in range(num_users):
        on = False
        for r in range(num_resources):
            if w[i, r] > 0:
                on = True
        player[i] = on
        flag[i] = False
    for j in range(start.shape[0]):
        _copy_rows(j, w, perm, start, wp)


@numba.njit(cache=True, nogil=True)
def _certify(game, atol, other, mover, can, count):  # pragma: no cover - compiled
    """Every player's flag and every block aggregate of one subgame, from scratch."""
    w, choice, own, player, perm, start, wp, ownp, enter, load, flag, arg, low, high = game[:14]
    for j in range(start.shape[0]):
        for c in range(w.shape[1]):
            _repair(j, c, False, wp, player, perm, start, load, flag, arg, low, high, atol,
                    other, mover, can, count)  # fmt: skip


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
def _after_move(u, a, b, game, atol, other, mover, can, count):  # pragma: no cover
    """User u moved from a to b in one subgame: regroup, refold, re-certify what broke.

    Returns the change of the number of movers that can improve.
    """
    w, choice, own, player, perm, start, wp, ownp, enter, load, flag, arg, low, high, tzu, tzr = (
        game
    )
    num_resources = w.shape[1]
    num_blocks = start.shape[0]
    choice[u] = b
    ju = u // BLOCK
    move_loads(u, a, b, w, choice, own, tzu, perm, start, ownp, tzr, enter, load)
    _copy_rows(ju, w, perm, start, wp)
    args = (wp, player, perm, start, load, flag, arg, low, high, atol, other, mover, can, count)
    change = _repair(ju, a, False, *args) + _repair(ju, b, False, *args)
    la, lb = load[a], load[b]
    for j in range(num_blocks):
        for r in range(num_resources):
            # unflagged on b (its load went up) or with alternative a (its load went down)
            if r != b and _improves(lb, load[r], low[j, b, r], atol):
                change += _repair(j, b, False, *args)
                break
        for c in range(num_resources):
            if c != a and _improves(load[c], la, low[j, c, a], atol):
                change += _repair(j, c, False, *args)
        for r in range(num_resources):
            # flagged on a (its load went down) or certified by b (its load went up)
            if r != a and not _improves(la, load[r], high[j, a, r], atol):
                change += _repair(j, a, True, *args)
                break
        for c in range(num_resources):
            if c != b and not _improves(load[c], lb, high[j, c, b], atol):
                change += _repair(j, c, True, *args)
    return change


@numba.njit(cache=True, nogil=True)
def _find(can, count, target):  # pragma: no cover - compiled
    """The ``target``-th (0-based) True of ``can``, in user order."""
    j = 0
    while target >= count[j]:
        target -= count[j]
        j += 1
    i = j * BLOCK
    while True:
        if can[i]:
            if target == 0:
                return i
            target -= 1
        i += 1


@numba.njit(cache=True, nogil=True)
def _subgame(w, num_blocks):  # pragma: no cover - compiled
    """Work arrays of one subgame (``w`` and the choices are put in by the caller)."""
    num_users, size = w.shape
    return (
        np.empty(num_users),  # own
        np.empty(num_users, dtype=np.bool_),  # player
        np.empty(num_users, dtype=np.int64),  # perm
        np.empty((num_blocks, size + 1), dtype=np.int64),  # start
        np.empty((num_users, size)),  # wp
        np.empty(num_users),  # ownp
        np.empty((size, num_blocks + 1)),  # enter
        np.empty(size),  # load
        np.zeros(num_users, dtype=np.bool_),  # flag
        np.zeros(num_users, dtype=np.int64),  # arg
        np.empty((num_blocks, size, size)),  # low
        np.empty((num_blocks, size, size)),  # high
        np.empty(num_users, dtype=np.int64),  # tzu
        np.empty((2, size, num_blocks), dtype=np.int64),  # tzr
    )


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
    num_seeds, num_users, _ = w_ap.shape
    num_blocks = (num_users + BLOCK - 1) // BLOCK
    moves = np.zeros(num_seeds, dtype=np.int64)
    improvable = np.zeros(num_seeds, dtype=np.bool_)
    can_move = np.zeros(num_seeds, dtype=np.bool_)
    work_a, work_s = _subgame(w_ap[0], num_blocks), _subgame(w_sv[0], num_blocks)
    flag_a, flag_s = work_a[8], work_s[8]
    can = np.zeros(num_users, dtype=np.bool_)
    count = np.zeros(num_blocks, dtype=np.int64)
    for s in range(num_seeds):
        game_a = (w_ap[s], ap[s], *work_a)
        game_s = (w_sv[s], server[s], *work_s)
        _setup(game_a, atol)
        _setup(game_s, atol)
        can[:] = False
        count[:] = 0
        _certify(game_a, atol, flag_s, mover[s], can, count)
        _certify(game_s, atol, flag_a, mover[s], can, count)
        total = count.sum()
        for k in range(draws.shape[1]):
            if total == 0:  # nobody can move: the remaining draws move nobody
                break
            target = np.int64(np.floor(draws[s, k] * total))
            user = _find(can, count, target) if target < total else 0
            if not can[user]:  # uniform_choice's argmax of an all-False row
                continue
            a0, s0 = ap[s, user], server[s, user]
            a1 = _best_response(w_ap[s], work_a[7], user, a0, work_a[1][user], atol)
            s1 = _best_response(w_sv[s], work_s[7], user, s0, work_s[1][user], atol)
            if a1 != a0:
                total += _after_move(user, a0, a1, game_a, atol, flag_s, mover[s], can, count)
            if s1 != s0:
                total += _after_move(user, s0, s1, game_s, atol, flag_a, mover[s], can, count)
            moves[s] += 1
        can_move[s] = total > 0
        for i in range(num_users):
            if flag_a[i] or flag_s[i]:
                improvable[s] = True
                break
    return moves, improvable, can_move
