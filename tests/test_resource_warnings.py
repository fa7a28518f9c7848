"""A user with no finite option (on an infeasible resource, every other one infeasible too)
keeps its choice with gain 0 and no RuntimeWarning (inf - inf); pyproject.toml makes any
RuntimeWarning from jcaco.game.resource an error in the whole suite."""

from __future__ import annotations

import warnings

import numpy as np

from jcaco.game.resource import best_responses, loads, nash_gaps


def test_a_user_with_no_finite_option_keeps_its_choice_without_a_warning() -> None:
    inf = np.inf
    w = np.array([[1.0, inf], [inf, inf], [2.0, 0.5]])  # user 1: both resources infeasible
    choice = np.array([0, 1, 0])
    load = loads(w, choice)
    assert np.isinf(load[1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        best, gain = best_responses(w, choice, load)
    # user 1 has nowhere finite to go; users 0 and 2 would join the inf load: nobody moves
    assert best.tolist() == [0, 1, 0] and gain.tolist() == [0.0, 0.0, 0.0]


def test_nash_gaps_of_a_user_with_no_finite_option_warns_no_more() -> None:
    """The same inf - inf in :func:`nash_gaps`: silenced, its value unchanged (the gap of
    such a player stays NaN, as it was before the warning was silenced)."""
    inf = np.inf
    w = np.array([[1.0, inf], [inf, inf], [2.0, 0.5]])
    choice = np.array([0, 1, 0])
    players = np.ones(3, dtype=bool)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gaps = nash_gaps(w, choice, players)
    with np.errstate(all="ignore"):  # the formula of the docstring, column by column
        load = loads(w, choice)
        expected = np.maximum(load[choice] - (load[None, :] + w).min(axis=-1), 0.0)
    assert np.array_equal(gaps, expected, equal_nan=True)
    assert np.isnan(gaps[1]) and gaps[[0, 2]].tolist() == [0.0, 0.0]
