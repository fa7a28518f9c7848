"""The plain-Python MASL reference (benchmarks/naive_masl.py) and the vectorised MASL agree.

Both run the same slots on the same random numbers; the strategies must agree to the bit, so
the speed ratio in docs/performance.md compares two implementations of one computation.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from bench_engines import engine  # noqa: F401 (autouse: with and without numba)
from jcaco.game.profile import Profile
from jcaco.learners.base import Feedback, Learner
from jcaco.learners.masl import MASL
from jcaco.model.instance import GameInstance, stack_instances
from jcaco.rng import SeedBatch, stream
from jcaco.sim.loop import Slot, StaticEnvironment, run_loop

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from naive_masl import NaiveMASL  # noqa: E402


def random_game(seed: int, n: int = 40, m: int = 4, k: int = 5) -> GameInstance:
    """A game with every corner case: non-players (θ = 0), θ = 1, infeasible servers."""
    rng = np.random.default_rng(seed)
    theta = np.round(rng.uniform(0.0, 1.0, n), 2)
    theta[:3] = [0.0, 1.0, 0.0]
    compute = rng.uniform(0.5, 5.0, (n, k))
    compute[rng.random((n, k)) < 0.3] = np.inf
    compute[np.isinf(compute).all(axis=1), 0] = 1.0  # everybody has a feasible server
    steps = np.where(np.isfinite(compute), 50, 0)
    return GameInstance(theta, rng.uniform(0.1, 3.0, (n, m)), compute, steps)


@pytest.mark.parametrize("sampling", ["active", "all"])
@pytest.mark.parametrize("rate", [0.05, 0.5, 1.0])
def test_naive_and_vectorised_masl_agree_bit_for_bit(rate: float, sampling: str) -> None:
    seeds = [3, 11, 12]
    games = [random_game(s) for s in seeds]
    naive = [NaiveMASL(g, rate, rate / 2, sampling=sampling) for g in games]
    activity_rngs = [stream(s, "activity") for s in seeds]
    learner_rngs = [stream(s, "learner") for s in seeds]
    if sampling == "active":
        for ref, rng in zip(naive, learner_rngs, strict=True):
            ref.first_actions(rng)
    compared = []

    def check(slot: Slot, profile: Profile, feedback: Feedback, learner: Learner) -> None:
        assert isinstance(learner, MASL)
        for j, ref in enumerate(naive):
            ap, server = ref.iteration(activity_rngs[j], learner_rngs[j])
            assert profile.ap[j].tolist() == ap
            assert profile.server[j].tolist() == server
            assert learner.probs_ap_[j].tolist() == ref.probs_ap
            assert learner.probs_server_[j].tolist() == ref.probs_server
            assert bool(learner.converged[j]) == ref.converged
        compared.append(slot.index)

    env = StaticEnvironment(stack_instances(games), SeedBatch.from_seeds(seeds, "activity"))
    # the naive reference writes the O9 normalisers out (MASL's default is start-quantile)
    learner = MASL(
        learning_rate_ap=rate, learning_rate_server=rate / 2, sampling=sampling, normaliser="o9"
    )
    run_loop(env, learner, SeedBatch.from_seeds(seeds, "learner"), 300, callback=check)
    assert len(compared) == 300
    # the strategies really moved (the comparison is not between two untouched uniforms)
    assert np.abs(learner.probs_ap_ - 0.25).max() > 0.2
