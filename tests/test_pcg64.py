"""PCG64 states, jumps and compiled draws against numpy's own numbers."""

from __future__ import annotations

import numpy as np
import pytest

from jcaco import kernels
from jcaco.learners.masl import MASL
from jcaco.learners.masl.fused import FusedPass, pcg64_chains
from jcaco.learners.masl.pcg64 import pcg64_jump, pcg64_state, set_pcg64_state
from jcaco.model.instance import stack_instances
from jcaco.rng import stream


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
        pcg64_chains([stream(1, "activity")] * 2, [stream(1, "learner")] * 2, (3, 10), 64)
    if kernels.load("jcaco.learners.masl._fused_numba") is not None:
        game = stack_instances(tiny_games[:1])
        with pytest.raises(TypeError, match="Philox"):
            FusedPass(MASL(), game, philox, stream(1, "learner"))


@pytest.mark.skipif(kernels.load("jcaco.learners.masl._pcg64_numba") is None, reason="no numba")
def test_compiled_draws_equal_numpy() -> None:
    """A row of draws dealt to lanes and taken in pieces of every kind (none, fewer than a
    group, a group's spares, whole groups, past the end of one): numpy's numbers in numpy's
    order, and the state after the row is the generator's after as many draws."""
    compiled = kernels.load("jcaco.learners.masl._pcg64_numba")
    lanes = compiled.LANES
    generator = stream(3, "learner")
    state, inc = pcg64_state(generator)
    lane_jumps = np.zeros((lanes, 4), dtype=np.uint64)
    for lane in range(lanes):
        mult, plus = pcg64_jump(lane + 1, inc)
        lane_jumps[lane] = [mult >> 64, mult & (2**64 - 1), plus >> 64, plus & (2**64 - 1)]
    sizes = [0, 3, lanes - 3, 1, 2 * lanes + 5, lanes, 7, 0, 3 * lanes - 1]
    row = sum(sizes)
    mult, plus = pcg64_jump(row, inc)
    row_jump = np.array([mult >> 64, mult & (2**64 - 1), plus >> 64, plus & (2**64 - 1)], np.uint64)
    work = compiled.new_lanes(2)
    hi, lo = compiled.start_row(
        np.uint64(state >> 64), np.uint64(state & (2**64 - 1)), lane_jumps, row_jump, work, 1
    )
    out = np.full(row, np.nan)
    done = 0
    for size in sizes:
        compiled.take(work, 1, lane_jumps[-1], size, out[done : done + size])
        done += size
    assert np.array_equal(out, generator.random(row))
    assert (int(hi) << 64 | int(lo)) == pcg64_state(generator)[0]
    for a, b in ((7, 11), (2**64 - 1, 2**64 - 1), (2**63 + 5, 3)):  # the 32-bit halves' product
        product = a * b
        words = compiled.multiply_add(
            np.uint64(0), np.uint64(a), np.uint64(0), np.uint64(b), np.uint64(0), np.uint64(0)
        )
        assert (int(words[0]), int(words[1])) == (product >> 64, product & (2**64 - 1))
