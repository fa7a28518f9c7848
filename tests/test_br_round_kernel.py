"""``br-round``'s compiled round and check equal the numpy forms, to the bit.

:func:`jcaco.learners.best_response_round.round_and_settle` (the round, then the check) on random
batches (integer-tick weights that make ties common, infeasible resources, users sitting on
them so that loads reach inf and NaN, non-players, partial movers, random orders), and the
whole learner slot by slot with every option (``start``, ``activity``, ``channel``), one
generator or a seed batch: the same profiles, move counts, flags and generator state.
"""

from __future__ import annotations

import numpy as np
import pytest

from jcaco import kernels
from jcaco.learners.best_response_round import BestResponseRound, round_and_settle
from jcaco.rng import stream
from test_br_incremental import _run

pytestmark = pytest.mark.skipif(
    kernels.load("jcaco.learners._best_response_round_numba") is None,
    reason="numba not installed",
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
            results.append(round_and_settle(w, choice, movers, order, players))
    assert np.array_equal(choice, before)  # not modified
    for a, b in zip(*results, strict=True):
        assert a.dtype == b.dtype and np.array_equal(a, b), case


def test_infeasible_seat_reaches_nan_loads() -> None:
    """Two users on an infeasible resource: the first to leave makes its load inf - inf =
    NaN, and numpy's argmin then picks that resource for the next user (no move)."""
    w = np.array([[[np.inf, 1.0], [np.inf, 2.0], [np.inf, 5.0]]])
    choice = np.zeros((1, 3), dtype=np.int64)
    movers = np.ones((1, 3), dtype=bool)
    order = np.array([[0, 1, 2]])
    results = []
    for engine in ("numpy", "numba"):
        with kernels.use(engine), np.errstate(invalid="ignore"):
            results.append(round_and_settle(w, choice, movers, order, movers))
    assert np.array_equal(results[0][0], [[1, 0, 0]]) and results[0][1].tolist() == [1]
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
