"""``game.dynamics.sequential_best_response`` equals an independent oracle bit for bit.

The oracle (this file) is the dynamics' original form: one numpy step per position in the order
of play, all seeds at once. The implementation plays each seed's moves in plain Python (numpy
engine) or in the compiled kernel (numba engine); both engines run (``bench_engines``). Same
random order, same moves, same loads.
"""

from __future__ import annotations

import numpy as np
import pytest

from bench_engines import engine  # noqa: F401 (autouse: with and without numba)
from jcaco.game import resource
from jcaco.game.dynamics import DynamicsOutcome, greedy_profile, sequential_best_response
from jcaco.rng import RandomSource, SeedBatch, stream
from jcaco.types import BoolArray, FloatArray, IntArray


def _reference_move_one(
    w: FloatArray, choice: IntArray, load: FloatArray, user: IntArray, valid: BoolArray, atol: float
) -> BoolArray:
    """Let ``user[s]`` (where ``valid[s]``) best-respond in place; return who moved."""
    seeds = np.arange(w.shape[0])
    row = w[seeds, user]  # [seeds, resources]
    current = choice[seeds, user]
    own = row[seeds, current]
    cost = load + row
    cost[seeds, current] -= own  # staying costs the current load
    best = np.argmin(cost, axis=1)
    moved = valid & (cost[seeds, current] - cost[seeds, best] > atol)
    s = seeds[moved]
    load[s, current[moved]] -= own[moved]
    load[s, best[moved]] += row[s, best[moved]]
    choice[s, user[moved]] = best[moved]
    return moved


def reference_sequential_best_response(
    w: FloatArray,
    choice: IntArray,
    rng: RandomSource,
    *,
    max_rounds: int = 50,
    atol: float = resource.DEFAULT_ATOL_S,
) -> DynamicsOutcome:
    """Oracle: the dynamics as first written, vectorised over the seeds (the p-th mover of every
    seed moves in one numpy step), to check the one implementation with both engines."""
    choice = choice.copy()
    num_seeds = w.shape[0]
    load = resource.loads(w, choice)
    rounds = np.zeros(num_seeds, dtype=np.int64)
    moves = np.zeros(num_seeds, dtype=np.int64)
    converged = np.zeros(num_seeds, dtype=bool)
    # One random priority per user and call, drawn for every seed whatever it needs, so a
    # seed draws the same numbers in a batch as alone (its rounds reuse this random order).
    priority = rng.random((num_seeds, w.shape[1]))  # [seeds, users]
    for _ in range(max_rounds):
        _, gain = resource.best_responses(w, choice, load, atol)
        candidates = gain > 0  # [seeds, users]
        converged = np.asarray(~candidates.any(axis=1))
        if converged.all():
            break
        rounds += ~converged
        # Random order of the candidates, per seed, padded with -1: sort random keys.
        keys = np.where(candidates, priority, np.inf)
        order = np.argsort(keys, axis=1)[:, : int(candidates.sum(axis=1).max())]
        valid_all = np.take_along_axis(candidates, order, axis=1)
        for p in range(order.shape[1]):
            moves += _reference_move_one(w, choice, load, order[:, p], valid_all[:, p], atol)
        # Float drift in the incremental loads: refresh once per round.
        load = resource.loads(w, choice)
    else:
        _, gain = resource.best_responses(w, choice, load, atol)
        converged = np.asarray(~(gain > 0).any(axis=1))
    return DynamicsOutcome(choice, rounds, moves, converged)


def random_weights(seed: int, s: int, n: int, r: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    time = rng.uniform(0.1, 3.0, (s, n, r))
    time[rng.random(time.shape) < 0.2] = np.inf
    time[..., 0] = rng.uniform(0.1, 3.0, (s, n))  # one feasible resource at least
    theta = np.where(rng.random((s, n)) < 0.1, 0.0, np.round(rng.random((s, n)), 2))
    return resource.player_weights(time, theta)


@pytest.mark.parametrize(
    ("s", "n", "r", "rounds"), [(1, 200, 10, 50), (4, 60, 3, 50), (3, 80, 5, 2)]
)
def test_sequential_best_response_matches_reference(s: int, n: int, r: int, rounds: int) -> None:
    w = random_weights(s * n + r, s, n, r)
    start_rng = np.random.default_rng(s)
    keys = np.where(np.isfinite(w), start_rng.random(w.shape), -1.0)
    start = np.argmax(keys, axis=-1)
    seeds = list(range(s))
    got = sequential_best_response(
        w, start, SeedBatch.from_seeds(seeds, "learner"), max_rounds=rounds
    )
    want = reference_sequential_best_response(
        w, start, SeedBatch.from_seeds(seeds, "learner"), max_rounds=rounds
    )
    np.testing.assert_array_equal(got.choice, want.choice)
    np.testing.assert_array_equal(got.rounds, want.rounds)
    np.testing.assert_array_equal(got.moves, want.moves)
    np.testing.assert_array_equal(got.converged, want.converged)
    assert got.moves.min() > 0  # the dynamics really moved


def test_single_generator_and_batch_agree() -> None:
    w = random_weights(7, 1, 150, 6)
    start = np.zeros((1, 150), dtype=np.int64)
    a = sequential_best_response(w, start, stream(3, "learner"))
    b = reference_sequential_best_response(w, start, stream(3, "learner"))
    np.testing.assert_array_equal(a.choice, b.choice)
    assert bool(a.converged[0])


def reference_greedy_profile(w: FloatArray, order: IntArray, allowed: BoolArray) -> IntArray:
    num_seeds, num_users, num_resources = w.shape
    seeds = np.arange(num_seeds)
    load = np.zeros((num_seeds, num_resources))
    choice = np.zeros((num_seeds, num_users), dtype=np.int64)
    for p in range(num_users):
        user = order[:, p]
        row = w[seeds, user]
        best = np.argmin(np.where(allowed[seeds, user], load + row, np.inf), axis=1)
        choice[seeds, user] = best
        load[seeds, best] += row[seeds, best]
    return choice


@pytest.mark.parametrize(("s", "n", "r"), [(1, 300, 10), (5, 40, 3)])
def test_greedy_profile_matches_reference(s: int, n: int, r: int) -> None:
    w = random_weights(s + n, s, n, r)
    allowed = np.isfinite(w) | (w == 0)
    allowed[..., 0] = True
    order = np.argsort(np.random.default_rng(n).random((s, n)), axis=1)
    got = greedy_profile(w, order, allowed)
    np.testing.assert_array_equal(got, reference_greedy_profile(w, order, allowed))
    assert np.take_along_axis(allowed, got[..., None], axis=-1).all()
    assert len(np.unique(got)) > 1
