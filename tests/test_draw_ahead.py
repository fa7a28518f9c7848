"""Draws made ahead, replays that skip games, prefetched slots: the same numbers (issue 19).

:class:`jcaco.sim.dynamics.DrawAhead` fills several slots' draws of a stream per generator
call; each slot must get exactly what a slot-by-slot :class:`jcaco.rng.SeedBatch` call
would have drawn. :meth:`jcaco.sim.environment.DynamicEnvironment.advance` moves the
dynamics without building a slot's game; the slots built after it must equal those of an
environment that built every slot.
"""

from __future__ import annotations

import numpy as np
import pytest

from jcaco.learners.information import Information
from jcaco.model.build import check_feasible
from jcaco.rng import SeedBatch, stream
from jcaco.scenario.generator import PRESETS, generate_network, with_overrides
from jcaco.sim import dynamics
from jcaco.sim.dynamics import DrawAhead, DynamicsConfig
from jcaco.sim.environment import DynamicEnvironment
from jcaco.sim.simulate import simulate, wants_prefetch
from test_slot_channel import assert_same_slot


@pytest.mark.parametrize("method", ["random", "standard_exponential"])
@pytest.mark.parametrize("max_bytes", [0, 8 * 12, 8 * 12 * 3 + 5, 1 << 20])
def test_draws_ahead_equal_slot_by_slot_draws(method: str, max_bytes: int) -> None:
    seeds, shape = [3, 8, 11], (3, 4, 3)  # 12 draws per seed and slot
    plain = SeedBatch.from_seeds(seeds, "fading")
    ahead = DrawAhead(SeedBatch.from_seeds(seeds, "fading"), max_bytes)
    out = np.empty(shape)
    for t in range(10):
        expected = getattr(plain, method)(shape)
        got = getattr(ahead, method)(shape, out=out if t % 2 else None)
        assert got.shape == shape
        assert got.tobytes() == expected.tobytes(), t


def test_a_stream_draws_one_kind_only() -> None:
    ahead = DrawAhead(SeedBatch.from_seeds([1, 2], "activity"), 1 << 20)
    ahead.random((2, 5))
    with pytest.raises(ValueError, match="cannot draw"):
        ahead.standard_exponential((2, 5))
    with pytest.raises(ValueError, match="cannot draw"):
        ahead.random((2, 6))


DYNAMICS = {
    "all": DynamicsConfig(step_radius_m=25.0),
    "mean fading": DynamicsConfig(fading="mean", step_radius_m=25.0),
    "no mobility": DynamicsConfig(mobility=False),
}


@pytest.mark.parametrize("reuse", [False, True])
@pytest.mark.parametrize("name", sorted(DYNAMICS))
def test_advance_then_slot_equals_every_slot_built(
    name: str, reuse: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = with_overrides(PRESETS["paper"], {"num_users": 20})
    seeds = [5, 6]
    nets = [check_feasible(generate_network(config, stream(s, "scenario")), True)[0] for s in seeds]
    every = DynamicEnvironment(nets, seeds, DYNAMICS[name])
    monkeypatch.setattr(dynamics, "DRAW_AHEAD_BYTES", 8 * 20 * 5 * 2 * 3)  # 3 slots at a time
    some = DynamicEnvironment(nets, seeds, DYNAMICS[name], reuse_buffers=reuse)
    for t in range(12):
        before = every.slot(t)
        if t % 4 != 3:
            some.advance(t)
            continue
        assert_same_slot(some.slot(t), before, (name, t))


@pytest.mark.parametrize("eager", [False, True])
@pytest.mark.parametrize("name", sorted(DYNAMICS))
def test_prefetched_slots_equal_slots_made_in_turn(name: str, eager: bool) -> None:
    config = with_overrides(PRESETS["paper"], {"num_users": 25})
    seeds = [2, 7]
    nets = [check_feasible(generate_network(config, stream(s, "scenario")), True)[0] for s in seeds]
    plain = DynamicEnvironment(nets, seeds, DYNAMICS[name])
    ahead = DynamicEnvironment(nets, seeds, DYNAMICS[name], reuse_buffers=True, prefetch=True)
    if eager:
        ahead.declare(Information("own", "mean", "none"))
    try:
        for t in range(9):
            before = plain.slot(t)
            assert_same_slot(ahead.slot(t), before, (name, t))
        with pytest.raises(ValueError, match="prefetched"):
            ahead.slot(3)
        with pytest.raises(ValueError, match="prefetching"):
            ahead.advance(9)
    finally:
        ahead.close()
    with pytest.raises(ValueError, match="reuse_buffers"):
        DynamicEnvironment(nets, seeds, prefetch=True)


@pytest.mark.parametrize("algorithm", ["masl", "br", "mxfp"])
def test_simulate_with_prefetch_gives_the_same_trace(algorithm: str) -> None:
    config = with_overrides(PRESETS["paper"], {"num_users": 30})
    seeds = [1, 4, 9]
    nets = [check_feasible(generate_network(config, stream(s, "scenario")), True)[0] for s in seeds]
    runs = [
        simulate(nets, algorithm, seeds, 40, prefetch=p, record_users=True) for p in (False, True)
    ]
    for field in ("total_service_time_s", "nash_gap_s", "max_load_s", "user_service_time_s"):
        a, b = (np.asarray(getattr(r, field)) for r in runs)
        assert a.tobytes() == b.tobytes(), field


def test_prefetch_is_on_by_default_for_large_slots_only() -> None:
    small = [generate_network(PRESETS["paper"], stream(1, "scenario"))]
    assert not wants_prefetch(small, DynamicsConfig())
    assert not wants_prefetch(small * 100_000, DynamicsConfig(fading="mean", mobility=False))
