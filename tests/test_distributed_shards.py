"""The claim docs/distributed.md rests on: users couple only through the per-slot load sums.

MASL is run twice on the same static game and the same random numbers: once as usual (the slot
loop over all users), once with the users split into shards that each sample, sum their own
loads, exchange only the M + K load vectors (an "all-reduce": their sum) and update their own
strategies. With weights that are exact binary fractions every sum is exact whatever its
order, so the two runs must agree to the bit.
"""

from __future__ import annotations

import numpy as np
import pytest

from jcaco.game import resource
from jcaco.learners.base import sample_from
from jcaco.learners.masl.core import MASL, lri_update
from jcaco.model.instance import GameInstance, add_batch_axis
from jcaco.rng import stream
from jcaco.sim.loop import StaticEnvironment, run_loop

SLOTS = 40


class Drawn:
    """A stand-in generator that hands out given uniforms (one shard's slice of a draw)."""

    def __init__(self, values: np.ndarray):
        self.values = values

    def random(self, shape: tuple[int, ...]) -> np.ndarray:
        return self.values.reshape(shape)


def dyadic_game(rng: np.random.Generator, n: int = 12, m: int = 3, k: int = 3) -> GameInstance:
    """θ in quarters, times in halves: every load sum is exact in floating point."""
    compute = rng.integers(1, 5, (n, k)) / 2.0
    compute[rng.random((n, k)) < 0.2] = np.inf
    compute[:, 0] = rng.integers(1, 5, n) / 2.0
    return GameInstance(
        theta=rng.integers(0, 5, n) / 4.0,
        tx_time_s=rng.integers(1, 5, (n, m)) / 2.0,
        compute_time_s=compute,
        steps=np.where(np.isfinite(compute), 10, 0),
    )


def _worst_load_s(time: np.ndarray, theta: np.ndarray) -> float:
    """One shard's part of the O9 normaliser Σ_j θ_j max_r T_{j,r} (a sum over its users)."""
    return float((theta * np.where(np.isfinite(time), time, 0.0).max(axis=-1)).sum())


def sharded_masl(
    game: GameInstance, shards: list[np.ndarray], seed: int, sampling: str
) -> list[np.ndarray]:
    """MASL with per-shard work and only the load vectors exchanged; final strategies."""
    learner = MASL(
        learning_rate_ap=0.3, learning_rate_server=0.2, sampling=sampling, normaliser="o9"
    )
    n, m = game.num_users, game.num_aps
    feasible = game.feasible[0]
    probs = [np.full((n, m), 1.0 / m), feasible / feasible.sum(axis=-1, keepdims=True)]  # (33)
    times = [game.tx_time_s[0], game.compute_time_s[0]]
    theta = game.theta[0]
    rates = [learner.learning_rate_ap, learner.learning_rate_server]
    # O9 normalisers: also sums over users, all-reduced once
    norms = [max(sum(_worst_load_s(t[s], theta[s]) for s in shards), 1e-300) for t in times]
    activity_rng, learner_rng = stream(seed, "activity"), stream(seed, "learner")
    choice = [np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)]
    if sampling == "active":  # a first action for every user, drawn at set-up
        for g in range(2):
            uniforms = learner_rng.random(theta.shape)
            for s in shards:
                choice[g][s] = sample_from(probs[g][s], Drawn(uniforms[s]))
    for _ in range(SLOTS):
        active = activity_rng.random(theta.shape) < theta  # each user's own draw
        uniforms = [learner_rng.random(theta.shape), learner_rng.random(theta.shape)]
        loads = []
        for g in range(2):  # each shard samples and sums its own loads; then the all-reduce
            partial = []
            for s in shards:
                sampled = sample_from(probs[g][s], Drawn(uniforms[g][s]))
                keep = ~active[s] if sampling == "active" else np.zeros(len(s), dtype=bool)
                choice[g][s] = np.where(keep, choice[g][s], sampled)
                partial.append(resource.chosen_loads(times[g][s], theta[s], choice[g][s]))
            loads.append(np.sum(partial, axis=0))
        for g in range(2):  # each shard: its users' delays, rewards and updates
            for s in shards:
                delay = loads[g][choice[g][s]]
                reward = np.clip(1.0 - delay / norms[g], 0.0, 1.0)
                update = active[s] & (theta[s] > 0)
                rows = probs[g][s]  # a copy (fancy index): update it, then write it back
                lri_update(rows, choice[g][s], reward, rates[g], update)
                probs[g][s] = rows
    return probs


@pytest.mark.parametrize("sampling", ["active", "all"])
@pytest.mark.parametrize("num_shards", [1, 2, 5])
def test_shards_exchanging_only_the_loads_give_the_unsplit_run(
    num_shards: int, sampling: str
) -> None:
    rng = stream(31, "scenario")
    for seed in range(5):
        game = add_batch_axis(dyadic_game(rng))
        n = game.num_users
        order = rng.permutation(n)  # shards need not be contiguous
        shards = [np.sort(part) for part in np.array_split(order, num_shards)]
        learner = MASL(
            learning_rate_ap=0.3, learning_rate_server=0.2, sampling=sampling, normaliser="o9"
        )
        run_loop(
            StaticEnvironment(game, stream(seed, "activity")),
            learner,
            stream(seed, "learner"),
            SLOTS,
        )
        probs = sharded_masl(game, shards, seed, sampling)
        assert np.abs(probs[0] - 1.0 / game.num_aps).max() > 0.05  # the strategies did move
        assert probs[0].tobytes() == np.ascontiguousarray(learner.probs_ap_[0]).tobytes()
        assert probs[1].tobytes() == np.ascontiguousarray(learner.probs_server_[0]).tobytes()
