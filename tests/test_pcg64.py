"""PCG64 states, jumps and compiled draws against numpy's own numbers."""

from __future__ import annotations

import numpy as np
import pytest

from jcaco import kernels
from jcaco.learners.masl import MASL
from jcaco.learners.masl_fused import FusedPass, pcg64_chains
from jcaco.model.instance import stack_instances
from jcaco.rng import pcg64_jump, pcg64_state, set_pcg64_state, stream


def test_state_round_trip_and_jump_equal_numpy() -> None:
    generator = stream(7, "learner")
    state, inc = pcg64_state(generator)
    for delta in (0, 1, 2, 12_345, 2**70 + 3):
        mult, plus = pcg64_jump(delta, inc)
        advanced = stream(7, "learner")
        advanced.bit_generator.advance(delta)
        assert pcg64_state(advanced) == ((mult * state + plus) % 2**128, inc)
    set_pcg64_state(generator, pcg64_jump(5, inc)[0] * state + pcg64_jump(5, inc)[1])
    reference = stream(7, "learner")
    reference.random(5)
    assert np.array_equal(generator.random(9), reference.random(9))
    with pytest.raises(ValueError, match="delta >= 0"):
        pcg64_jump(-1, inc)


def test_other_bit_generators_are_refused(tiny_games) -> None:
    philox = np.random.Generator(np.random.Philox(1))
    with pytest.raises(TypeError, match="PCG64 generator is needed, got Philox"):
        pcg64_state(philox)
    with pytest.raises(ValueError, match="1 or 3 generators"):
        pcg64_chains([stream(1, "activity")] * 2, [stream(1, "learner")] * 2, (3, 10))
    if kernels.load("jcaco.learners._masl_fused_numba") is not None:
        game = stack_instances(tiny_games[:1])
        with pytest.raises(TypeError, match="Philox"):
            FusedPass(MASL(), game, philox, stream(1, "learner"))


@pytest.mark.skipif(kernels.load("jcaco.learners._pcg64_numba") is None, reason="no numba")
def test_compiled_draws_equal_numpy() -> None:
    """Three chains side by side: two generators, the second read at two places (its next
    draws and those 1,000 further on), each number equal to numpy's to the bit."""
    compiled = kernels.load("jcaco.learners._pcg64_numba")
    first, second = np.random.Generator(np.random.PCG64(11)), stream(3, "learner")
    (a, a_inc), (b, b_inc) = pcg64_state(first), pcg64_state(second)
    mult, plus = pcg64_jump(1000, b_inc)
    words = [(x >> 64, x & (2**64 - 1)) for x in (a, b, (mult * b + plus) % 2**128)]
    chains = np.array(words, dtype=np.uint64).reshape(3, 1, 2)
    increments = np.array(
        [(x >> 64, x & (2**64 - 1)) for x in (a_inc, b_inc)], dtype=np.uint64
    ).reshape(2, 1, 2)
    out = np.empty((3, 1000))
    compiled.draw_three(chains, increments, 0, 1000, out)
    expected_b = second.random(2000)
    assert np.array_equal(out[0], first.random(1000))
    assert np.array_equal(out[1], expected_b[:1000])
    assert np.array_equal(out[2], expected_b[1000:])
    assert pcg64_state(first)[0] == (int(chains[0, 0, 0]) << 64 | int(chains[0, 0, 1]))
    assert pcg64_state(second)[0] == (int(chains[2, 0, 0]) << 64 | int(chains[2, 0, 1]))
