"""The slot dynamics: activity (1), Rayleigh fading (6) and the reflected random walk (O3)."""

from __future__ import annotations

import numpy as np
import pytest

from jcaco.rng import SeedBatch, stream
from jcaco.sim.dynamics import (
    DynamicsConfig,
    disc_steps,
    initial_state,
    reflect,
    step_activity,
    step_fading,
    step_mobility,
)


def _state(seeds: int = 4, users: int = 50, aps: int = 3, side_m: float = 100.0):
    rng = stream(99, "scenario")
    theta = np.round(rng.uniform(0.1, 0.9, (seeds, users)), 2)
    theta[:, 0] = 0.0  # a non-player: never active
    xy = rng.uniform(0.0, side_m, (seeds, users, 2))
    return initial_state(theta, np.full(seeds, side_m), xy, aps)


def test_reflection_map_by_hand() -> None:
    x = np.array([-1.0, 0.0, 3.0, 10.0, 12.0, 21.0, -25.0, 40.0])
    assert np.allclose(reflect(x, 10.0), [1.0, 0.0, 3.0, 10.0, 8.0, 1.0, 5.0, 0.0])
    # per-seed sides broadcast; the identity inside the area
    inside = np.array([[0.5, 9.5], [1.0, 19.0]])
    assert np.array_equal(reflect(inside, np.array([[10.0], [20.0]])), inside)


def test_disc_steps_are_uniform_in_the_disc() -> None:
    u = stream(1, "mobility").random((200_000, 2))
    step = disc_steps(u, 5.0)
    radius = np.hypot(step[:, 0], step[:, 1])
    assert radius.max() <= 5.0
    # uniform in the disc: P(r <= 5/2) = 1/4, mean displacement 0, E[r] = 2/3 * 5
    assert abs((radius <= 2.5).mean() - 0.25) < 0.005
    assert np.allclose(step.mean(axis=0), 0.0, atol=0.03)
    assert abs(radius.mean() - 10.0 / 3.0) < 0.01


def test_activity_frequency_matches_theta() -> None:
    state = _state()
    config = DynamicsConfig()
    rng = SeedBatch.from_seeds([0, 1, 2, 3], "activity")
    slots = 4000
    count = np.zeros(state.theta.shape)
    for _ in range(slots):
        state = step_activity(state, config, rng)
        count += state.active
    freq = count / slots
    # 4 sigma of a Bernoulli mean over 4000 slots is at most 4 * 0.5 / sqrt(4000) = 0.032
    assert np.all(
        np.abs(freq - state.theta) <= 4 * np.sqrt(state.theta * (1 - state.theta) / slots)
    )
    assert np.all(freq[:, 0] == 0.0)
    off = step_activity(state, DynamicsConfig(activity=False), rng)
    assert np.array_equal(off.active, state.theta > 0)


def test_rayleigh_moments() -> None:
    state = _state(seeds=2, users=100, aps=5)
    draws = np.stack(
        [
            step_fading(
                state, DynamicsConfig(), SeedBatch.from_seeds([t, t + 1], "fading")
            ).fading_gain
            for t in range(100)
        ]
    ).ravel()
    # Exp(1) power gain: mean 1, variance 1, P(g < 1) = 1 - 1/e (100,000 draws)
    assert abs(draws.mean() - 1.0) < 0.015
    assert abs(draws.var() - 1.0) < 0.05
    assert abs((draws < 1.0).mean() - (1 - np.exp(-1))) < 0.005
    mean = step_fading(state, DynamicsConfig(fading="mean"), SeedBatch.from_seeds([0, 1], "fading"))
    assert np.array_equal(mean.fading_gain, np.ones_like(state.fading_gain))


def test_walkers_stay_inside_and_move_at_most_one_step() -> None:
    state = _state(side_m=20.0)  # a small area, so walkers hit the borders often
    config = DynamicsConfig(step_radius_m=5.0)
    rng = SeedBatch.from_seeds([0, 1, 2, 3], "mobility")
    hit_border = 0
    for _ in range(500):
        before = state.user_xy_m
        state = step_mobility(state, config, rng)
        xy = state.user_xy_m
        assert xy.min() >= 0.0 and xy.max() <= 20.0
        # reflection never lengthens a step
        assert np.hypot(*(xy - before).transpose(2, 0, 1)).max() <= 5.0 + 1e-12
        hit_border += int(((before < 5.0) | (before > 15.0)).any())
    assert hit_border > 0
    still = step_mobility(state, DynamicsConfig(mobility=False), rng)
    assert still.user_xy_m is state.user_xy_m


def test_batched_draws_equal_one_by_one() -> None:
    state = _state(seeds=3)
    config = DynamicsConfig()
    batch = {n: SeedBatch.from_seeds([5, 6, 7], n) for n in ("activity", "fading", "mobility")}
    alone = [
        {n: SeedBatch.from_seeds([s], n) for n in ("activity", "fading", "mobility")}
        for s in (5, 6, 7)
    ]
    for _ in range(3):
        new = step_mobility(
            step_fading(step_activity(state, config, batch["activity"]), config, batch["fading"]),
            config,
            batch["mobility"],
        )
        for row, rngs in enumerate(alone):
            one = initial_state(
                state.theta[row : row + 1],
                state.area_m[row : row + 1],
                state.user_xy_m[row : row + 1],
                state.fading_gain.shape[-1],
            )
            one = step_mobility(
                step_fading(step_activity(one, config, rngs["activity"]), config, rngs["fading"]),
                config,
                rngs["mobility"],
            )
            assert np.array_equal(one.active[0], new.active[row])
            assert np.array_equal(one.fading_gain[0], new.fading_gain[row])
            assert np.array_equal(one.user_xy_m[0], new.user_xy_m[row])
        state = new


def test_config_rejects_bad_values() -> None:
    with pytest.raises(ValueError, match="fading"):
        DynamicsConfig(fading="sample")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="step_radius_m"):
        DynamicsConfig(step_radius_m=-1.0)
