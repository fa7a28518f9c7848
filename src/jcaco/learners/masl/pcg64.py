"""numpy's PCG64 as an affine map of its 128-bit state, for MASL's compiled passes.

The fused passes (:mod:`jcaco.learners.masl.fused`, :mod:`jcaco.learners.masl.slot`) draw the
numbers of a learner's ``numpy.random.Generator`` inside compiled code: they read the
generator's state here, jump it ahead in :mod:`jcaco.learners.masl._pcg64_numba`, and put the
final state back, so the generator is where the protocol path would have left it.
"""

from __future__ import annotations

import numpy as np

#: numpy's PCG64 multiplier (128 bits): a PCG64 state steps as ``state M + inc (mod 2^128)``.
PCG64_MULTIPLIER = 0x2360ED051FC65DA44385DF649FCCF645
_MOD_128 = (1 << 128) - 1


def pcg64_state(generator: np.random.Generator) -> tuple[int, int]:
    """The 128-bit ``(state, inc)`` of a PCG64 generator (numpy's, not PCG64DXSM).

    Raises
    ------
    TypeError
        If ``generator`` draws from another bit generator.
    """
    bit_generator = generator.bit_generator
    if type(bit_generator) is not np.random.PCG64:
        raise TypeError(f"a PCG64 generator is needed, got {type(bit_generator).__name__}")
    words = bit_generator.state["state"]
    return int(words["state"]), int(words["inc"])


def set_pcg64_state(generator: np.random.Generator, state: int) -> None:
    """Put a PCG64 generator's 128-bit state to ``state`` (its increment and its buffered
    32-bit half, which ``random()`` does not use, are kept)."""
    full = dict(generator.bit_generator.state)
    full["state"] = {"state": state & _MOD_128, "inc": full["state"]["inc"]}
    generator.bit_generator.state = full


def pcg64_jump(delta: int, inc: int) -> tuple[int, int]:
    """``(a, c)`` such that ``delta`` steps of a PCG64 stream with increment ``inc`` take a
    state x to ``a x + c (mod 2^128)``: numpy's ``PCG64.advance(delta)`` as an affine map
    (Brown's jump ahead for linear congruential generators), to apply in compiled code.

    Examples
    --------
    >>> from jcaco.rng import stream
    >>> g = stream(1, "learner")
    >>> x, inc = pcg64_state(g)
    >>> a, c = pcg64_jump(1000, inc)
    >>> _ = g.random(1000)
    >>> pcg64_state(g)[0] == (a * x + c) % 2**128
    True
    """
    if delta < 0:
        raise ValueError(f"a jump ahead needs delta >= 0, got {delta}")
    total_mult, total_plus = 1, 0
    mult, plus = PCG64_MULTIPLIER, inc
    while delta:
        if delta & 1:
            total_mult = total_mult * mult & _MOD_128
            total_plus = (total_plus * mult + plus) & _MOD_128
        plus = (mult + 1) * plus & _MOD_128
        mult = mult * mult & _MOD_128
        delta >>= 1
    return total_mult, total_plus
