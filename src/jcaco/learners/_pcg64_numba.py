"""numpy's PCG64 uniforms, compiled: the numbers of ``Generator(PCG64).random()``, bit for bit
(imports numba; used by :mod:`jcaco.learners._masl_fused_numba`).

PCG64 (O'Neill's XSL-RR 128/64, as numpy's ``PCG64``, not ``PCG64DXSM``) steps a 128-bit
linear congruential state, ``state <- state M + inc (mod 2^128)``, and outputs
``rotr64(hi ^ lo, hi >> 58)`` of the new state; ``random()`` keeps the top 53 bits,
``(x >> 11) 2^-53``. A state here is two uint64 words ``(hi, lo)``.
:func:`jcaco.rng.pcg64_state` and :func:`jcaco.rng.pcg64_jump` read a generator's state and
compute the affine map of a jump ahead; ``tests/test_pcg64.py`` holds both to numpy's numbers.

Editing this file: the fused kernel inlines these functions, and numba's cache of a function
is checked against its own file only, so delete ``learners/__pycache__`` afterwards (or the
fused kernel keeps the old draws).

Why: the fused MASL pass draws three streams per user (a(t), the AP and the server samples).
Drawn here, a block at a time into a few kB the kernel reads at once, the three chains of
128-bit multiplications run side by side and no (3, S, N) array of uniforms is written and
read back each slot (docs/performance.md).
"""

from __future__ import annotations

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

from jcaco.rng import PCG64_MULTIPLIER

#: numpy's 128-bit PCG multiplier (``PCG_DEFAULT_MULTIPLIER_128``), high and low words.
MULTIPLIER_HI = np.uint64(PCG64_MULTIPLIER >> 64)
MULTIPLIER_LO = np.uint64(PCG64_MULTIPLIER & 0xFFFFFFFFFFFFFFFF)
_SHIFT_58, _SHIFT_11 = np.uint64(58), np.uint64(11)
_SIXTY_FOUR, _SIXTY_THREE = np.uint64(64), np.uint64(63)
_ONE, _ZERO = np.uint64(1), np.uint64(0)
_TWO_TO_MINUS_53 = 1.0 / 9007199254740992.0


@intrinsic
def _mulhi(typingctx, a, b):  # pragma: no cover - compiled
    """The high 64 bits of the 128-bit product of two uint64."""

    def codegen(context, builder, signature, args):
        wide = ir.IntType(128)
        product = builder.mul(builder.zext(args[0], wide), builder.zext(args[1], wide))
        return builder.trunc(builder.lshr(product, ir.Constant(wide, 64)), ir.IntType(64))

    return types.uint64(types.uint64, types.uint64), codegen


@numba.njit(cache=True, nogil=True, inline="always")
def multiply_add(hi, lo, a_hi, a_lo, c_hi, c_lo):  # pragma: no cover - compiled
    """``(hi, lo) (a_hi, a_lo) + (c_hi, c_lo)`` modulo 2^128, as two words."""
    low = lo * a_lo
    high = _mulhi(lo, a_lo) + hi * a_lo + lo * a_hi
    total = low + c_lo
    carry = _ONE if total < low else _ZERO
    return high + c_hi + carry, total


@numba.njit(cache=True, nogil=True, inline="always")
def step(hi, lo, inc_hi, inc_lo):  # pragma: no cover - compiled
    """The next state of a PCG64 stream with increment ``(inc_hi, inc_lo)``."""
    return multiply_add(hi, lo, MULTIPLIER_HI, MULTIPLIER_LO, inc_hi, inc_lo)


@numba.njit(cache=True, nogil=True, inline="always")
def uniform(hi, lo):  # pragma: no cover - compiled
    """``random()``'s double from a (new) state: XSL-RR output, top 53 bits, times 2^-53."""
    mixed = hi ^ lo
    rotation = hi >> _SHIFT_58
    output = (mixed >> rotation) | (mixed << ((_SIXTY_FOUR - rotation) & _SIXTY_THREE))
    return np.float64(np.int64(output >> _SHIFT_11)) * _TWO_TO_MINUS_53


@numba.njit(cache=True, nogil=True)
def draw_three(chains, increments, g, size, out):  # pragma: no cover - compiled
    """``size`` uniforms from each of the three chains of generator set g, side by side:
    ``out[q, j]`` is chain q's j-th next ``random()``. ``chains`` (3, G, 2) holds each
    chain's state (advanced here); chain 0 uses increment ``increments[0, g]``, chains 1 and 2
    ``increments[1, g]`` (two places in one stream)."""
    a_hi, a_lo = chains[0, g, 0], chains[0, g, 1]
    b_hi, b_lo = chains[1, g, 0], chains[1, g, 1]
    c_hi, c_lo = chains[2, g, 0], chains[2, g, 1]
    a_inc_hi, a_inc_lo = increments[0, g, 0], increments[0, g, 1]
    b_inc_hi, b_inc_lo = increments[1, g, 0], increments[1, g, 1]
    for j in range(size):
        a_hi, a_lo = step(a_hi, a_lo, a_inc_hi, a_inc_lo)
        b_hi, b_lo = step(b_hi, b_lo, b_inc_hi, b_inc_lo)
        c_hi, c_lo = step(c_hi, c_lo, b_inc_hi, b_inc_lo)
        out[0, j] = uniform(a_hi, a_lo)
        out[1, j] = uniform(b_hi, b_lo)
        out[2, j] = uniform(c_hi, c_lo)
    chains[0, g, 0], chains[0, g, 1] = a_hi, a_lo
    chains[1, g, 0], chains[1, g, 1] = b_hi, b_lo
    chains[2, g, 0], chains[2, g, 1] = c_hi, c_lo
