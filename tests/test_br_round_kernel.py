"""``br-round``'s compiled round and the compiled best responses equal the numpy forms, to the bit.

:func:`jcaco.game.dynamics.best_response_round`, :func:`jcaco.game.resource.best_responses`
(loads summed afresh or given) and ``br-round``'s check :func:`settled` on random
batches (integer-tick weights that make ties common, infeasible resources, users sitting on
them so that loads reach inf and NaN, non-players, partial movers, random orders), and the
whole learner slot by slot with every option (``start``, ``activity``, ``channel``), one
generator or a seed batch: the same profiles, move counts, flags and generator state.
"""

from __future__ import annotations

import numpy as np
import pytest

from jcaco import kernels
from jcaco.game import resource
from jcaco.game.dynamics import best_response_round
from jcaco.learners.best_response_round import BestResponseRound, settled
from jcaco.rng import stream
from test_br_incremental import _run

pytestmark = pytest.mark.skipif(
    kernels.load("jcaco.game._br_numba") is None, reason="numba not installed"
)


def _batch(case: int) -> tuple[np.ndarray, ...]:
    """Weights ``(S, N, R)``, a profile, movers, players and an order of turns."""
    rng = stream(case, "scenario")
    seeds, users, resources = (
        int(rng.integers(1, 5)),
        int(rng.integers(1, 40)),
        int(rng.integers(1, 6)),
    )
    w = rng.uniform(0.1, 3.0, (seeds, users, resources))
    if case % 2 == 0:  # few distinct values: exact ties
        w = np.ceil(w * 2) / 2
    w[rng.random(w.shape) < 0.2] = np.inf
    w[rng.random((seeds, users)) < 0.15] = 0.0  # non-players: zero rows
    choice = rng.integers(0, resources, (seeds, users))
    movers = rng.random((seeds, users)) < (0.5 if case % 3 == 0 else 1.0)
    players = (w > 0).any(axis=-1) & (rng.random((seeds, users)) < 0.9)
    order = np.argsort(rng.random((seeds, users)), axis=-1, kind="stable")
    return w, choice, movers, players, order


@pytest.mark.parametrize("case", range(60))
def test_round_and_check_equal_numpy(case: int) -> None:
    w, choice, movers, players, order = _batch(case)
    before = choice.copy()
    results = []
    for engine in ("numpy", "numba"):
        with kernels.use(engine), np.errstate(invalid="ignore"):
            after, moves = best_response_round(w, choice, movers, order)
            load = resource.loads(w, after)
            results.append(
                (
                    after,
                    moves,
                    settled(w, after, players),
                    *resource.best_responses(w, choice),
                    *resource.best_responses(w, after, load),
                    *resource.best_responses(w, after, load + 0.25, atol=0.5),
                )
            )
    assert np.array_equal(choice, before)  # not modified
    for a, b in zip(*results, strict=True):
        assert a.dtype == b.dtype and np.array_equal(a, b), case


def test_infeasible_seat_reaches_nan_loads() -> None:
    """Users 0 and 1 sit on resource 1, infeasible for both: when user 0 leaves, its load is
    inf - inf = NaN. User 2 (on resource 2) then finds resource 0 cheaper, but numpy's argmin
    picks the NaN of resource 1 first, so it stays; user 1's stay costs NaN, it stays too."""
    w = np.array([[[1.0, np.inf, 9.0], [np.inf, np.inf, 5.0], [2.0, 0.1, 4.0]]])
    choice = np.array([[1, 1, 2]])
    movers = np.ones((1, 3), dtype=bool)
    order = np.array([[0, 2, 1]])
    results = []
    for engine in ("numpy", "numba"):
        with kernels.use(engine), np.errstate(invalid="ignore"):
            results.append(best_response_round(w, choice, movers, order))
    assert np.array_equal(results[0][0], [[0, 1, 2]]) and results[0][1].tolist() == [1]
    for a, b in zip(*results, strict=True):
        assert np.array_equal(a, b)


@pytest.mark.filterwarnings("ignore:invalid value encountered in subtract:RuntimeWarning")
@pytest.mark.parametrize("moving_times", [False, True])
def test_learner_equals_numpy_slot_by_slot(moving_times: bool) -> None:
    for case in range(24):
        runs = [
            _run(
                engine,
                case,
                BestResponseRound(  # type: ignore[arg-type]
                    start="greedy" if case % 3 == 2 else "random",
                    activity="own" if case % 7 == 3 else "all",
                    channel="mean" if case % 4 == 2 else "all",
                ),
                6,
                moving_times,
            )
            for engine in ("numpy", "numba")
        ]
        assert len(runs[0]) == 7
        for slot, (full, compiled) in enumerate(zip(*runs, strict=True)):
            for part, (a, b) in enumerate(zip(full, compiled, strict=True)):
                assert np.array_equal(a, b), (case, slot, part)
