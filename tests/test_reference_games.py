"""Hand-solved 2-user games (tests/reference/*.json): the library must agree with the working.

Each file holds a ``jcaco.instance/1`` document, the hand computation as text, the expected
loads (27)–(28), payoffs (24), conditional service times, objective (15) and Nash gap of one
or two profiles, and the full list of pure equilibria.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from jcaco.game import metrics
from jcaco.game.equilibria import pure_equilibria
from jcaco.game.profile import Profile
from jcaco.model.build import instance_to_dict
from jcaco.model.files import load_game
from jcaco.model.instance import GameInstance

REFERENCE = Path(__file__).parent / "reference"
FILES = sorted(REFERENCE.glob("*.json"))


def _load(path: Path, tmp_path: Path) -> tuple[dict[str, Any], GameInstance]:
    doc = json.loads(path.read_text())
    instance_file = tmp_path / "instance.json"
    instance_file.write_text(json.dumps(doc["instance"]))
    return doc, load_game(instance_file)


def test_there_are_the_three_kinds() -> None:
    docs = [json.loads(p.read_text()) for p in FILES]
    thetas = [d["instance"]["activity"] for d in docs]
    assert any(all(t in (0.0, 1.0) for t in theta) for theta in thetas)
    assert any(any(0 < t < 1 for t in theta) for theta in thetas)
    assert any(any(s is None for row in d["instance"]["steps"] for s in row) for d in docs)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_profiles_match_hand_solution(path: Path, tmp_path: Path) -> None:
    doc, game = _load(path, tmp_path)
    for expected in doc["profiles"]:
        profile = Profile(np.array(expected["ap"]), np.array(expected["server"]))
        ap_load, server_load = metrics.expected_loads(game, profile)
        np.testing.assert_allclose(ap_load, expected["ap_load_s"], atol=1e-12)
        np.testing.assert_allclose(server_load, expected["server_load_s"], atol=1e-12)
        ev = metrics.evaluate(game, profile)
        np.testing.assert_allclose(ev.expected_cost_s, expected["expected_cost_s"], atol=1e-12)
        np.testing.assert_allclose(
            ev.expected_service_time_s, expected["expected_service_time_s"], atol=1e-12
        )
        assert ev.expected_total_service_time_s == pytest.approx(
            expected["expected_total_service_time_s"], abs=1e-12
        )
        assert ev.nash_gap_s == pytest.approx(expected["nash_gap_s"], abs=1e-12)
        assert ev.is_nash is expected["is_nash"]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_equilibria_match_hand_solution(path: Path, tmp_path: Path) -> None:
    doc, game = _load(path, tmp_path)
    found = {(tuple(p.ap.tolist()), tuple(p.server.tolist())) for p in pure_equilibria(game)}
    expected = {(tuple(e["ap"]), tuple(e["server"])) for e in doc["pure_equilibria"]}
    assert found == expected
    for ap, server in expected:
        assert bool(metrics.is_nash(game, Profile(np.array(ap), np.array(server))))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_instance_round_trip_keeps_nulls(path: Path, tmp_path: Path) -> None:
    doc, game = _load(path, tmp_path)
    again = instance_to_dict(game)
    for key in ("activity", "tx_time_s", "steps", "compute_time_s"):
        assert again[key] == doc["instance"][key]
