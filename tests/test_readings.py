"""Readings as data, parameter specs in ``jcaco list``, and the ``br-round`` reading."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from jcaco.game.profile import Profile
from jcaco.learners.best_response_round import BestResponseRound, best_response_round
from jcaco.learners.information import Information
from jcaco.learners.params import RANGES, Interval, param_specs
from jcaco.learners.registry import LEARNERS
from jcaco.learners.views import build_setup, build_view
from jcaco.model.instance import GameInstance, add_batch_axis
from jcaco.rng import SeedBatch, stream
from jcaco.sim.loop import StaticEnvironment, run_loop


def test_list_json_carries_readings_and_parameter_specs(jcaco) -> None:  # type: ignore[no-untyped-def]
    result = jcaco("list", "--json")
    assert result.code == 0
    doc = json.loads(result.out)
    algorithms = {a["name"]: a for a in doc["algorithms"]}
    for name in ("br", "br-round", "br-sync"):
        reading = algorithms[name]["reading"]
        assert reading["group"] == "br" and reading["name"] == name
        assert any("each active UE adjusts its strategy" in s for s in reading["sentences"])
    assert algorithms["br"]["reading"]["default"] is True
    assert algorithms["br-round"]["role"] == "variant"
    assert algorithms["selfish"]["reading"] is None
    masl = algorithms["masl"]
    assert masl["reading"]["group"] == "masl-normaliser"
    assert any("over the considered learning horizon" in s for s in masl["reading"]["sentences"])
    params = {p["name"]: p for p in masl["parameters"]}
    assert masl["params"] == list(params)  # the former list of names, kept
    assert params["learning_rate_ap"] == {
        "name": "learning_rate_ap",
        "default": 0.01,
        "type": "float",
        "allowed": "(0, 1]",
    }
    assert params["normaliser"]["type"] == "choice"
    assert params["normaliser"]["default"] == masl["reading"]["name"]
    assert "start-quantile" in params["normaliser"]["choices"]
    assert params["price"]["allowed"] == "true | false"
    groups = [r for r in doc["readings"] if r["group"] == "masl-normaliser"]
    assert {r["name"] for r in groups} == set(params["normaliser"]["choices"])
    assert sum(r["default"] for r in groups) == 1
    assert sum(r["default"] for r in doc["readings"] if r["group"] == "br") == 1


def test_list_table_shows_defaults_types_and_ranges(jcaco) -> None:  # type: ignore[no-untyped-def]
    out = jcaco("list").out
    assert "br-round" in out and "br: br-round" in out
    line = next(ln for ln in out.splitlines() if ln.strip().startswith("moves_per_slot"))
    assert line.split() == ["moves_per_slot", "int", "1", "integer", ">=", "1"]


def _game() -> GameInstance:
    theta = np.array([0.9, 0.5, 0.3])
    tx = np.array([[1.0, 0.5], [2.0, 2.0], [2.0, 2.0]])
    cp = np.ones((3, 2))
    return add_batch_axis(GameInstance(theta, tx, cp, np.ones((3, 2), dtype=int)))


def _outside(interval: Interval, params: dict) -> list[float]:  # type: ignore[type-arg]
    """Values just outside ``interval`` (``params``: the learner's defaults)."""
    out = []
    if interval.low != -math.inf:
        out.append(interval.low if interval.low_open else interval.low - 1)
    high = params[interval.high] if isinstance(interval.high, str) else interval.high
    if high != math.inf:
        out.append(high if interval.high_open else high * 2 + 1)
    if interval.integer:
        out.append(interval.low + 1.5)
    return out


@pytest.mark.parametrize("name", sorted(RANGES))
def test_each_range_is_the_one_the_learner_checks(name: str) -> None:
    """Every default lies in its range, and a value just outside it is refused by reset."""
    cls = LEARNERS[name]
    defaults = cls().get_params()
    specs = [s for s in param_specs(cls) if s.interval is not None]
    assert {s.name for s in specs} == set(RANGES[name])
    for spec in specs:
        assert spec.interval is not None and spec.interval.holds(spec.default, defaults)
        for value in _outside(spec.interval, defaults):
            learner = cls(**{spec.name: value})
            setup = build_setup(learner.declares(), _game())
            with pytest.raises(ValueError, match=spec.name):
                learner.reset(setup, stream(0, "learner"))


def test_literal_choices_are_the_options_allowed() -> None:
    specs = {s.name: s for s in param_specs(LEARNERS["br-round"])}
    assert specs["activity"].choices == ("all", "own")
    with pytest.raises(ValueError, match="activity"):
        BestResponseRound(activity="none").reset(  # type: ignore[arg-type]
            build_setup(Information("all", "all", "actions"), _game()), stream(0, "learner")
        )


class _Order:
    """Stands in for the learner's generator: the priorities that order the turns."""

    def __init__(self, priority: list[float]):
        self.priority = np.array([priority])

    def random(self, shape: tuple[int, ...]) -> np.ndarray:
        assert shape == self.priority.shape
        return self.priority


def test_one_round_per_slot_is_the_hand_computed_sequence() -> None:
    """Users 0 (A), 1 (B), 2 (C) on two APs, weights A (1, 0.5), B (2, 2), C (2, 2); start A on
    AP 0, B and C on AP 1 (loads 1 and 4). Order B, A, C: B moves to AP 0 (cost 4 -> 3; loads
    3, 2); A, who could not improve at the round's start (1 < 4.5), now can (3 -> 2.5) and
    moves to AP 1 (loads 2, 2.5); C stays (2.5 < 2 + 2). A round of
    ``sequential_best_response`` would not move A, who could not improve at its start."""
    w = np.array([[[1.0, 0.5], [2.0, 2.0], [2.0, 2.0]]])
    start = np.array([[0, 1, 1]])
    movers = np.ones((1, 3), dtype=bool)
    after, moves = best_response_round(w, start, movers, np.array([[1, 0, 2]]))
    assert after.tolist() == [[1, 0, 1]] and moves.tolist() == [2]
    # the same through the learner (every user active, so the weights are the times)
    game = add_batch_axis(
        GameInstance(np.ones(3), w[0], np.ones((3, 2)), np.ones((3, 2), dtype=int), meta={})
    )
    learner = BestResponseRound()
    info = learner.declares()
    learner.reset(build_setup(info, game), stream(0, "learner"))
    learner.last_ = Profile(start, np.zeros((1, 3), dtype=np.int64))
    learner.rng_ = _Order([0.5, 0.1, 0.9])  # type: ignore[assignment]  # order B, A, C
    view = build_view(
        info,
        slot=0,
        game=game,
        mean_tx_time_s=lambda: game.tx_time_s,
        active=np.ones((1, 3), dtype=bool),
        weight=np.ones((1, 3)),
        previous=None,
    )
    profile = learner.act(view)
    assert profile.ap.tolist() == [[1, 0, 1]]
    # servers: times 1, all on server 0 (loads 3, 0): B moves (3 -> 1), then A and C tie
    # (2 = 1 + 1) and keep theirs
    assert profile.server.tolist() == [[0, 1, 0]]
    assert learner.moves_.tolist() == [3]
    # an inactive user does not take its turn (A stays on AP 0)
    learner.last_ = Profile(start, np.zeros((1, 3), dtype=np.int64))
    view = build_view(
        info,
        slot=1,
        game=game,
        mean_tx_time_s=lambda: game.tx_time_s,
        active=np.array([[False, True, True]]),
        weight=np.array([[0.0, 1.0, 1.0]]),
        previous=None,
    )
    assert learner.act(view).ap.tolist() == [[0, 0, 1]]


def test_br_round_same_seed_same_actions_and_reaches_an_equilibrium() -> None:
    rng = stream(11, "scenario")
    num_users = 8
    theta = rng.uniform(0.4, 0.9, (2, num_users))
    game = GameInstance(
        theta,
        rng.uniform(1, 4, (2, num_users, 3)),
        rng.uniform(1, 4, (2, num_users, 3)),
        np.ones((2, num_users, 3), dtype=int),
    )
    runs = []
    for _ in range(2):
        env = StaticEnvironment(game, SeedBatch.from_seeds([0, 1], "activity"))
        outcome = run_loop(
            env, BestResponseRound(activity="own"), SeedBatch.from_seeds([0, 1], "learner"), 60
        )
        runs.append(outcome)
    assert np.array_equal(runs[0].profile.ap, runs[1].profile.ap)
    assert np.array_equal(runs[0].profile.server, runs[1].profile.server)
    assert runs[0].converged.all()  # the expected game (θ weights) is static: rounds end at an NE


@pytest.mark.parametrize("name", ["br", "br-round"])
@pytest.mark.parametrize(("option", "value"), [("activity", "bogus"), ("channel", "none")])
def test_a_level_best_response_lacks_is_refused_naming_its_own_choices(
    jcaco, name: str, option: str, value: str
) -> None:  # type: ignore[no-untyped-def]
    """Not the information axis's levels (``theta``, which br refuses anyway)."""
    allowed = {"activity": "all, own", "channel": "all, mean"}[option]
    with pytest.raises(ValueError, match=f"{option}: got '{value}'; allowed: {allowed}$"):
        LEARNERS[name](**{option: value}).declares()
