"""``br``'s incremental moves (numba kernel) equal the full recomputation, move for move.

The numpy form of :class:`jcaco.learners.best_response.BestResponse` recomputes every user's
best response before each move; the compiled form keeps them up to date incrementally. On
random games (infeasible servers, θ of 0 and 1, integer-tick times that make ties common, games
that change every slot, batched seeds, one generator or a seed batch) both must give the same
profile after every slot, the same move counts and flags, and leave the generator in the same
state.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pytest

from jcaco import kernels
from jcaco.learners import best_response
from jcaco.learners.best_response import BestResponse
from jcaco.learners.views import build_setup, build_view
from jcaco.model.instance import GameInstance
from jcaco.rng import SeedBatch, stream

KERNEL = kernels.load("jcaco.learners._best_response_numba")
pytestmark = pytest.mark.skipif(KERNEL is None, reason="numba not installed")
#: Users per block of the kernel's certificates (a test game spans several).
BLOCK = getattr(KERNEL, "BLOCK", 512)


@pytest.fixture(autouse=True)
def _incremental_at_every_move_count(monkeypatch: pytest.MonkeyPatch) -> None:
    """The kernel makes the moves however few there are (the default leaves one or two
    moves per slot to the numpy form on the compiled best responses)."""
    monkeypatch.setattr(best_response, "INCREMENTAL_FROM_MOVES", 1)


def _game(rng: np.random.Generator, shape: tuple[int, int, int, int], ticks: bool) -> GameInstance:
    """A batch of random games: θ in {0, 0.3, 0.7, 1}, ~25 % infeasible servers."""
    seeds, users, aps, servers = shape
    theta = rng.choice([0.0, 0.3, 0.7, 1.0], (seeds, users))
    tx = rng.uniform(0.1, 3.0, (seeds, users, aps))
    compute = rng.uniform(0.5, 3.0, (seeds, users, servers))
    if ticks:  # few distinct values: exact ties between resources and between users
        tx, compute = np.ceil(tx * 2) / 2, np.ceil(compute * 2) / 2
    compute[rng.random(compute.shape) < 0.25] = np.inf
    feasible = rng.integers(0, servers, (seeds, users))
    compute[np.arange(seeds)[:, None], np.arange(users), feasible] = 1.0
    steps = np.where(np.isfinite(compute), 10, 0).astype(np.int64)
    return GameInstance(theta=theta, tx_time_s=tx, compute_time_s=compute, steps=steps)


def _slots(case: int, num_slots: int, moving_times: bool, users: int = 0):
    """The games and activities of ``num_slots`` slots of one random case."""
    rng = stream(case, "scenario")
    shape = (
        1 + case % 3,
        users or int(rng.integers(2, 40)),
        int(rng.integers(1, 5)),
        int(rng.integers(1, 5)),
    )
    ticks = case % 2 == 0
    first = _game(rng, shape, ticks)
    games = [first]
    for _ in range(num_slots - 1):
        if moving_times:  # a new draw of the times (feasibility may change too)
            again = _game(rng, shape, ticks)
            games.append(
                GameInstance(first.theta, again.tx_time_s, again.compute_time_s, again.steps)
            )
        else:
            games.append(first)
    actives = [rng.random(first.theta.shape) < first.theta for _ in range(num_slots)]
    return games, actives


def _run(
    engine: str,
    case: int,
    learner: BestResponse,
    num_slots: int,
    moving_times: bool,
    users: int = 0,
):
    games, actives = _slots(case, num_slots, moving_times, users)
    seeds = games[0].theta.shape[0]
    rng = (
        stream(case, "learner")
        if case % 4 == 1
        else SeedBatch.from_seeds(list(range(case, case + seeds)), "learner")
    )
    info = learner.declares()
    record: list[Any] = []
    with kernels.use(engine):  # type: ignore[arg-type]
        learner.reset(build_setup(info, games[0]), rng)
        previous = None
        for t, (game, active) in enumerate(zip(games, actives, strict=True)):
            view = build_view(
                info,
                slot=t,
                game=game,
                mean_tx_time_s=functools.partial(getattr, game, "tx_time_s"),
                active=active,
                weight=np.where(active, 1.0, 0.0) if case % 5 else game.theta,
                previous=previous,
            )
            profile = learner.act(view)
            record.append(
                (
                    profile.ap.copy(),
                    profile.server.copy(),
                    learner.moves_.copy(),
                    learner.converged_.copy(),
                )
            )
            previous = profile
    record.append(rng.random((seeds, 2)))  # the generator's state after the run
    return record


@pytest.mark.parametrize("moves_per_slot", [1, 3, 40])
@pytest.mark.parametrize("moving_times", [False, True])
def test_incremental_equals_full_recomputation(moves_per_slot: int, moving_times: bool) -> None:
    for case in range(30):
        runs = []
        for engine in ("numpy", "numba"):
            learner = BestResponse(
                start="greedy" if case % 3 == 2 else "random",
                moves_per_slot=moves_per_slot,
                activity="own" if case % 7 == 3 else "all",
            )
            runs.append(_run(engine, case, learner, 6, moving_times))
        for slot, (full, incremental) in enumerate(zip(*runs, strict=True)):
            for part, (a, b) in enumerate(zip(full, incremental, strict=True)):
                assert np.array_equal(a, b), (case, slot, part)


@pytest.mark.parametrize("moves_per_slot", [1, 2])
def test_few_moves_on_compiled_best_responses(
    monkeypatch: pytest.MonkeyPatch, moves_per_slot: int
) -> None:
    """With the default threshold one or two moves per slot run the numpy form, whose best
    responses are then compiled (:mod:`jcaco.game._resource_numba`): the same slots."""
    monkeypatch.setattr(best_response, "INCREMENTAL_FROM_MOVES", 3)
    for case in range(20):
        runs = [
            _run(engine, case, BestResponse(moves_per_slot=moves_per_slot), 6, case % 2 == 0)
            for engine in ("numpy", "numba")
        ]
        for full, compiled in zip(*runs, strict=True):
            for a, b in zip(full, compiled, strict=True):
                assert np.array_equal(a, b), case


@pytest.mark.parametrize("case", [101, 102, 103, 104])
def test_many_blocks_to_equilibrium(case: int) -> None:
    """Games of several blocks of users (the kernel's per-block certificates), many moves per
    slot, until nobody can improve: the same profiles, counts and flags."""
    users = 3 * BLOCK + 77
    runs = [
        _run(engine, case, BestResponse(moves_per_slot=3_000), 3, case % 2 == 0, users)
        for engine in ("numpy", "numba")
    ]
    assert runs[0][-2][3].all()  # converged in the last slot
    for full, incremental in zip(*runs, strict=True):
        for a, b in zip(full, incremental, strict=True):
            assert np.array_equal(a, b), case


@pytest.mark.parametrize("case", [106, 107])
def test_loads_shifted_across_many_blocks(case: int) -> None:
    """Eight blocks run to an equilibrium (with integer-tick times when the case is even): the
    loads after each move come from the shifted running sums of the later blocks
    (``learners._br_loads_numba``), so every move and flag must still be the full form's."""
    users = 8 * BLOCK + 5
    runs = [
        _run(engine, case, BestResponse(moves_per_slot=3_500), 2, False, users)
        for engine in ("numpy", "numba")
    ]
    assert runs[0][-2][3].all()  # converged in the last slot
    for full, incremental in zip(*runs, strict=True):
        for a, b in zip(full, incremental, strict=True):
            assert np.array_equal(a, b), case


def test_long_runs_reach_the_same_equilibrium() -> None:
    """Many moves in one slot on small games: the same profiles."""
    for case in (101, 102, 103):
        runs = [
            _run(engine, case, BestResponse(moves_per_slot=5_000), 2, False)
            for engine in ("numpy", "numba")
        ]
        for full, incremental in zip(*runs, strict=True):
            for a, b in zip(full, incremental, strict=True):
                assert np.array_equal(a, b), case


def test_draws_in_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """The uniforms drawn in blocks of a few moves are the ones drawn move by move."""
    monkeypatch.setattr(best_response, "DRAW_BLOCK", 7)
    for case in (5, 6, 7, 8):  # one generator (case % 4 == 1) and seed batches
        runs = [_run(engine, case, BestResponse(moves_per_slot=40), 4, True) for engine in
                ("numpy", "numba")]  # fmt: skip
        for full, incremental in zip(*runs, strict=True):
            for a, b in zip(full, incremental, strict=True):
                assert np.array_equal(a, b), case
