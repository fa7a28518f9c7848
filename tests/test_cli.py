"""The command line end to end: generate -> instance -> solve -> evaluate, list, schema, a real
``python -m jcaco`` process, atomic writes and TOML scenarios (docs/formats.md,
docs/architecture.md)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import numpy as np
import pytest

from jcaco.io.files import write_json
from jcaco.learners.registry import LEARNERS
from jcaco.model.files import load_game
from jcaco.scenario.generator import PRESETS

RESULT_FIELDS = {
    "schema",
    "algorithm",
    "seed",
    "version",
    "ap",
    "server",
    "steps",
    "expected_cost_s",
    "expected_service_time_s",
    "expected_total_service_time_s",
    "nash_gap_s",
    "is_nash",
    "iterations",
    "converged",
    "wall_time_s",
}


@pytest.fixture
def files(tmp_path: Path, jcaco) -> dict[str, Path]:
    """A small generated scenario and its instance, written by the CLI."""
    scenario = tmp_path / "scenario.json"
    instance = tmp_path / "instance.json"
    args = ["--preset", "small", "--users", "4", "--aps", "2", "--servers", "3"]
    assert jcaco("generate", *args, "--seed", "3", "-o", scenario).code == 0
    assert jcaco("instance", scenario, "-o", instance).code == 0
    return {"scenario": scenario, "instance": instance}


def _schema(jcaco, kind: str) -> dict:
    result = jcaco("schema", kind)
    assert result.code == 0 and result.err == ""
    return json.loads(result.out)


def test_generate_writes_a_valid_deterministic_scenario(jcaco, files, tmp_path: Path) -> None:
    doc = json.loads(files["scenario"].read_text())
    jsonschema.validate(doc, _schema(jcaco, "scenario"))
    assert len(doc["users"]) == 4 and len(doc["aps"]) == 2 and len(doc["servers"]) == 3
    args = ["generate", "--preset", "small", "--users", "4", "--aps", "2", "--servers", "3"]
    again = jcaco(*args, "--seed", "3")
    assert again.code == 0 and json.loads(again.out) == doc
    other = jcaco(*args, "--seed", "4")
    assert json.loads(other.out)["users"] != doc["users"]


def test_instance_is_valid_and_loads(jcaco, files) -> None:
    doc = json.loads(files["instance"].read_text())
    jsonschema.validate(doc, _schema(jcaco, "instance"))
    game = load_game(files["instance"])
    assert game.tx_time_s.shape == (4, 2) and game.compute_time_s.shape == (4, 3)
    np.testing.assert_array_equal(game.theta, doc["activity"])


def test_solve_json_has_every_result_field_and_validates(jcaco, files) -> None:
    result = jcaco("solve", files["instance"], "--algorithm", "br", "--seed", "2", "--json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert RESULT_FIELDS <= set(doc)
    jsonschema.validate(doc, _schema(jcaco, "result"))
    assert doc["schema"] == "jcaco.result/1" and doc["algorithm"] == "br" and doc["seed"] == 2
    assert len(doc["ap"]) == len(doc["server"]) == len(doc["steps"]) == 4
    assert doc["is_nash"] is True and doc["nash_gap_s"] == 0.0 and doc["converged"] is True
    assert doc["expected_total_service_time_s"] == pytest.approx(
        sum(
            theta * u
            for theta, u in zip(
                json.loads(files["instance"].read_text())["activity"],
                doc["expected_service_time_s"],
                strict=True,
            )
        )
    )


def test_solve_scenario_equals_solve_instance(jcaco, files) -> None:
    a = json.loads(jcaco("solve", files["scenario"], "-a", "br", "--json").out)
    b = json.loads(jcaco("solve", files["instance"], "-a", "br", "--json").out)
    for key in ("ap", "server", "steps", "expected_total_service_time_s", "nash_gap_s"):
        assert a[key] == b[key]


def test_solve_table(jcaco, files) -> None:
    result = jcaco("solve", files["instance"], "-a", "masl", "--learning-rate", "0.2")
    assert result.code == 0, result.err
    assert "expected total service time (15)" in result.out and "is_nash" in result.out
    assert len([line for line in result.out.splitlines() if "│" in line]) == 4  # one row a user


@pytest.mark.parametrize("columns", ["80", "100", "200"])
def test_the_table_footer_is_two_whole_lines_at_any_width(
    jcaco, files, monkeypatch: pytest.MonkeyPatch, columns: str
) -> None:
    """As README shows it; one long line was cut by the terminal's width (at 100 columns
    after "iterations: 5")."""
    monkeypatch.setenv("COLUMNS", columns)
    lines = jcaco("solve", files["instance"], "-a", "br").out.splitlines()
    assert lines[-2].startswith("expected total service time (15): ")
    assert lines[-2].rstrip().endswith(("is_nash: True", "is_nash: False"))
    assert re.fullmatch(r"iterations: \d+   converged: \w+   wall: [\d.]+ s", lines[-1].strip())


def test_a_summary_table_off_a_terminal_is_printed_whole(
    jcaco, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Off a terminal rich assumed 80 columns and cut the summary's cells ("27088.0…");
    without COLUMNS set, tables are printed whole."""
    monkeypatch.delenv("COLUMNS", raising=False)
    net = tmp_path / "net.json"
    big = ("--set", "content_bytes=1e9", "--set", "capacity_flops=1e11")  # times of 10^3 s
    assert jcaco("generate", "--users", "60", "--seed", "2", *big, "-o", net).code == 0
    result = jcaco("solve", net, "-a", "selfish")
    assert result.code == 0 and "a summary" in result.out
    assert "…" not in result.out and "│ E[U|active] s " in result.out


def test_solve_output_file(jcaco, files, tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    result = jcaco("solve", files["instance"], "-a", "raro", "--json", "-o", out)
    assert result.code == 0
    assert json.loads(out.read_text()) == json.loads(result.out)


def test_evaluate_round_trip(jcaco, files, tmp_path: Path) -> None:
    solved = json.loads(jcaco("solve", files["instance"], "-a", "br", "--json").out)
    assignment = tmp_path / "assignment.json"
    assignment.write_text(json.dumps({"ap": solved["ap"], "server": solved["server"]}))
    result = jcaco("evaluate", files["instance"], "--assignment", assignment, "--json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    jsonschema.validate(doc, _schema(jcaco, "result"))
    assert doc["algorithm"] == "given" and doc["seed"] is None
    for key in ("steps", "expected_cost_s", "expected_total_service_time_s", "is_nash"):
        assert doc[key] == solved[key]
    # more steps than needed: same AP/server, slower computation, larger objective
    more = [s + 10 for s in solved["steps"]]
    assignment.write_text(
        json.dumps({"ap": solved["ap"], "server": solved["server"], "steps": more})
    )
    slower = json.loads(
        jcaco("evaluate", files["instance"], "--assignment", assignment, "--json").out
    )
    assert slower["steps"] == more
    assert slower["expected_total_service_time_s"] > solved["expected_total_service_time_s"]
    table = jcaco("evaluate", files["scenario"], "--assignment", assignment)
    assert table.code == 0 and "jcaco given" in table.out
    assert "seed None" not in table.out  # an assignment has no seed


def test_list_names_every_algorithm_and_preset(jcaco) -> None:
    result = jcaco("list")
    assert result.code == 0
    for name in [*LEARNERS, *PRESETS]:
        assert f"  {name} " in result.out


def test_help_shows_each_command_with_a_whole_phrase(jcaco) -> None:
    """Each line of ``jcaco --help``'s command list is a whole phrase or ends in "...": click
    cuts a docstring at its first ". ", which left ``reproduce  Run the paper's experiments
    (Figs.``."""
    result = jcaco("--help")
    assert result.code == 0
    commands = result.out.split("Commands:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert len(commands) >= 10
    for line in commands:
        assert line.endswith("...") or line.count("(") == line.count(")"), line


@pytest.mark.parametrize("kind", ["scenario", "instance", "result"])
def test_schema_is_a_json_schema(jcaco, kind: str) -> None:
    schema = _schema(jcaco, kind)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"]["schema"]["const"] == f"jcaco.{kind}/1"
    assert schema["additionalProperties"] is False


def test_python_dash_m_subprocess(files) -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "jcaco", "solve", str(files["instance"]), "-a", "br", "--json"],
        capture_output=True,
        text=True,
        timeout=900,  # a hang guard only: generous, so that load never trips it
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["is_nash"] is True
    bad = subprocess.run(
        [sys.executable, "-m", "jcaco", "solve", str(files["instance"]), "-a", "nope"],
        capture_output=True,
        text=True,
        timeout=900,  # a hang guard only: generous, so that load never trips it
    )
    assert bad.returncode == 2 and bad.stdout == ""
    assert len(bad.stderr.splitlines()) == 1 and "Traceback" not in bad.stderr
    assert "nope" in bad.stderr and "masl" in bad.stderr


def test_write_json_is_atomic(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    write_json(target, {"a": 1})
    before = target.read_bytes()
    with pytest.raises(TypeError):
        write_json(target, {"a": 2, "b": object()})  # fails midway through serialising
    with pytest.raises(ValueError):
        write_json(target, {"a": 2, "b": float("nan")})
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]  # no temporary left behind


def test_failed_command_leaves_existing_output_intact(jcaco, files, tmp_path: Path) -> None:
    out = tmp_path / "keep.json"
    out.write_text('{"keep": true}\n')
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema": "jcaco.scenario/1", "aps": []}')
    assert jcaco("instance", broken, "-o", out).code == 2
    assert out.read_text() == '{"keep": true}\n'
    assert jcaco("instance", files["scenario"], "-o", out).code == 0  # overwriting is fine
    assert json.loads(out.read_text())["schema"] == "jcaco.instance/1"


TOML_SCENARIO = """\
schema = "jcaco.scenario/1"
area_m = 200.0

[radio]
path_loss_exponent = 4.0
noise_dbm_per_hz = -174.0
tx_power_w = 0.2
min_distance_m = 1.0

[aec]
form = "exponential"
max_steps = 1000

[[aps]]
x_m = 50.0
y_m = 100.0
bandwidth_hz = 5e6

[[aps]]
x_m = 150.0
y_m = 100.0
bandwidth_hz = 8e6

[[servers]]
name = "small"
capacity_flops = 4e12
flops_per_step = 2e11
scale = 0.8

[[users]]
x_m = 20.0
y_m = 30.0
activity = 0.7
content_bytes = 6e6
max_error = 0.03
fitness = [0.1]

[[users]]
x_m = 180.0
y_m = 160.0
activity = 1.0
content_bytes = 3e6
max_error = 0.02
fitness = [0.08]
"""


def test_toml_scenario_loads_like_json(jcaco, tmp_path: Path) -> None:
    import tomllib

    toml_file = tmp_path / "net.toml"
    toml_file.write_text(TOML_SCENARIO)
    json_file = tmp_path / "net.json"
    json_file.write_text(json.dumps(tomllib.loads(TOML_SCENARIO)))
    a, b = load_game(toml_file), load_game(json_file)
    np.testing.assert_array_equal(a.tx_time_s, b.tx_time_s)
    np.testing.assert_array_equal(a.steps, b.steps)
    # 0.8 e^{-0.1 s} <= 0.03 -> s = ceil(ln(26.67)/0.1) = 33
    assert a.steps[0, 0] == 33
    result = jcaco("solve", toml_file, "-a", "br", "--json")
    assert result.code == 0 and json.loads(result.out)["is_nash"] is True
