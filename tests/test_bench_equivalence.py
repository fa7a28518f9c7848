"""The speed-ups keep the numbers: each optimised kernel equals its plain reference bit for bit.

The references are the straightforward numpy forms the engine had before it was optimised
(``np.cumsum`` sampling, ``put_along_axis`` L_R-I, full ``[N, R]`` weight matrices).
"""

from __future__ import annotations

import numpy as np
import pytest

from bench_engines import engine  # noqa: F401 (autouse: with and without numba)
from jcaco.game import resource
from jcaco.learners import base
from jcaco.learners.bandit import CostBandit
from jcaco.learners.base import sample_from
from jcaco.learners.checks import random_game
from jcaco.learners.masl.core import _resource_major, lri_update
from jcaco.learners.views import build_setup
from jcaco.rng import stream


def reference_sample_from(probs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    cdf = np.cumsum(probs, axis=-1)
    u = (1.0 - rng.random(cdf.shape[:-1] + (1,))) * cdf[..., -1:]
    return np.minimum((cdf < u).sum(axis=-1), probs.shape[-1] - 1).astype(np.int64)


def reference_lri_update(probs, choice, reward, rate, update) -> None:
    step = np.where(update, rate * reward, 0.0)
    probs *= (1.0 - step)[..., None]
    np.put_along_axis(
        probs,
        choice[..., None],
        np.take_along_axis(probs, choice[..., None], axis=-1) + step[..., None],
        axis=-1,
    )


def random_strategies(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Rows on the simplex, with exact zeros and near-corners mixed in."""
    p = rng.random(shape) ** 4
    p[rng.random(shape) < 0.3] = 0.0
    p[..., 0] += 1e-3  # no all-zero row
    corner = rng.random(shape[:-1]) < 0.2
    p[corner] *= 1e-12
    p[corner, -1] = 1.0
    return p / p.sum(axis=-1, keepdims=True)


@pytest.mark.parametrize("shape", [(1, 50, 10), (3, 40, 3), (2, 30, 1), (4, 7, 300)])
@pytest.mark.parametrize("layout", ["c", "resource-major"])
@pytest.mark.parametrize("block_rows", [8192, 16])
def test_sample_from_matches_cumsum_reference(shape, layout, block_rows, monkeypatch) -> None:
    monkeypatch.setattr(base, "SAMPLE_BLOCK_ROWS", block_rows)  # 16: several blocks per row set
    rng = np.random.default_rng(sum(shape))
    p = random_strategies(rng, shape)
    probs = _resource_major(p) if layout == "resource-major" else p
    for seed in range(5):
        got = sample_from(probs, np.random.default_rng(seed))
        want = reference_sample_from(p, np.random.default_rng(seed))
        np.testing.assert_array_equal(got, want)
        assert got.dtype == np.int64 and got.shape == shape[:-1]
        # a zero-probability entry is never drawn
        assert (np.take_along_axis(p, got[..., None], axis=-1) > 0).all()


@pytest.mark.parametrize("layout", ["c", "resource-major", "strided"])
def test_lri_update_matches_put_along_axis_reference(layout) -> None:
    rng = np.random.default_rng(5)
    s, n, r = 3, 60, 7
    p = random_strategies(rng, (s, n, r))
    if layout == "strided":  # a view that is not one block: the fancy-index path
        mine = np.repeat(p, 2, axis=1)[:, ::2]
        assert not mine.flags.c_contiguous and mine.base is not None
    else:
        mine = _resource_major(p) if layout == "resource-major" else p.copy()
    ref = p.copy()
    for _ in range(50):
        choice = rng.integers(0, r, (s, n))
        reward = rng.random((s, n))
        update = rng.random((s, n)) < 0.6
        top = np.full((s, n), np.nan)
        lri_update(mine, choice, reward, 0.3, update, row_max=top)
        reference_lri_update(ref, choice, reward, 0.3, update)
        np.testing.assert_array_equal(mine, ref)
        np.testing.assert_array_equal(top, ref.max(axis=-1))
    assert np.abs(ref - p).max() > 0.1  # the rows really moved


@pytest.mark.parametrize("batch", [(), (1,), (4,), (2, 3)])
def test_chosen_loads_match_full_weight_matrices(batch) -> None:
    rng = np.random.default_rng(len(batch))
    n, r = 25, 6
    time = rng.uniform(0.1, 5.0, (*batch, n, r))
    time[rng.random(time.shape) < 0.2] = np.inf  # infeasible entries
    weight = np.where(rng.random((*batch, n)) < 0.2, 0.0, rng.random((*batch, n)))
    time[..., :, 1] = 1.0  # everybody has a feasible resource
    # players pick a random feasible resource; non-player 0 sits on an infeasible one
    keys = np.where(np.isfinite(time), rng.random(time.shape), -1.0)
    choice = np.argmax(keys, axis=-1)
    time[..., 0, 0] = np.inf
    weight[..., 0] = 0.0
    choice[..., 0] = 0
    full = resource.loads(resource.player_weights(time, weight), choice)
    np.testing.assert_array_equal(resource.chosen_loads(time, weight, choice), full)
    assert np.isfinite(full).all()
    ref = np.take_along_axis(time, choice[..., None], axis=-1)[..., 0]
    np.testing.assert_array_equal(resource.chosen(time, choice), ref)
    # a non-contiguous input takes the fancy-index path and agrees too
    strided = np.swapaxes(np.swapaxes(time, -1, -2).copy(), -1, -2)
    np.testing.assert_array_equal(resource.chosen(strided, choice), ref)


@pytest.mark.parametrize("signal", ["expected", "measured"])
def test_bandit_best_matches_the_estimates_argmin(signal: str) -> None:
    """The bandit's best resource and gain (compiled under the numba engine) equal the numpy
    form: the first minimum of :meth:`CostBandit.estimates`, and the incumbent's estimate
    minus it, bit for bit (ties, never-played and infeasible resources mixed in)."""
    rng = np.random.default_rng(11)
    game = random_game(rng, num_seeds=3, num_users=200, num_aps=4, num_servers=6)
    learner = CostBandit(reward_signal=signal, price=True)
    learner.reset(build_setup(learner.declares(), game), stream(0, "learner"))
    for part in (0, 1):
        allowed = learner.allowed_[part]
        played = allowed & (rng.random(allowed.shape) < 0.5)
        values = np.round(rng.uniform(0.0, 2.0, allowed.shape), 1)  # ties
        learner.estimate_s_[part][played] = values[played]
        learner.known_[part] |= played
        incumbent = learner.incumbent_[part]
        best, gain = learner._best(part, incumbent)
        estimate = learner.estimates(part)
        want = estimate.argmin(axis=-1)
        np.testing.assert_array_equal(best, want)
        at = np.take_along_axis(estimate, incumbent[..., None], axis=-1)[..., 0]
        low = np.take_along_axis(estimate, want[..., None], axis=-1)[..., 0]
        np.testing.assert_array_equal(gain, at - low)
