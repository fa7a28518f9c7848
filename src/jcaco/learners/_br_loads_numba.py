"""``np.bincount``'s loads, to the bit, kept up to date move by move (imports numba).

``np.bincount(choice, weights=own)`` sums each resource's weights in user order from 0.0.
The users are cut into blocks of :data:`BLOCK`; per block they are kept grouped by resource in
user order (``perm``, ``start``, their own weights copied in that order, ``ownp``), and
``enter[r, j]`` is resource r's running sum entering block j (``enter[r, -1]`` is the load).
A move changes the grouping of the mover's block only: its two resources are refolded there,
the same additions in the same order as bincount, and the later blocks follow.

**Exact shifts.** Where a later block's old running sums and the new ones all lie in one
binade ``[2^(e-1), 2^e)`` (grid ``u = 2^(e-53)``), the new sums are the old ones plus the
constant ``d = new - old`` entering the block, exactly: both entering sums are multiples of
u, so d is; for each addition ``fl(s + d + x) = u RNE((s + d + x) / u) = fl(s + x) + d``, since
``(s + d) / u`` and ``s / u`` are integers, unless ``x / u`` ends in exactly one half (a tie,
where round-half-even looks at the parity of the integer part). A tie means the lowest set
bit of x is ``u / 2``; per block and resource the kernel keeps the lowest and highest such
bit exponent (``tzr``) of its users' own weights and shifts only when ``e - 54`` is outside
them. The check costs O(1) per block; a block that fails it (a binade crossed, a possible
tie) is refolded user by user. The result is the same bits as the fold, proven above and
tested against ``np.bincount`` (``tests/test_br_incremental.py``).
"""

from __future__ import annotations

import math

import numba
import numpy as np

#: Users per block (grouping by resource, running sums, can-improve counts).
BLOCK = 512
#: The lowest-bit exponent of a zero weight: adding it is exact, it never ties.
NO_BIT = 1 << 20
#: Smallest positive normal float64: below it the binade argument does not apply.
MIN_NORMAL = 2.2250738585072014e-308


@numba.njit(cache=True, nogil=True)
def lowest_bit(x):  # pragma: no cover - compiled
    """Exponent t of the lowest set bit of x > 0 (x an odd multiple of ``2^t``); NO_BIT at 0."""
    if x == 0.0:
        return NO_BIT
    mantissa, exponent = math.frexp(x)  # x = mantissa 2^exponent, mantissa in [0.5, 1)
    bits = np.int64(mantissa * 9007199254740992.0)  # the 53-bit integer significand
    return exponent - 53 + math.frexp(float(bits & -bits))[1] - 1


@numba.njit(cache=True, nogil=True)
def group(j, choice, own, tzu, perm, start, ownp, tzr):  # pragma: no cover - compiled
    """Block j's users grouped by resource in user order, with their weights' bit range."""
    num_users = choice.shape[0]
    num_resources = start.shape[1] - 1
    lo = j * BLOCK
    hi = min(lo + BLOCK, num_users)
    count = np.zeros(num_resources + 1, dtype=np.int64)
    for i in range(lo, hi):
        count[choice[i] + 1] += 1
    start[j, 0] = lo
    for r in range(num_resources):
        start[j, r + 1] = start[j, r] + count[r + 1]
        tzr[0, r, j] = NO_BIT
        tzr[1, r, j] = -NO_BIT
    fill = start[j, :num_resources].copy()
    for i in range(lo, hi):
        c = choice[i]
        k = fill[c]
        perm[k] = i
        ownp[k] = own[i]
        fill[c] += 1
        if tzu[i] != NO_BIT:
            tzr[0, c, j] = min(tzr[0, c, j], tzu[i])
            tzr[1, c, j] = max(tzr[1, c, j], tzu[i])


@numba.njit(cache=True, nogil=True)
def refold(r, first, start, ownp, tzr, enter):  # pragma: no cover - compiled
    """``enter[r, j + 1]`` for j >= first after block ``first`` changed (module docstring).

    Returns the number of blocks shifted (not refolded user by user).
    """
    num_blocks = start.shape[0]
    shifted_blocks = 0
    x = enter[r, first]
    for k in range(start[first, r], start[first, r + 1]):
        x += ownp[k]
    lo, hi, tie = 1.0, 0.0, 0  # the binade [lo, hi) of the shift, and its tie bit
    for j in range(first + 1, num_blocks + 1):
        old = enter[r, j]
        if x == old and x != 0.0:  # the same sum entering: the same sums from here
            return shifted_blocks
        enter[r, j] = x
        if j == num_blocks:
            return shifted_blocks
        end = enter[r, j + 1]
        if not (lo <= old < hi) and MIN_NORMAL <= old < np.inf:
            exponent = math.frexp(old)[1]
            lo, hi, tie = math.ldexp(1.0, exponent - 1), math.ldexp(1.0, exponent), exponent - 54
        if lo <= old and lo <= x < hi and end < hi and not tzr[0, r, j] <= tie <= tzr[1, r, j]:
            shifted = end + (x - old)
            if shifted < hi:
                x = shifted
                shifted_blocks += 1
                continue
        for k in range(start[j, r], start[j, r + 1]):
            x += ownp[k]
    return shifted_blocks


@numba.njit(cache=True, nogil=True)
def loads_setup(w, choice, own, tzu, perm, start, ownp, tzr, enter, load):  # pragma: no cover
    """Own weights, grouping, running sums and loads of one subgame, from scratch."""
    num_users, num_resources = w.shape
    for i in range(num_users):
        own[i] = w[i, choice[i]]
        tzu[i] = lowest_bit(own[i])
    num_blocks = start.shape[0]
    for j in range(num_blocks):
        group(j, choice, own, tzu, perm, start, ownp, tzr)
    for r in range(num_resources):
        x = 0.0
        for j in range(num_blocks):
            enter[r, j] = x
            for k in range(start[j, r], start[j, r + 1]):
                x += ownp[k]
        enter[r, num_blocks] = x
        load[r] = x


@numba.njit(cache=True, nogil=True)
def move_loads(
    u, a, b, w, choice, own, tzu, perm, start, ownp, tzr, enter, load
):  # pragma: no cover
    """User u moved from a to b (``choice[u]`` already b): its block, a's and b's sums.

    Returns the number of blocks shifted exactly (:func:`refold`).
    """
    own[u] = w[u, b]
    tzu[u] = lowest_bit(own[u])
    block = u // BLOCK
    group(block, choice, own, tzu, perm, start, ownp, tzr)
    shifted = refold(a, block, start, ownp, tzr, enter) + refold(b, block, start, ownp, tzr, enter)
    load[a] = enter[a, start.shape[0]]
    load[b] = enter[b, start.shape[0]]
    return shifted
