"""The fused scoring kernel gives the same bits as the numpy forms it replaces."""

from __future__ import annotations

import numpy as np
import pytest

from jcaco import kernels
from jcaco.game import resource


@pytest.mark.parametrize("seed", range(5))
def test_score_subgame_equals_chosen_loads_and_take(seed: int) -> None:
    if kernels.load("jcaco.game._resource_numba") is None:
        pytest.skip("numba kernels not available")
    rng = np.random.default_rng(seed)
    s, n, r = 3, 50, 4
    time = rng.uniform(0.1, 5.0, (s, n, r))
    time[rng.random((s, n, r)) < 0.2] = np.inf  # infeasible entries
    theta = np.round(rng.uniform(0, 1, (s, n)), 2)
    theta[:, :5] = 0.0  # non-players
    active = (rng.random((s, n)) < theta).astype(float)
    # every user picks a feasible resource
    choice = np.argmin(np.where(np.isfinite(time), rng.random((s, n, r)), np.inf), axis=-1)
    got = resource.score_subgame(time, theta, active, choice)
    expected = resource.chosen_loads(time, theta, choice)
    realised = resource.chosen_loads(time, active, choice)
    want = (
        expected,
        realised,
        np.take_along_axis(expected, choice, axis=-1),
        np.take_along_axis(realised, choice, axis=-1),
    )
    for a, b in zip(got, want, strict=True):
        assert a.shape == b.shape
        assert np.array_equal(a, b)
