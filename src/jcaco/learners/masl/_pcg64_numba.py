"""numpy's PCG64 uniforms, compiled: the numbers of ``Generator(PCG64).random()``, bit for bit
(imports numba; used by :mod:`jcaco.learners.masl._fused_numba`).

PCG64 (O'Neill's XSL-RR 128/64, as numpy's ``PCG64``, not ``PCG64DXSM``) steps a 128-bit
linear congruential state, ``state <- state M + inc (mod 2^128)``, and outputs
``rotr64(hi ^ lo, hi >> 58)`` of the new state; ``random()`` keeps the top 53 bits,
``(x >> 11) 2^-53``. A state here is two uint64 words ``(hi, lo)``; an affine map
``x -> a x + c (mod 2^128)`` is four, ``(a_hi, a_lo, c_hi, c_lo)``: k steps are one such map
(:func:`jcaco.learners.masl.pcg64.pcg64_jump`).

**Lanes.** One stream's draws are dealt to :data:`LANES` lanes: lane l holds the state of draw
l + 1, then l + 1 + L, l + 1 + 2 L, ... (each lane jumps L steps at a time), so a group of L
draws is one pass over the lanes with no dependence between them, which the compiler turns
into vector instructions (the 64 x 64 -> 128-bit product is written with 32-bit halves for
that; about 2.5 times the speed of stepping the stream draw by draw). A row of draws starts
with :func:`start_row`; :func:`take` then hands out the next draws in order, keeping the rest
of a group for the next call. ``tests/test_pcg64.py`` holds it to numpy's numbers.

Editing this file: the fused kernel inlines these functions, and numba's cache of a function
is checked against its own file only, so delete ``learners/__pycache__`` afterwards (or the
fused kernel keeps the old draws).
"""

from __future__ import annotations

import numba
import numpy as np

#: Lanes per stream (draws per group): a multiple of the vector width; 32 to 256 timed alike.
LANES = 64

_LOW_32, _32 = np.uint64(0xFFFFFFFF), np.uint64(32)
_SHIFT_58, _SHIFT_11 = np.uint64(58), np.uint64(11)
_SIXTY_FOUR, _SIXTY_THREE = np.uint64(64), np.uint64(63)
_ONE, _ZERO = np.uint64(1), np.uint64(0)
_TWO_TO_MINUS_53 = 1.0 / 9007199254740992.0


@numba.njit(cache=True, nogil=True, inline="always")
def _mulhi(a, b):  # pragma: no cover - compiled
    """The high 64 bits of the 128-bit product of two uint64, from 32-bit halves."""
    a_low, a_high, b_low, b_high = a & _LOW_32, a >> _32, b & _LOW_32, b >> _32
    low_low, low_high, high_low = a_low * b_low, a_low * b_high, a_high * b_low
    middle = (low_low >> _32) + (low_high & _LOW_32) + (high_low & _LOW_32)
    return a_high * b_high + (low_high >> _32) + (high_low >> _32) + (middle >> _32)


@numba.njit(cache=True, nogil=True, inline="always")
def multiply_add(hi, lo, a_hi, a_lo, c_hi, c_lo):  # pragma: no cover - compiled
    """``(hi, lo) (a_hi, a_lo) + (c_hi, c_lo)`` modulo 2^128, as two words."""
    low = lo * a_lo
    high = _mulhi(lo, a_lo) + hi * a_lo + lo * a_hi
    total = low + c_lo
    carry = _ONE if total < low else _ZERO
    return high + c_hi + carry, total


@numba.njit(cache=True, nogil=True, inline="always")
def uniform(hi, lo):  # pragma: no cover - compiled
    """``random()``'s double from a (new) state: XSL-RR output, top 53 bits, times 2^-53."""
    mixed = hi ^ lo
    rotation = hi >> _SHIFT_58
    output = (mixed >> rotation) | (mixed << ((_SIXTY_FOUR - rotation) & _SIXTY_THREE))
    return np.float64(np.int64(output >> _SHIFT_11)) * _TWO_TO_MINUS_53


@numba.njit(cache=True, nogil=True)
def new_lanes(chains):  # pragma: no cover - compiled
    """Work space for ``chains`` streams: lane states (hi, lo) (chains, L), a group's spare
    draws (chains, L) and how many of them are unread (chains,)."""
    return (
        np.zeros((chains, LANES), dtype=np.uint64),
        np.zeros((chains, LANES), dtype=np.uint64),
        np.zeros((chains, LANES)),
        np.zeros(chains, dtype=np.int64),
    )


@numba.njit(cache=True, nogil=True)
def start_row(hi, lo, lane_jumps, row_jump, lanes, q):  # pragma: no cover - compiled
    """Deal stream state ``(hi, lo)`` to chain q's lanes (``lane_jumps`` (L, 4): the maps of
    1 .. L steps) and return the state after the row (``row_jump``: the map of a row's
    draws)."""
    lane_hi, lane_lo, _, unread = lanes
    for lane in range(LANES):
        a_hi, a_lo = lane_jumps[lane, 0], lane_jumps[lane, 1]
        c_hi, c_lo = lane_jumps[lane, 2], lane_jumps[lane, 3]
        lane_hi[q, lane], lane_lo[q, lane] = multiply_add(hi, lo, a_hi, a_lo, c_hi, c_lo)
    unread[q] = 0
    return multiply_add(hi, lo, row_jump[0], row_jump[1], row_jump[2], row_jump[3])


@numba.njit(cache=True, nogil=True)
def _groups(lane_hi, lane_lo, jump, count, out):  # pragma: no cover - compiled
    """``count`` groups of draws into ``out``: group k's draw l from lane l, which then jumps
    ``jump`` (L steps). One pass over the lanes per group, vectorised."""
    a_hi, a_lo, c_hi, c_lo = jump[0], jump[1], jump[2], jump[3]
    for k in range(count):
        base = k * LANES
        for lane in range(LANES):
            hi, lo = lane_hi[lane], lane_lo[lane]
            out[base + lane] = uniform(hi, lo)
            lane_hi[lane], lane_lo[lane] = multiply_add(hi, lo, a_hi, a_lo, c_hi, c_lo)


@numba.njit(cache=True, nogil=True)
def take(lanes, q, jump, size, out):  # pragma: no cover - compiled
    """The next ``size`` draws of chain q into ``out``, in the stream's order: first a group's
    unread spares, then whole groups, then one more group whose rest is kept. ``jump``: the
    map of L steps."""
    lane_hi, lane_lo, spare, unread = lanes
    done = 0
    while done < size and unread[q] > 0:
        out[done] = spare[q, LANES - unread[q]]
        unread[q] -= 1
        done += 1
    count = (size - done) // LANES
    if count > 0:
        _groups(lane_hi[q], lane_lo[q], jump, count, out[done : done + count * LANES])
        done += count * LANES
    if done < size:
        _groups(lane_hi[q], lane_lo[q], jump, 1, spare[q])
        unread[q] = LANES
        while done < size:
            out[done] = spare[q, LANES - unread[q]]
            unread[q] -= 1
            done += 1
