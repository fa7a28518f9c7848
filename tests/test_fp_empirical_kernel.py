"""``fp-empirical``'s compiled believed costs equal the numpy form, to the bit.

:func:`jcaco.learners.fp_empirical.empirical_belief_cost` on random beliefs (zero counts, rows
of zeros whose beliefs are NaN, θ of 0, infeasible resources whose 0 x inf is NaN, numbers of
users around numpy's blocks of 8), and whole simulations of every series that uses the
kernels of this change on both engines: the same traces.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from jcaco import kernels
from jcaco.learners.fp_empirical import empirical_belief_cost
from jcaco.rng import stream
from jcaco.scenario.generator import PRESETS, generate_network
from jcaco.sim.simulate import simulate

pytestmark = pytest.mark.skipif(
    kernels.load("jcaco.learners._fp_empirical_numba") is None, reason="numba not installed"
)


@pytest.mark.parametrize("users", [1, 7, 8, 9, 30, 129])
@pytest.mark.parametrize("resources", [1, 2, 5, 8, 12])
def test_belief_cost_equals_numpy(users: int, resources: int) -> None:
    rng = stream(users * 100 + resources, "scenario")
    for seeds in (1, 3):
        shape = (seeds, users, resources)
        time = rng.uniform(0.1, 3.0, shape)
        time[rng.random(shape) < 0.2] = np.inf
        theta = np.where(rng.random(shape[:-1]) < 0.2, 0.0, rng.uniform(0.3, 1.0, shape[:-1]))
        counts = rng.integers(0, 4, shape) * rng.uniform(0.5, 2.0, shape)
        counts[rng.random(shape[:-1]) < 0.1] = 0.0  # no belief: q = 0 / 0
        results = []
        for engine in ("numpy", "numba"):
            with kernels.use(engine), np.errstate(invalid="ignore", divide="ignore"):
                results.append(empirical_belief_cost(time, theta, counts))
        assert results[0].tobytes() == results[1].tobytes(), shape


@pytest.mark.parametrize(
    "algorithm", ["fp-empirical", "br", "br-round", "br-sync", "br-oracle", "raro"]
)
def test_simulations_equal_numpy(algorithm: str) -> None:
    """Fading, activity and the walk on, two seeds batched: every recorded array."""
    config = dataclasses.replace(PRESETS["paper"], num_users=12, num_aps=3, num_servers=3)
    nets = [generate_network(config, stream(seed, "scenario")) for seed in (4, 5)]
    traces = []
    for engine in ("numpy", "numba"):
        with kernels.use(engine), np.errstate(invalid="ignore"):
            traces.append(simulate(nets, algorithm, [4, 5], 60, record_users=True))
    for field in dataclasses.fields(traces[0]):
        a, b = (getattr(t, field.name) for t in traces)
        if isinstance(a, np.ndarray):
            assert a.tobytes() == b.tobytes(), field.name
