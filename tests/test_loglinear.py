"""Payoff-based log-linear learning (learners/loglinear.py).

At a fixed temperature τ and a small exploration rate, the long-run visit frequencies of the
baseline profile on a two-player priced game match the Gibbs distribution
π(a) ∝ exp(-Φ(a) / (τ · scale)) of its potential Φ (the social cost (14)), computed exactly;
the correction for a non-uniform proposal keeps that law. The remaining deviation is the
learner's O(ε) departure from the one-at-a-time chain (two users trying in the same slot, a
baseline cost measured during the other's rejected trial), which the tolerance covers.
"""

from __future__ import annotations

import numpy as np
import pytest

from jcaco.game.optimum.count_model import subgame_cost
from jcaco.jobs.solve import solve
from jcaco.learners.loglinear import LogLinear
from jcaco.learners.views import Announcements
from jcaco.model.instance import GameInstance, add_batch_axis
from jcaco.rng import stream
from jcaco.sim.loop import StaticEnvironment, run_loop

#: Two players (θ = 1: always active, problem (14)), two APs, one server.
TX_TIME_S = np.array([[1.0, 2.0], [1.5, 1.0]])
TAU = 0.6
EPSILON = 0.03


def two_player_game(num_seeds: int) -> GameInstance:
    one = GameInstance(
        theta=np.ones(2),
        tx_time_s=TX_TIME_S,
        compute_time_s=np.ones((2, 1)),
        steps=np.ones((2, 1), dtype=np.int64),
    )
    batched = add_batch_axis(one)
    return GameInstance(
        theta=np.repeat(batched.theta, num_seeds, 0),
        tx_time_s=np.repeat(batched.tx_time_s, num_seeds, 0),
        compute_time_s=np.repeat(batched.compute_time_s, num_seeds, 0),
        steps=np.repeat(batched.steps, num_seeds, 0),
    )


def gibbs() -> np.ndarray:
    """π over the AP profiles (0,0), (0,1), (1,0), (1,1), exactly."""
    scale = float(Announcements.of(add_batch_axis(two_player_game(1))).max_ap_load_s[0, 0])
    profiles = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    potential = subgame_cost(np.broadcast_to(TX_TIME_S, (4, 2, 2)), np.ones((4, 2)), profiles)
    weight = np.exp(-(potential - potential.min()) / (TAU * scale))
    return np.asarray(weight / weight.sum())


def visit_frequencies(proposal: str, num_seeds: int = 600, slots: int = 4000) -> np.ndarray:
    learner = LogLinear(
        exploration=EPSILON,
        exploration_min=EPSILON,
        temperature=TAU,
        temperature_min=TAU,
        reward_signal="measured",
        price=True,
        proposal=proposal,
    )
    counts = np.zeros(4)
    burn_in = slots // 4

    def record(slot, profile, feedback, learner_) -> None:  # type: ignore[no-untyped-def]
        if slot.index >= burn_in:
            base = learner_.baseline_[..., 0]  # [S, 2]
            counts[:] += np.bincount(2 * base[:, 0] + base[:, 1], minlength=4)

    game = two_player_game(num_seeds)
    env = StaticEnvironment(game, stream(1, "activity"))
    run_loop(env, learner, stream(1, "learner"), slots, callback=record)
    return counts / counts.sum()


@pytest.mark.parametrize("proposal", ["uniform", "own-time"])
def test_long_run_frequencies_match_the_gibbs_distribution(proposal: str) -> None:
    want = gibbs()
    assert want.max() < 0.9 and want.min() > 0.005  # a distribution worth matching
    got = visit_frequencies(proposal)
    np.testing.assert_allclose(got, want, atol=0.025)


def test_priced_learning_beats_the_delay_on_the_social_cost() -> None:
    """On random 12-user games, the priced learner's (15) is below the unpriced one's in most
    seeds (the priced game's potential is the social cost; the paper's game's is not)."""
    rng = np.random.default_rng(4)
    wins = 0
    for seed in range(6):
        n, m, k = 12, 3, 3
        game = GameInstance(
            theta=rng.integers(50, 91, n) / 100,
            tx_time_s=rng.uniform(0.2, 3.0, (n, m)),
            compute_time_s=rng.uniform(0.2, 3.0, (n, k)),
            steps=np.full((n, k), 10),
        )
        results = [
            solve(game, "loglinear", seed=seed, iterations=3000, params={"price": price})
            for price in (True, False)
        ]
        priced, plain = (r.evaluation.expected_total_service_time_s for r in results)
        wins += priced < plain
    assert wins >= 5


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"exploration": 0.0}, "exploration"),
        ({"exploration": 0.1, "exploration_min": 0.2}, "exploration_min"),
        ({"temperature": -1.0}, "temperature"),
        ({"reward_signal": "rumour"}, "reward_signal"),
        ({"proposal": "psychic"}, "proposal"),
        ({"patience": 0}, "patience"),
    ],
)
def test_bad_hyperparameters_are_named(params: dict, message: str) -> None:
    game = two_player_game(1)
    with pytest.raises(ValueError, match=message):
        run_loop(
            StaticEnvironment(game, stream(0, "activity")),
            LogLinear(**params),
            stream(0, "learner"),
            1,
        )
