"""``jcaco analyze`` and ``jcaco solve --algorithm optimum``, library and command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jcaco.game import metrics
from jcaco.jobs.analyze import PRICED, analyze
from jcaco.learners.registry import LEARNERS
from jcaco.model.files import load_game


def _reject(name: str) -> None:
    raise AssertionError(f"non-standard JSON constant {name}")


@pytest.fixture
def scenario(tmp_path: Path, jcaco) -> Path:
    path = tmp_path / "scenario.json"
    args = ["--preset", "small", "--users", "6", "--aps", "3", "--servers", "3"]
    assert jcaco("generate", *args, "--seed", "4", "-o", path).code == 0
    return path


def test_analyze_library_ratios(scenario: Path) -> None:
    game = load_game(scenario)
    got = analyze(game, seed=2, iterations=800, algorithms=["br", "raro", "optimum"])
    assert got.optimum.proven and got.bounds.proven
    assert 1.0 - 1e-9 <= got.price_of_stability <= got.price_of_anarchy
    names = [a.name for a in got.algorithms]
    assert names == ["br", "raro", "optimum"]
    by_name = {a.name: a for a in got.algorithms}
    assert by_name["optimum"].ratio == pytest.approx(1.0)
    assert all(a.ratio >= 1.0 - 1e-9 for a in got.algorithms)
    # br ends at an equilibrium, so it lies between the best and the worst one
    assert by_name["br"].is_nash
    assert got.bounds.best_s - 1e-9 <= by_name["br"].total_s <= got.bounds.worst_s + 1e-9
    total = metrics.expected_total_service_time(game, got.optimum.profile)
    assert float(total) == pytest.approx(got.optimum.objective_s)


def test_cli_analyze_json_end_to_end(jcaco, scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / "analysis.json"
    result = jcaco("analyze", scenario, "--json", "--seed", "1", "--iterations", "500", "-o", out)
    assert result.code == 0, result.err
    doc = json.loads(result.out, parse_constant=_reject)  # strict JSON: no Infinity/NaN
    assert doc == json.loads(out.read_text())
    assert doc["schema"] == "jcaco.analysis/1"
    assert [a["algorithm"] for a in doc["algorithms"]] == [*LEARNERS, *PRICED]
    opt = doc["optimum"]["objective_s"]
    assert doc["optimum"]["proven"] and doc["optimum"]["lower_bound_s"] <= opt + 1e-12
    for a in doc["algorithms"]:
        assert a["expected_total_service_time_s"] >= opt * (1 - 1e-9), a["algorithm"]
    eq = doc["equilibria"]
    assert eq["price_of_stability"] == pytest.approx(eq["best_s"] / opt)
    assert eq["price_of_anarchy"] == pytest.approx(eq["worst_s"] / opt)
    table = jcaco("analyze", scenario, "--iterations", "200", "--algorithms", "selfish,br")
    assert table.code == 0 and "price of anarchy" in table.out and "selfish" in table.out


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["--time-limit", "0"], "--time-limit"),
        (["--algorithms", "br,nope"], "--algorithms"),
        (["--iterations", "0"], "--iterations"),
        (["--seed", "-1"], "--seed"),
    ],
)
def test_cli_analyze_bad_flags(jcaco, scenario: Path, args: list[str], flag: str) -> None:
    result = jcaco("analyze", scenario, *args)
    assert result.code == 2
    assert flag in result.err and len(result.err.strip().splitlines()) == 1


def test_cli_solve_optimum(jcaco, scenario: Path) -> None:
    result = jcaco("solve", scenario, "--algorithm", "optimum", "--json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    game = load_game(scenario)
    got = analyze(game, algorithms=[])
    assert doc["algorithm"] == "optimum" and doc["iterations"] == 1 and doc["converged"]
    assert doc["expected_total_service_time_s"] == pytest.approx(got.optimum.objective_s)


def test_analyze_has_no_wall_clock_limit_by_default(jcaco, scenario: Path) -> None:
    """Node limits only: two runs give the same JSON (wall times aside), under any load; the
    progress goes to standard error, one line per step."""
    args = ("analyze", scenario, "--json", "--iterations", "300", "--algorithms", "br,masl")
    first, second = jcaco(*args), jcaco(*args)
    assert first.code == second.code == 0, first.err
    progress = first.err.strip().splitlines()
    assert len(progress) == 4 and all(line.startswith("jcaco analyze: [") for line in progress)

    def without_walls(doc: dict) -> dict:
        return json.loads(json.dumps(doc).replace('"wall_time_s"', '"_"'), object_hook=_no_wall)

    a, b = json.loads(first.out), json.loads(second.out)
    assert a["limits"] == {"node_limit": 1000, "time_limit_s": None}
    assert a["proven"] and set(a["relations"].values()) == {"="}
    assert without_walls(a) == without_walls(b)


def _no_wall(doc: dict) -> dict:
    doc.pop("_", None)
    return doc


def test_an_unproven_analysis_says_so(jcaco, tmp_path: Path) -> None:
    """A node limit of 1 stops the equilibria's MILPs on 20 users (the same on any machine):
    the table and the JSON say "not proven" and give the bounds' directions."""
    path = tmp_path / "net.json"
    args = ("--users", "20", "--aps", "4", "--servers", "4", "--seed", "0")
    assert jcaco("generate", *args, "-o", path).code == 0
    args = ("analyze", path, "--iterations", "50", "--algorithms", "br", "--node-limit", "1")
    doc = json.loads(jcaco(*args, "--json").out)
    assert doc["proven"] is False and doc["equilibria"]["proven"] is False
    relations = doc["relations"]
    assert relations["worst_equilibrium"] == relations["price_of_anarchy"] == ">="
    assert relations["best_equilibrium"] == "<="
    table = jcaco(*args)
    assert table.code == 0 and "NOT PROVEN" in table.out and ">= " in table.out


def test_analysis_relations_follow_what_is_proven(scenario: Path) -> None:
    from dataclasses import replace

    got = analyze(load_game(scenario), iterations=100, algorithms=["br"])
    assert got.proven and got.relations()["price_of_stability"] == "="
    unproven_eq = replace(got, bounds=replace(got.bounds, proven=False))
    assert unproven_eq.relations()["price_of_stability"] == "<="
    assert unproven_eq.relations()["price_of_anarchy"] == ">="
    unproven_opt = replace(got, optimum=replace(got.optimum, proven=False))
    assert unproven_opt.relations()["price_of_stability"] == ">="
    both = replace(unproven_opt, bounds=unproven_eq.bounds)
    assert both.relations()["price_of_stability"] == "not proven"
