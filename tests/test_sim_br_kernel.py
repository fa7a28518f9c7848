"""The compiled sequential best response equals the numpy one, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from jcaco import kernels
from jcaco.game import dynamics, resource
from jcaco.rng import SeedBatch, stream

pytestmark = pytest.mark.skipif(
    kernels.load("jcaco.game._br_numba") is None, reason="numba not installed"
)


def _batch(rng: np.random.Generator, seeds: int, users: int, resources: int):
    time = rng.exponential(1.0, (seeds, users, resources))
    time[rng.random(time.shape) < 0.2] = np.inf  # infeasible
    time[..., 0] = rng.exponential(1.0, (seeds, users))  # at least one feasible resource
    weight = np.round(rng.random((seeds, users)), 2)
    weight[rng.random(weight.shape) < 0.15] = 0.0  # non-players
    w = resource.player_weights(time, weight)
    feasible = np.isfinite(time)
    choice = np.argmax(feasible * rng.random(time.shape), axis=-1)
    return w, choice


@pytest.mark.parametrize("max_rounds", [1, 2, 50])
def test_kernel_equals_numpy(max_rounds: int) -> None:
    rng = stream(2024, "scenario")
    for case in range(40):
        seeds, users, resources = 1 + case % 5, int(rng.integers(2, 14)), int(rng.integers(2, 6))
        w, choice = _batch(rng, seeds, users, resources)
        if case % 3 == 0:  # integer-tick weights make ties between resources common
            w = np.where(np.isfinite(w), np.ceil(w * 4) / 4, w)
        runs = []
        for engine in ("numpy", "numba"):
            order_rng = SeedBatch.from_seeds(list(range(case, case + seeds)), "learner")
            with kernels.use(engine):
                runs.append(
                    dynamics.sequential_best_response(w, choice, order_rng, max_rounds=max_rounds)
                )
        numpy_out, numba_out = runs
        for name in ("choice", "rounds", "moves", "converged"):
            assert np.array_equal(getattr(numpy_out, name), getattr(numba_out, name)), (case, name)


def test_kernel_keeps_the_input_and_reaches_equilibria() -> None:
    rng = stream(7, "scenario")
    w, choice = _batch(rng, 6, 20, 4)
    before = choice.copy()
    with kernels.use("numba"):
        out = dynamics.sequential_best_response(w, choice, stream(1, "learner"))
    assert np.array_equal(choice, before)
    players = (w > 0).any(axis=-1)
    gaps = resource.nash_gaps(w, out.choice, players)
    assert np.all(gaps[out.converged] <= resource.DEFAULT_ATOL_S)
    assert out.converged.all()


def test_the_engine_follows_the_context_manager() -> None:
    """``kernels.use`` picks the engine; outside it, the compiled one runs (numba installed)."""
    assert kernels.engine() in ("auto", "numba")
    with kernels.use("numpy"):
        assert kernels.load("jcaco.game._br_numba") is None
        with kernels.use("numba"):
            assert kernels.load("jcaco.game._br_numba") is not None
        assert kernels.engine() == "numpy"
    with pytest.raises(ValueError, match="engine: got 'fast'; allowed: auto, numba, numpy"):
        with kernels.use("fast"):  # type: ignore[arg-type]
            pass


def test_order_of_play_is_the_stable_argsort() -> None:
    """The bucketed order of play equals ``np.argsort(kind="stable")``, ties by index."""
    from jcaco.game import _br_numba

    rng = stream(7, "scenario")
    for n in (1, 2, 5, 64, 1000):
        for priority in (
            rng.random(n),
            np.round(rng.random(n), 1),  # many ties, in and across buckets
            np.full(n, 0.5),
            np.where(rng.random(n) < 0.5, 0.0, np.nextafter(1.0, 0.0)),  # the extreme draws
        ):
            order = np.empty(n, dtype=np.int64)
            _br_numba.order_of_play(priority, order)
            np.testing.assert_array_equal(order, np.argsort(priority, kind="stable"))
