"""One pass over a slot's environment: the same numbers as the formulas it replaced (issue 19).

:class:`jcaco.sim.slot_channel.SlotChannel` computes a slot's distances, realised and
mean-fading transmission times block by block in reused buffers, and the random walk can
step in place; each is checked bit for bit against the straightforward numpy form
(:func:`jcaco.model.channel.rates_bps`, :func:`jcaco.model.channel.tx_times_s`,
:func:`jcaco.sim.dynamics.disc_steps`, :func:`jcaco.sim.dynamics.reflect`) on random draws.
"""

from __future__ import annotations

import numpy as np
import pytest

from jcaco import kernels
from jcaco.learners.information import Information
from jcaco.learners.views import needs_mean_tx
from jcaco.model.build import check_feasible
from jcaco.model.channel import rates_bps, tx_times_s
from jcaco.rng import SeedBatch, stream
from jcaco.scenario.generator import PRESETS, generate_network, with_overrides
from jcaco.sim import slot_channel
from jcaco.sim.dynamics import (
    DynamicsConfig,
    WalkBuffers,
    disc_steps,
    initial_state,
    reflect,
    step_fading,
    step_mobility,
)
from jcaco.sim.environment import DynamicEnvironment
from jcaco.sim.loop import Slot
from jcaco.sim.slot_channel import SlotChannel, floor_into, power_into


def _old_distances(user_xy_m, ap_xy_m, min_distance_m):
    """The distances as the environment computed them before the one-pass channel."""
    dx = user_xy_m[:, :, None, 0] - ap_xy_m[:, None, :, 0]
    dy = user_xy_m[:, :, None, 1] - ap_xy_m[:, None, :, 1]
    return np.maximum(np.sqrt(dx * dx + dy * dy), min_distance_m)


def _old_times(distance_m, bandwidth_hz, content_bits, fading, radio):
    rate = rates_bps(
        distance_m,
        bandwidth_hz,
        fading,
        tx_power_w=radio["tx_power_w"],
        noise_dbm_per_hz=radio["noise_dbm_per_hz"],
        path_loss_exponent=radio["path_loss_exponent"],
    )
    return tx_times_s(content_bits, rate)


@pytest.mark.parametrize("exponent", [2.0, 3.0, 3.7, 4.0, 1.0])
@pytest.mark.parametrize("block", [7, 64, 10**9])
@pytest.mark.parametrize("reuse", [True, False])
def test_sweep_equals_the_formula(
    exponent: float, block: int, reuse: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(slot_channel, "BLOCK_ELEMENTS", block)
    rng = np.random.default_rng(int(exponent * 10) + block)
    s, n, m = 3, 37, 4
    radio = {
        "tx_power_w": 0.2,
        "noise_dbm_per_hz": -174.0,
        "path_loss_exponent": exponent,
        "min_distance_m": 5.0,
    }
    ap_xy = rng.random((s, m, 2)) * 300
    bandwidth = rng.uniform(1e6, 2e7, (s, m))[:, None, :]
    bits = rng.uniform(1e5, 1e8, (s, n))
    start = rng.random((s, n, 2)) * 300
    start[0, :3] = ap_xy[0, :3]  # at an AP: distance floored
    initial = _old_distances(start, ap_xy, radio["min_distance_m"])
    frozen = initial.copy()
    channel = SlotChannel(ap_xy, bandwidth, bits, initial, radio, reuse)
    for step in range(4):
        xy = rng.random((s, n, 2)) * 300
        gain = rng.standard_exponential((s, n, m))
        gain[1, 0, 0] = 0.0  # a deep fade: a zero rate, floored at 1e-300 bit/s
        moved = step % 2 == 0
        channel.sweep(xy if moved else None, gain, mean=step < 2)
        distance = _old_distances(xy, ap_xy, 5.0) if moved else channel.distance_m
        assert channel.distance_m.tobytes() == distance.tobytes()
        assert channel.tx_time_s is not None
        realised = _old_times(distance, bandwidth, bits, gain, radio)
        assert channel.tx_time_s.tobytes() == realised.tobytes()
        mean = _old_times(distance, bandwidth, bits, 1.0, radio)
        assert channel.mean_tx_time_s(channel.distance_m).tobytes() == mean.tobytes()
        assert channel.tx_time_s[1, 0, 0] == bits[1, 0] / 1e-300  # the floored rate
    assert initial.tobytes() == frozen.tobytes()  # the initial distances are never written


def test_power_and_floor_helpers_equal_numpy() -> None:
    x = np.random.default_rng(1).random((5, 9)) * 10
    for exponent in (-1.0, 0.0, 0.5, 1.0, 2.0, -4.0, -3.5):
        assert power_into(x, exponent, np.empty_like(x)).tobytes() == (x**exponent).tobytes()
    for floor in (0.0, 0.5, 20.0):
        y = x.copy()
        assert floor_into(y, floor, y).tobytes() == np.maximum(x, floor).tobytes()
    z = np.array([np.nan, 1.0, -0.0])
    assert np.array_equal(floor_into(z.copy(), 0.0, z), np.maximum(z, 0.0), equal_nan=True)


@pytest.mark.parametrize("engine", ["numpy", "numba"])
@pytest.mark.parametrize("side", [10.0, 50.0, 1000.0])
def test_walk_in_place_equals_disc_steps_and_reflect(side: float, engine: str) -> None:
    """The numpy form and the compiled step (:mod:`jcaco.sim._dynamics_numba`); at 10 m the
    steps leave the fast fold's range (the ``np.mod`` fold), at 50 m they cross both borders."""
    if engine == "numba" and kernels.load("jcaco.sim._dynamics_numba") is None:
        pytest.skip("numba not installed")
    s, n = 2, 500
    rng = np.random.default_rng(2)
    xy = rng.random((s, n, 2)) * side
    xy[0, :4] = [[0.0, -0.0], [side, 0.0], [1e-300, side], [0.0, 0.0]]  # at the borders
    area = np.full(s, side)
    config = DynamicsConfig(step_radius_m=30.0)  # 50 m: some steps cross both borders
    state = initial_state(np.full((s, n), 0.5), area, xy, num_aps=3)
    work = WalkBuffers(xy.shape)
    for t in range(5):
        draws, again = (SeedBatch.from_seeds([5, 6], "mobility", t) for _ in range(2))
        expected = reflect(
            state.user_xy_m + disc_steps(draws.random((s, n, 2)), 30.0), area[:, None, None]
        )
        with kernels.use(engine):  # type: ignore[arg-type]
            state = step_mobility(state, config, again, work=work)
        assert state.user_xy_m.tobytes() == expected.tobytes()


def test_fading_into_a_buffer_draws_the_same_numbers() -> None:
    state = initial_state(np.full((2, 6), 0.5), np.full(2, 10.0), np.zeros((2, 6, 2)), 3)
    config = DynamicsConfig()
    fresh = step_fading(state, config, SeedBatch.from_seeds([1, 2], "fading"))
    out = np.empty((2, 6, 3))
    filled = step_fading(state, config, SeedBatch.from_seeds([1, 2], "fading"), out=out)
    assert filled.fading_gain is out
    assert out.tobytes() == fresh.fading_gain.tobytes()
    alone = step_fading(state, config, stream(1, "fading"), out=np.empty((2, 6, 3)))
    assert alone.fading_gain.tobytes() == stream(1, "fading").standard_exponential(36).tobytes()


DYNAMICS = {
    "all": DynamicsConfig(step_radius_m=20.0),
    "fading only": DynamicsConfig(mobility=False),
    "mobility only": DynamicsConfig(fading="mean", step_radius_m=20.0),
    "static": DynamicsConfig(fading="mean", mobility=False),
}


def assert_same_slot(slot: Slot, before: Slot, label: object) -> None:
    """The two slots' times (realised and mean-fading), distances and activity, bit for bit."""
    for x, y in (
        (slot.game.tx_time_s, before.game.tx_time_s),
        (slot.mean_tx_time_s(), before.mean_tx_time_s()),
        (slot.distance_m, before.distance_m),
        (slot.active, before.active),
    ):
        assert np.asarray(x).tobytes() == np.asarray(y).tobytes(), label


@pytest.mark.parametrize("name", sorted(DYNAMICS))
def test_reused_buffers_and_eager_mean_give_the_same_slots(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(slot_channel, "BLOCK_ELEMENTS", 50)  # several blocks and seeds
    config = with_overrides(PRESETS["paper"], {"num_users": 40})
    seeds = [4, 9]
    nets = [check_feasible(generate_network(config, stream(s, "scenario")), True)[0] for s in seeds]
    plain = DynamicEnvironment(nets, seeds, DYNAMICS[name])
    reused = DynamicEnvironment(nets, seeds, DYNAMICS[name], reuse_buffers=True)
    reused.declare(Information("own", "mean", "none"))
    old = [plain.slot(t) for t in range(6)]  # kept: without reuse, slots stay valid
    for t, before in enumerate(old):
        assert_same_slot(reused.slot(t), before, (name, t))
    if DYNAMICS[name].mobility and DYNAMICS[name].fading != "mean":
        stale = reused.slot(6)
        reused.slot(7)
        with pytest.raises(RuntimeError, match="reuse_buffers"):
            stale.mean_tx_time_s()  # slot 6's, asked for after slot 7 was made


def test_needs_mean_tx_follows_build_view() -> None:
    assert needs_mean_tx(Information("own", "mean", "none"))
    assert not needs_mean_tx(Information("own", "own", "none"))
    assert needs_mean_tx(Information("all", "own", "actions"))
    assert not needs_mean_tx(Information("all", "all", "actions"))
