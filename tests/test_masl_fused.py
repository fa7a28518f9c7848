"""The fused MASL pass equals MASL run through the slot loop, to the bit (issue 11)."""

from __future__ import annotations

import numpy as np
import pytest

from jcaco import kernels
from jcaco.learners.masl import MASL
from jcaco.learners.masl_fused import fused_applies, run_fused
from jcaco.learners.registry import make_learner
from jcaco.model.instance import stack_instances
from jcaco.rng import SeedBatch
from jcaco.sim.loop import StaticEnvironment, run_loop
from jcaco.sim.solve import solve

pytestmark = pytest.mark.skipif(
    kernels.load("jcaco.learners._masl_fused_numba") is None, reason="numba not installed"
)

SEEDS = [4, 9, 23]


def _state(learner: MASL) -> list[bytes]:
    return [
        np.ascontiguousarray(a).tobytes()
        for a in (learner.probs_ap_, learner.probs_server_, learner.last_.ap, learner.last_.server)
    ]


@pytest.mark.parametrize(
    ("reward_signal", "sampling"),
    [("expected", "active"), ("measured", "active"), ("expected", "all")],
)
@pytest.mark.parametrize(("slots", "stop"), [(1, False), (40, False), (3000, True)])
def test_fused_equals_the_loop(
    tiny_games, reward_signal: str, sampling: str, slots: int, stop: bool
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
        game = stack_instances(games[:3])
        seeds = SEEDS[: len(games[:3])]
        loop_learner, fused_learner = make_learner("masl", params), make_learner("masl", params)
        assert fused_applies(fused_learner)
        env = StaticEnvironment(game, SeedBatch.from_seeds(seeds, "activity"))
        outcome = run_loop(
            env,
            loop_learner,
            SeedBatch.from_seeds(seeds, "learner"),
            slots,
            stop_when_converged=stop,
        )
        fused = run_fused(
            fused_learner,
            game,
            SeedBatch.from_seeds(seeds, "activity"),
            SeedBatch.from_seeds(seeds, "learner"),
            slots,
            stop_when_converged=stop,
        )
        assert fused[0] == outcome.slots
        assert np.array_equal(fused[1], outcome.converged)
        assert np.array_equal(fused[2].ap, outcome.profile.ap)
        assert np.array_equal(fused[2].server, outcome.profile.server)
        assert _state(fused_learner) == _state(loop_learner)


def test_solve_gives_the_loops_result(tiny_games, monkeypatch) -> None:
    """``solve`` takes the fused pass for MASL; forcing the loop changes no bit of the result."""
    game = tiny_games[5]
    fast = solve(game, "masl", seed=3, iterations=5000).to_dict()
    monkeypatch.setattr("jcaco.sim.solve.fused_applies", lambda learner: False)
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
