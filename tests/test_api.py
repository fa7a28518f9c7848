"""The top-level API (``jcaco.solve`` ...) returns the same numbers as the command line, and
``import jcaco`` imports neither the API nor PettingZoo until asked (issue 9)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

import jcaco
from jcaco.errors import InputError
from jcaco.scenario.network import network_to_dict
from jcaco.sim.dynamics import DynamicsConfig

SAME = ("ap", "server", "steps", "expected_total_service_time_s", "nash_gap_s", "iterations")


@pytest.fixture
def run(jcaco):  # the in-process CLI runner (conftest), named apart from the package
    return jcaco


@pytest.fixture
def net(tmp_path: Path, run) -> Path:
    path = tmp_path / "net.json"
    args = ("generate", "--users", "6", "--aps", "2", "--servers", "3", "--seed", "3", "-o", path)
    assert run(*args).code == 0
    return path


def test_import_is_lazy() -> None:
    code = "import sys, jcaco; print('jcaco.api' in sys.modules, 'pettingzoo' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
    assert set(jcaco.__all__) <= set(dir(jcaco))
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        jcaco.nope  # noqa: B018


def test_generate_matches_the_cli(net: Path) -> None:
    doc = json.loads(net.read_text())
    doc.pop("meta")
    mine = network_to_dict(jcaco.generate(users=6, aps=2, servers=3, seed=3))
    mine.pop("meta", None)
    assert json.loads(json.dumps(mine)) == doc
    assert jcaco.load(net).num_users == 6


def test_generate_with_the_catalog_matches_the_cli(tmp_path: Path, run) -> None:
    """``catalog``/``models`` are ``--catalog``/``--models`` (issue 21: the CLI calls the API)."""
    path = tmp_path / "cat.json"
    models = "ddim-cifar10,ddpm-cifar10"
    args = ("generate", "--users", "5", "--seed", "4", "--catalog", "--models", models)
    assert run(*args, "-o", path).code == 0
    doc = json.loads(path.read_text())
    doc.pop("meta")
    net = jcaco.generate(users=5, seed=4, catalog=True, models=["ddim-cifar10", "ddpm-cifar10"])
    mine = network_to_dict(net)
    mine.pop("meta", None)
    assert json.loads(json.dumps(mine)) == doc
    plain = network_to_dict(jcaco.generate(users=5, seed=4))
    plain.pop("meta", None)
    assert json.loads(json.dumps(plain)) != doc  # the catalog's servers, not the preset's
    with pytest.raises(InputError, match="needs --catalog"):
        jcaco.generate(users=5, models=["ddim-cifar10"])


@pytest.mark.parametrize("algorithm", ["br", "masl"])
def test_solve_matches_the_cli(net: Path, run, algorithm: str) -> None:
    cli = run("solve", net, "-a", algorithm, "--seed", "2", "--iterations", "500", "--json")
    ours = jcaco.solve(net, algorithm, seed=2, iterations=500).to_dict()
    from_network = jcaco.solve(jcaco.generate(users=6, aps=2, servers=3, seed=3), algorithm,
                               seed=2, iterations=500).to_dict()  # fmt: skip
    theirs = json.loads(cli.out)
    for key in SAME:
        assert ours[key] == theirs[key] == from_network[key], key


def test_evaluate_matches_the_cli(net: Path, run, tmp_path: Path) -> None:
    assignment = {"ap": [0, 1, 0, 1, 0, 1], "server": [0, 1, 2, 0, 1, 2]}
    path = tmp_path / "a.json"
    path.write_text(json.dumps(assignment))
    theirs = json.loads(run("evaluate", net, "--assignment", path, "--json").out)
    for ours in (jcaco.evaluate(net, assignment), jcaco.evaluate(net, path)):
        doc = ours.to_dict()
        assert all(doc[key] == theirs[key] for key in SAME)


def test_simulate_matches_the_cli(net: Path, run, tmp_path: Path) -> None:
    args = ("simulate", net, "-a", "masl", "--slots", "40", "--seed", "5", "--no-mobility")
    assert run(*args, "-o", tmp_path / "sim").code == 0
    theirs = pq.read_table(tmp_path / "sim" / "trace.parquet")
    ours = jcaco.simulate(net, "masl", seed=5, slots=40, dynamics=DynamicsConfig(mobility=False))
    column = np.asarray(theirs.column("total_service_time_s"))
    assert np.array_equal(ours.total_service_time_s[:, 0], column)
    both = jcaco.simulate(net, "masl", seed=[5, 6], slots=40,
                          dynamics=DynamicsConfig(mobility=False))  # fmt: skip
    assert np.array_equal(both.total_service_time_s[:, 0], column)


def test_simulate_refuses_a_game_and_says_what_it_needs(net: Path) -> None:
    """``jcaco.load`` gives the game, which has no positions to move: simulate says so (it
    failed deep in pathlib, ``expected str, bytes or os.PathLike object``)."""
    with pytest.raises(TypeError, match="a Network .* or a scenario file name, not a Game"):
        jcaco.simulate(jcaco.load(net), "br", slots=5)


def test_analyze_matches_the_cli(net: Path, run) -> None:
    args = ("--algorithms", "br,selfish", "--iterations", "300", "--json")
    theirs = json.loads(run("analyze", net, *args).out)
    ours = jcaco.analyze(net, algorithms=["br", "selfish"], iterations=300).to_dict()
    assert ours["optimum"]["objective_s"] == pytest.approx(theirs["optimum"]["objective_s"])
    for a, b in zip(ours["algorithms"], theirs["algorithms"], strict=True):
        assert a["algorithm"] == b["algorithm"]
        assert a["expected_total_service_time_s"] == b["expected_total_service_time_s"]


def test_drop_infeasible_matches_the_cli(tmp_path: Path, run) -> None:
    """``drop_infeasible`` on the API is ``--drop-infeasible``: the command passes the file
    and the flag to :func:`jcaco.solve` and :func:`jcaco.analyze`, it loads nothing itself."""
    from jcaco.errors import InfeasibleError

    doc = network_to_dict(jcaco.generate(users=4, aps=2, servers=2, seed=5))
    doc["users"][1]["max_error"] = 1e-6  # 0.9 e^{-0.01 s} <= 1e-6 needs > max_steps
    doc["users"][1]["fitness"] = [0.01, 0.01]
    path = tmp_path / "hard.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(InfeasibleError, match=r"users\[1\]\.max_error"):
        jcaco.solve(path, "br")
    with pytest.warns(UserWarning, match=r"dropping 1 user\(s\) no server can serve: \[1\]"):
        ours = jcaco.solve(path, "br", drop_infeasible=True).to_dict()
        analysis = jcaco.analyze(path, algorithms=["br"], drop_infeasible=True).to_dict()
    theirs = json.loads(run("solve", path, "-a", "br", "--drop-infeasible", "--json").out)
    assert len(ours["ap"]) == 3
    assert {k: ours[k] for k in SAME} == {k: theirs[k] for k in SAME}
    cli = json.loads(run("analyze", path, "--algorithms", "br", "--drop-infeasible", "--json").out)
    assert analysis["optimum"]["objective_s"] == pytest.approx(cli["optimum"]["objective_s"])


@pytest.mark.parametrize("command", ["generate", "solve", "analyze"])
def test_every_command_that_writes_a_file_says_so(net: Path, run, tmp_path: Path, command):
    """``-o FILE`` is confirmed with one ``wrote FILE`` line on standard error (solve and
    analyze wrote silently, unlike generate and instance), never mixed into the output."""
    out = tmp_path / "out.json"
    args = {
        "generate": ("generate", "--users", "4", "--aps", "2", "--servers", "2"),
        "solve": ("solve", net, "-a", "br", "--json"),
        "analyze": ("analyze", net, "--algorithms", "br", "--iterations", "50", "--json"),
    }[command]
    result = run(*args, "-o", out)
    assert result.code == 0 and out.is_file()
    assert result.err.splitlines()[-1] == f"wrote {out}"
    if command != "generate":
        assert json.loads(result.out) == json.loads(out.read_text())


def test_a_game_with_a_user_no_server_can_serve_is_refused(net: Path) -> None:
    """A hand-built game is checked as an instance file is: a user whose every server is
    infeasible (compute time inf) has no finite cost, and the result was NaN."""
    from dataclasses import replace

    from jcaco.errors import InfeasibleError

    game = jcaco.load(net)
    compute = game.compute_time_s.copy()
    compute[2] = np.inf
    steps = game.steps.copy()
    steps[2] = 0
    bad = replace(game, compute_time_s=compute, steps=steps)
    for run_it in (lambda: jcaco.solve(bad, "br"), lambda: jcaco.analyze(bad, algorithms=["br"])):
        with pytest.raises(InfeasibleError, match=r"steps\[2\]: no server is feasible"):
            run_it()
    assert jcaco.solve(game, "br").evaluation.is_nash  # the game itself runs


def test_a_saved_result_is_scored_again(net: Path, run, tmp_path: Path) -> None:
    """``jcaco evaluate --assignment RESULT.json`` scores a saved ``jcaco.result/1`` (its ap,
    server and steps): the same numbers as the solve that wrote it; a bad field of the result
    is named with the file, in one line."""
    saved = tmp_path / "r.json"
    assert run("solve", net, "-a", "br", "--json", "-o", saved).code == 0
    doc = json.loads(saved.read_text())
    again = json.loads(run("evaluate", net, "--assignment", saved, "--json").out)
    from_api = jcaco.evaluate(net, doc).to_dict()
    for key in ("ap", "server", "steps", "expected_total_service_time_s", "nash_gap_s"):
        assert again[key] == doc[key] == from_api[key], key
    doc["server"][1] = -1
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    result = run("evaluate", net, "--assignment", bad)
    assert result.code == 2 and result.err.count("\n") == 1
    assert result.err.startswith(f"jcaco: error: {bad}: server[1]")
