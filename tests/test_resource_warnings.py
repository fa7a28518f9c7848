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


def test_nash_gaps_of_a_user_with_no_finite_option_is_zero_without_a_warning() -> None:
    """The same inf - inf in :func:`nash_gaps`: no warning, and the user that cannot move has
    gap 0, as its gain in :func:`best_responses` (it was NaN, which made the game's Nash gap
    NaN); the others' gaps follow the docstring's formula."""
    inf = np.inf
    w = np.array([[1.0, inf], [inf, inf], [2.0, 0.5]])
    choice = np.array([0, 1, 0])
    players = np.ones(3, dtype=bool)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gaps = nash_gaps(w, choice, players)
        with_theta = nash_gaps(w, choice, players, theta=np.ones(3))
    assert gaps.tolist() == [0.0, 0.0, 0.0] and with_theta.tolist() == [0.0, 0.0, 0.0]
    # user 0 on resource 1, infeasible for it: it gains inf by leaving (a finite option);
    # user 1 still cannot move
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gaps = nash_gaps(w, np.array([1, 1, 0]), players)
    assert gaps.tolist() == [np.inf, 0.0, 0.0]


def test_the_nash_gap_of_a_game_with_a_user_no_server_can_serve_is_not_nan() -> None:
    """Through :func:`jcaco.game.metrics.nash_gap` (what a hand-built GameInstance's solve
    reports; files and networks refuse such a user): the other users' gaps decide."""
    from jcaco.game.metrics import nash_gap
    from jcaco.game.profile import Profile
    from jcaco.model.instance import GameInstance

    inf = np.inf
    game = GameInstance(
        theta=np.array([0.5, 0.5, 0.5]),
        tx_time_s=np.array([[1.0, 2.0], [1.0, 2.0], [2.0, 1.0]]),
        compute_time_s=np.array([[1.0, 3.0], [inf, inf], [2.0, 1.0]]),
        steps=np.array([[5, 5], [0, 0], [5, 5]]),
    )
    profile = Profile(ap=np.array([0, 0, 1]), server=np.array([0, 1, 0]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gap = nash_gap(game, profile)
    # AP 0 carries 1.0 s (users 0 and 1), AP 1 0.5 s; server 0 1.5 s, server 1 inf (user 1):
    # no move of user 0 or 2 gains, and user 1 has none, so no player can improve
    assert gap == 0.0
