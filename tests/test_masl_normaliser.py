"""MASL's normaliser family: each constant bounds what it claims (by enumeration on a small
game), ``o9`` is unchanged, and the rule that picks the default picks what it names."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from jcaco.learners.masl import MASL
from jcaco.learners.masl.normalisers import normaliser_constants
from jcaco.learners.views import build_setup
from jcaco.model.instance import GameInstance, add_batch_axis
from jcaco.rng import stream
from jcaco.studies.masl_normaliser import CandidateRow, Choice, choices_of, clipped, pick

INF = np.inf


def small_game() -> GameInstance:
    """3 users, 2 APs, 3 servers (user 2 cannot use server 0)."""
    theta = np.array([0.9, 0.5, 0.3])
    tx = np.array([[1.0, 2.0], [3.0, 0.5], [2.0, 4.0]])
    cp = np.array([[2.0, 1.0, 5.0], [1.5, 3.0, 2.0], [INF, 6.0, 1.0]])
    steps = np.where(np.isfinite(cp), 10, 0)
    return add_batch_axis(GameInstance(theta, tx, cp, steps))


def _setup(game: GameInstance, normaliser: str = "o9"):  # type: ignore[no-untyped-def]
    return build_setup(MASL(normaliser=normaliser).declares(), game)  # type: ignore[arg-type]


def _largest_loads(
    game: GameInstance, signal: str
) -> list[tuple[float, float, float]]:  # (probability, largest AP load, largest server load)
    """Every (activity, profile) with its probability under the uniform start (33)."""
    theta = game.theta[0]
    times = (game.tx_time_s[0], game.compute_time_s[0])
    options = [[list(np.flatnonzero(np.isfinite(t[i]))) for i in range(3)] for t in times]
    out = []
    activities = itertools.product((0, 1), repeat=3) if signal == "measured" else [(1, 1, 1)]
    for active in activities:
        p_active = np.prod([th if a else 1 - th for th, a in zip(theta, active, strict=True)])
        if signal == "expected":
            p_active, weight = 1.0, theta
        else:
            weight = np.array(active, dtype=float)
        for ap in itertools.product(*options[0]):
            for server in itertools.product(*options[1]):
                p = p_active / np.prod([len(o) for o in options[0]])
                p /= np.prod([len(o) for o in options[1]])
                largest = []
                for t, choice in zip(times, (ap, server), strict=True):
                    load = np.zeros(t.shape[1])
                    for i, r in enumerate(choice):
                        load[r] += weight[i] * t[i, r]
                    largest.append(load.max())
                out.append((float(p), largest[0], largest[1]))
    return out


@pytest.mark.parametrize("signal", ["expected", "measured"])
def test_o9_and_worst_resource_bound_every_profile(signal: str) -> None:
    game = small_game()
    setup = _setup(game)
    o9 = normaliser_constants(setup, "o9", signal, 0.01)
    worst = normaliser_constants(setup, "worst-resource", signal, 0.01)
    cases = _largest_loads(game, signal)
    for subgame in (0, 1):
        largest = max(case[1 + subgame] for case in cases)
        # worst-resource is the largest load of any profile, exactly; o9 is above it
        assert worst[subgame][0, 0] == pytest.approx(largest)
        assert o9[subgame][0, 0] >= largest


@pytest.mark.parametrize("signal", ["expected", "measured"])
@pytest.mark.parametrize("delta", [0.2, 0.5, 0.9])
def test_start_quantile_is_exceeded_with_probability_at_most_delta(
    signal: str, delta: float
) -> None:
    game = small_game()
    bound = normaliser_constants(_setup(game), "start-quantile", signal, delta)
    worst = normaliser_constants(_setup(game), "worst-resource", signal, delta)
    cases = _largest_loads(game, signal)
    assert sum(case[0] for case in cases) == pytest.approx(1.0)
    for subgame in (0, 1):
        exceeded = sum(p for p, *largest in cases if largest[subgame] > bound[subgame][0, 0])
        assert exceeded <= delta
        assert bound[subgame][0, 0] <= worst[subgame][0, 0]


def test_start_quantile_is_below_worst_resource_at_a_larger_game() -> None:
    rng = stream(3, "scenario")
    theta = rng.uniform(0.5, 0.9, 40)
    game = add_batch_axis(
        GameInstance(
            theta, rng.uniform(1, 5, (40, 5)), rng.uniform(1, 5, (40, 5)), np.ones((40, 5), int)
        )
    )
    setup = _setup(game)
    quantile = normaliser_constants(setup, "start-quantile", "expected", 0.01)
    worst = normaliser_constants(setup, "worst-resource", "expected", 0.01)
    o9 = normaliser_constants(setup, "o9", "expected", 0.01)
    for subgame in (0, 1):
        assert quantile[subgame][0, 0] < worst[subgame][0, 0] <= o9[subgame][0, 0]


def test_o9_per_user_scale_and_price_keep_their_constants() -> None:
    """``o9`` and ``per-user`` as before (the announcements, N times the own worst time);
    ``scale`` and ``price`` multiply."""
    game = small_game()
    rng = stream(0, "learner")
    masl = MASL(normaliser="o9")
    masl.reset(_setup(game), rng)
    notes = _setup(game).announcements
    assert np.array_equal(masl.max_ap_delay_s_, notes.expected_max_ap_load_s)
    assert np.array_equal(masl.max_server_delay_s_, notes.expected_max_server_load_s)
    assert masl.max_ap_delay_s_[0, 0] == pytest.approx(0.9 * 2 + 0.5 * 3 + 0.3 * 4)
    per_user = MASL(normaliser="per-user")
    per_user.reset(_setup(game, "per-user"), rng)
    assert np.array_equal(per_user.max_ap_delay_s_, 3 * np.array([[2.0, 3.0, 4.0]]))
    scaled = MASL(normaliser="o9", scale=0.5, price=True)
    scaled.reset(_setup(game), rng)
    assert np.array_equal(scaled.max_ap_delay_s_, notes.expected_max_ap_load_s)  # 0.5 * 2
    with pytest.raises(ValueError, match="scale must be > 0"):
        MASL(scale=0.0).reset(_setup(game), rng)
    with pytest.raises(ValueError, match=r"delta must be \(0, 1\)"):
        MASL(delta=1.0).reset(_setup(game), rng)


def test_clipped_counts_the_updating_users_above_the_constant() -> None:
    delay = np.array([[1.0, 5.0, 9.0, 11.0]])
    updating = np.array([[True, True, False, True]])
    assert clipped(delay, np.array([[8.0]]), updating) == (1, 3)
    assert clipped(delay, np.array([[0.5, 6.0, 1.0, 12.0]]), updating) == (1, 3)


def _row(candidate: str, config: str, ratio: float, delays: np.ndarray, bound: float):  # type: ignore[no-untyped-def]
    """A table row whose clipped share is that of ``delays`` under ``bound``."""
    count, total = clipped(delays[None, :], np.array([[bound]]), np.ones((1, delays.size), bool))
    return CandidateRow(candidate, config, bound, bound, ratio, count / total, 0.0, {})


LABELS = ("loose", "tight", "tighter")


def test_rule_picks_the_tightest_member_that_clips_at_most_one_percent() -> None:
    """On the delays 1, 2, ..., 100 s: 100 clips none, 99.5 clips 1% (one delay) and 98.5
    clips 2%; so the rule picks 99.5, the tightest that clips at most 1%. In a second
    configuration where 99.5 clips 2%, it no longer qualifies and the rule picks 100."""
    delays = np.arange(1.0, 101.0)
    rows = [
        _row("loose", "a", 1.0, delays, 100.0),
        _row("tight", "a", 0.995, delays, 99.5),
        _row("tighter", "a", 0.985, delays, 98.5),
    ]
    assert [c.clipped_share for c in choices_of(rows, LABELS)] == [0.0, 0.01, 0.02]
    assert pick(choices_of(rows, LABELS)).candidate == "tight"
    rows.append(_row("tight", "b", 0.995, delays, 98.5))
    assert pick(choices_of(rows, LABELS)).candidate == "loose"


def test_rule_falls_back_to_the_least_clipping_member() -> None:
    choices = [Choice("a", 1.0, 0.03), Choice("b", 0.5, 0.02)]
    assert pick(choices).candidate == "b"


def test_choices_of_uses_the_studys_members() -> None:
    rows = [
        CandidateRow("o9", "a", 1.0, 1.0, 1.0, 0.0, 0.0, {}),
        CandidateRow("worst-resource", "a", 1.0, 1.0, 0.9, 0.005, 0.0, {}),
        CandidateRow("worst-resource", "b", 1.0, 1.0, 0.7, 0.02, 0.0, {}),
    ]
    choices = choices_of(rows)
    assert [(c.candidate, c.ratio_to_o9, c.clipped_share) for c in choices] == [
        ("o9", 1.0, 0.0),
        ("worst-resource", pytest.approx(0.8), 0.02),
    ]
    assert pick(choices).candidate == "o9"
