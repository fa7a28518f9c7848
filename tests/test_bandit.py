"""The ``bandit`` learner (learners/bandit.py): its information, its optimistic start, and
where it settles on the priced static game (a local optimum of (15) under single moves)."""

from __future__ import annotations

import numpy as np
import pytest

from jcaco.game.optimum.count_model import subgame_cost
from jcaco.jobs.solve import solve
from jcaco.learners.bandit import CostBandit
from jcaco.learners.information import Information
from jcaco.learners.registry import LEARNERS
from jcaco.learners.views import build_setup
from jcaco.model.instance import GameInstance, add_batch_axis
from jcaco.rng import stream
from jcaco.sim.loop import StaticEnvironment, run_loop
from test_optimum import brute_force_costs


def random_game(rng: np.random.Generator, n: int = 8, m: int = 3, k: int = 3) -> GameInstance:
    return GameInstance(
        theta=rng.integers(30, 101, n) / 100,
        tx_time_s=rng.uniform(0.1, 3.0, (n, m)),
        compute_time_s=rng.uniform(0.1, 3.0, (n, k)),
        steps=np.full((n, k), 10),
    )


def test_bandit_sees_what_loglinear_sees() -> None:
    assert LEARNERS["bandit"] is CostBandit and CostBandit.role == "competitor"
    for price in (False, True):
        for signal in ("expected", "measured"):
            got = CostBandit(price=price, reward_signal=signal).declares()
            assert got == LEARNERS["loglinear"](price=price, reward_signal=signal).declares()
    assert CostBandit().declares() == Information("own", "mean", "none")
    assert CostBandit(price=True).declares() == Information("own", "mean", "loads")
    assert CostBandit(price=True, reward_signal="measured").declares().channel == "own"


@pytest.mark.parametrize("bad", [{"step": 0.0}, {"switch_rate": 1.5}, {"exploration_min": 0.5}])
def test_bandit_rejects_bad_options(bad: dict[str, float]) -> None:
    game = add_batch_axis(random_game(np.random.default_rng(0)))
    learner = CostBandit(**bad)
    with pytest.raises(ValueError, match=next(iter(bad))):
        learner.reset(build_setup(learner.declares(), game), stream(0, "learner"))


@pytest.mark.parametrize("price", [False, True])
def test_estimates_start_optimistic_and_stay_above_the_alone_cost(price: bool) -> None:
    """An unplayed resource is estimated at θ_i T[i, r], the cost there alone, which bounds
    the delay and the price from below: so every tracked mean stays at or above it, and the
    first slots try the resources in order of the user's own times."""
    game = random_game(np.random.default_rng(1))
    batched = add_batch_axis(game)
    learner = CostBandit(price=price)
    learner.reset(build_setup(learner.declares(), batched), stream(0, "learner"))
    alone = game.theta[:, None] * game.tx_time_s
    np.testing.assert_allclose(learner.estimates(0)[0], alone)
    run_loop(StaticEnvironment(batched, stream(0, "activity")), learner, stream(0, "learner"), 300)
    tracked = learner.estimate_s_[0][0]
    played = ~np.isnan(tracked)
    assert played.sum() > len(game.theta)  # more than one resource per user was measured
    assert np.all(tracked[played] >= alone[played] * (1 - 1e-12))


def test_priced_bandit_lands_near_the_optimum_of_small_static_games() -> None:
    """On static games of 5 users and 3 APs and servers the priced bandit's recommendation is
    within 10 % of the brute-force optimum of (15) on average, and closer than the unpriced one
    (which learns on its own delay, whose equilibria can be far from the optimum)."""
    rng = np.random.default_rng(3)
    ratios: dict[bool, list[float]] = {True: [], False: []}
    for g in range(10):
        game = random_game(rng, n=5)
        subgames = (game.tx_time_s, game.compute_time_s)
        best = sum(float(brute_force_costs(t, game.theta).min()) for t in subgames)
        for price in (True, False):
            params = {"price": price, "patience": 3000}
            profile = solve(game, "bandit", seed=g, params=params, iterations=3000).profile
            got = sum(
                float(subgame_cost(t, game.theta, c))
                for t, c in zip(subgames, (profile.ap, profile.server), strict=True)
            )
            ratios[price].append(got / best)
    assert min(ratios[True]) >= 1 - 1e-9
    assert np.mean(ratios[True]) <= 1.10
    assert np.mean(ratios[True]) < np.mean(ratios[False])
