"""``uniform_choice``'s compiled rows equal its numpy form, to the bit.

Random masks of several shapes (a single row, users, seeds x users), rows with nothing
allowed, one generator or a seed batch: the same choices and the generator left in the same
state.
"""

from __future__ import annotations

import numpy as np
import pytest

from jcaco import kernels
from jcaco.learners.base import uniform_choice
from jcaco.rng import SeedBatch, stream

pytestmark = pytest.mark.skipif(
    kernels.load("jcaco.learners._sample_numba") is None, reason="numba not installed"
)

SHAPES = [(5,), (1, 1), (7, 3), (4, 30, 5), (2, 6, 1), (3, 9, 12)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("density", [0.0, 0.3, 1.0])
def test_compiled_rows_equal_numpy(shape: tuple[int, ...], density: float) -> None:
    allowed = stream(len(shape), "scenario").random(shape) < density
    runs = []
    for engine in ("numpy", "numba"):
        rng = (
            SeedBatch.from_seeds(list(range(shape[0])), "learner")
            if len(shape) == 3
            else stream(3, "learner")
        )
        with kernels.use(engine):
            picked = uniform_choice(allowed, rng)
        runs.append((picked, rng.random(shape[:1])))
    (a, state_a), (b, state_b) = runs
    assert a.dtype == b.dtype == np.int64 and a.shape == b.shape == shape[:-1]
    assert np.array_equal(a, b) and np.array_equal(state_a, state_b)
    assert allowed.reshape(-1, shape[-1])[np.arange(a.size), a.reshape(-1)].all() or density < 1
