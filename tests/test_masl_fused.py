"""The fused MASL pass equals MASL run through the slot loop, to the bit (issue 11)."""

from __future__ import annotations

import numpy as np
import pytest

from jcaco import kernels
from jcaco.jobs.solve import solve
from jcaco.learners.masl import MASL
from jcaco.learners.masl.fused import (
    FusedPass,
    _generators,
    fused_applies,
    run_fused,
    tile,
    untile,
)
from jcaco.learners.registry import make_learner
from jcaco.model.build import build_instance
from jcaco.model.instance import GameInstance, stack_instances
from jcaco.rng import RandomSource, SeedBatch, stream
from jcaco.scenario.generator import GeneratorConfig, generate_network
from jcaco.sim.loop import StaticEnvironment, run_loop

pytestmark = pytest.mark.skipif(
    kernels.load("jcaco.learners.masl._fused_numba") is None, reason="numba not installed"
)

SEEDS = [4, 9, 23]


def _state(learner: MASL) -> list[bytes]:
    arrays = (learner.probs_ap_, learner.probs_server_, learner.last_.ap, learner.last_.server)
    return [np.ascontiguousarray(a).tobytes() + str(a.dtype).encode() for a in arrays]


def _generator_states(*sources: RandomSource) -> list[object]:
    return [g.bit_generator.state for source in sources for g in _generators(source)]


def _streams(seeds: list[int], one_generator: bool) -> tuple[RandomSource, RandomSource]:
    """The activity and learner streams: one generator per seed, or one for the batch."""
    if one_generator:
        return stream(seeds[0], "activity"), stream(seeds[0], "learner")
    return SeedBatch.from_seeds(seeds, "activity"), SeedBatch.from_seeds(seeds, "learner")


def _assert_fused_equals_the_loop(
    game: GameInstance,
    seeds: list[int],
    params: dict[str, object],
    slots: int,
    stop: bool,
    block: int | None,
    one_generator: bool = False,
) -> None:
    """Both paths from the same streams: the same slots, flags, profile, strategies (bits,
    MASL's layout) and last actions, and the generators left in the same states."""
    loop_learner, fused_learner = make_learner("masl", params), make_learner("masl", params)
    assert fused_applies(fused_learner) and isinstance(loop_learner, MASL)
    loop_streams = _streams(seeds, one_generator)
    outcome = run_loop(
        StaticEnvironment(game, loop_streams[0]),
        loop_learner,
        loop_streams[1],
        slots,
        stop_when_converged=stop,
    )
    fused_streams = _streams(seeds, one_generator)
    fused = run_fused(
        fused_learner, game, *fused_streams, slots, stop_when_converged=stop, block=block
    )
    assert fused[0] == outcome.slots
    assert np.array_equal(fused[1], outcome.converged)
    assert np.array_equal(fused[2].ap, outcome.profile.ap)
    assert np.array_equal(fused[2].server, outcome.profile.server)
    assert _state(fused_learner) == _state(loop_learner)
    assert fused_learner.probs_ap_.strides == loop_learner.probs_ap_.strides
    assert _generator_states(*fused_streams) == _generator_states(*loop_streams)


@pytest.mark.parametrize(
    ("reward_signal", "sampling"),
    [("expected", "active"), ("measured", "active"), ("expected", "all"), ("measured", "all")],
)
@pytest.mark.parametrize(("slots", "stop"), [(1, False), (40, False), (3000, True)])
@pytest.mark.parametrize("block", [None, 2])  # one block; blocks of 2 users, the last short
def test_fused_equals_the_loop(
    tiny_games, reward_signal: str, sampling: str, slots: int, stop: bool, block: int | None
) -> None:
    params = {
        "learning_rate_ap": 0.2,
        "learning_rate_server": 0.1,
        "reward_signal": reward_signal,
        "sampling": sampling,
    }
    shapes: dict[tuple[int, int, int], list] = {}
    for game in tiny_games:  # batches of games of one shape (θ = 0 users, infeasible servers)
        shapes.setdefault(game.tx_time_s.shape + (game.num_servers,), []).append(game)
    for games in shapes.values():
        seeds = SEEDS[: len(games[:3])]
        _assert_fused_equals_the_loop(stack_instances(games[:3]), seeds, params, slots, stop, block)


@pytest.mark.parametrize("reward_signal", ["expected", "measured"])
@pytest.mark.parametrize("one_generator", [False, True])
@pytest.mark.parametrize("prefetch", [False, True])
def test_fused_equals_the_loop_on_a_network(
    reward_signal: str, one_generator: bool, prefetch: bool, monkeypatch
) -> None:
    """A Table III network of 1,100 users: the default blocks of 512, the last one short; one
    generator per seed, or one for both seeds (their draws row after row); with and without
    prefetching."""
    monkeypatch.setattr("jcaco.learners.masl.fused.PREFETCH_FROM_BYTES", 0 if prefetch else 2**62)
    config = GeneratorConfig(num_users=1100, num_aps=6, num_servers=4)
    games = [build_instance(generate_network(config, stream(s, "scenario"))) for s in (1, 2)]
    params = {"learning_rate_ap": 0.3, "learning_rate_server": 0.3, "reward_signal": reward_signal}
    game = stack_instances(games)
    _assert_fused_equals_the_loop(game, [5, 6], params, 25, False, None, one_generator)


def test_tile_round_trip() -> None:
    """:func:`tile` puts entry (s, i, r) at (s, i // W, r, i % W); :func:`untile` undoes it."""
    probs = np.random.default_rng(0).random((2, 3, 7)).transpose(0, 2, 1)  # (S, N, R) view
    for width in (1, 2, 7, 8):
        tiled = tile(probs, width)
        assert tiled.shape == (2, -(-7 // width), 3, width)
        assert tiled[1, 6 // width, 2, 6 % width] == probs[1, 6, 2]
        back = untile(tiled, 7)
        assert np.array_equal(back, probs) and back.strides == probs.strides


def test_a_finished_pass_takes_no_more_steps(tiny_games) -> None:
    game = stack_instances(tiny_games[:1])
    fused = FusedPass(MASL(), game, stream(1, "activity"), stream(1, "learner"))
    fused.step()
    fused.finish()
    with pytest.raises(RuntimeError, match="finished"):
        fused.step()
    with pytest.raises(RuntimeError, match="finished"):
        fused.finish()


def test_streams_the_kernel_cannot_draw_as_the_loop_are_refused(tiny_games) -> None:
    """A generator shared by both streams (or by two seeds) interleaves its draws in the slot
    loop, which the kernel's separate chains would not: refused, before the learner's reset
    draws anything; so is a batch of generators that does not match the seeds."""
    game = stack_instances([tiny_games[0], tiny_games[0]])
    shared = stream(1, "learner")
    before = shared.bit_generator.state
    with pytest.raises(ValueError, match="separate generator"):
        FusedPass(MASL(), game[:1], shared, shared)
    assert shared.bit_generator.state == before
    one = stream(1, "activity")
    twice = SeedBatch([one, one])
    other = SeedBatch.from_seeds([1, 2], "learner")
    with pytest.raises(ValueError, match="separate generator"):
        FusedPass(MASL(), game, twice, other)
    with pytest.raises(ValueError, match="1 or 2 generators"):
        FusedPass(MASL(), game, stream(1, "activity"), other)
    with pytest.raises(ValueError, match="seeds"):
        FusedPass(MASL(), game, SeedBatch.from_seeds([1], "activity"), stream(1, "learner"))


def test_solve_gives_the_loops_result(tiny_games, monkeypatch) -> None:
    """``solve`` takes the fused pass for MASL; forcing the loop changes no bit of the result."""
    game = tiny_games[5]
    fast = solve(game, "masl", seed=3, iterations=5000).to_dict()
    monkeypatch.setattr("jcaco.jobs.solve.fused_applies", lambda learner: False)
    slow = solve(game, "masl", seed=3, iterations=5000).to_dict()
    for doc in (fast, slow):
        doc.pop("wall_time_s")
    assert fast == slow


def test_fused_applies_only_to_what_it_implements() -> None:
    masl = make_learner("masl", {"reward_signal": "measured", "convergence_threshold": 0.9})
    assert fused_applies(masl)
    assert not fused_applies(make_learner("masl", {"normaliser": "per-user"}))
    assert not fused_applies(make_learner("masl", {"price": True}))  # an option it does not know
    assert not fused_applies(make_learner("br", {}))
    with kernels.use("numpy"):  # no compiled kernel: the loop runs
        assert not fused_applies(masl)
