"""Every bad input gives exit status 2 and exactly one line on standard error that names the
file (or flag), the field and what is allowed, never a traceback (docs/architecture.md)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

SCENARIO: dict[str, Any] = {
    "schema": "jcaco.scenario/1",
    "area_m": 300.0,
    "aps": [
        {"x_m": 75.0, "y_m": 150.0, "bandwidth_hz": 5e6},
        {"x_m": 225.0, "y_m": 150.0, "bandwidth_hz": 4e6},
    ],
    "servers": [
        {"name": "a", "capacity_flops": 6e12, "flops_per_step": 3e11, "scale": 0.9},
        {"name": "b", "capacity_flops": 3e12, "flops_per_step": 1e11, "scale": 0.6},
    ],
    "users": [
        {
            "x_m": 10.0 + 90.0 * i,
            "y_m": 100.0,
            "activity": 0.6,
            "content_bytes": 4e6,
            "max_error": 0.03,
            "fitness": [0.1, 0.12],
        }
        for i in range(3)
    ],
}


def _mutated(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    doc = json.loads(json.dumps(SCENARIO))
    change(doc)
    return doc


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """``_set("aps.0.bandwidth_hz", 0)`` sets ``doc["aps"][0]["bandwidth_hz"] = 0``."""

    def change(doc: dict[str, Any]) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        node: Any = doc
        for p in parents:
            node = node[p]
        node[last] = value

    return change


def _delete(path: str) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        node: Any = doc
        for p in parents:
            node = node[p]
        del node[last]

    return change


def assert_one_line_error(result, *needles: str) -> None:
    assert result.code == 2, (result.code, result.err)
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert "Traceback" not in result.err and result.out == ""
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


# (id, scenario change, substrings of the message: field and what is allowed)
SCENARIO_CASES = [
    ("missing-field", _delete("aps.0.x_m"), ["aps[0].x_m", "is required"]),
    (
        "unknown-field",
        _set("aps.0.colour", "red"),
        ["aps[0].colour", "allowed: x_m, y_m, bandwidth_hz"],
    ),
    ("unknown-top-field", _set("seed", 3), ["seed", "not a known field; allowed: schema, area_m"]),
    ("wrong-schema", _set("schema", "jcaco.scenario/2"), ["schema", '"jcaco.scenario/1"']),
    ("no-schema", _delete("schema"), ["schema", '"jcaco.scenario/1"']),
    (
        "zero-bandwidth",
        _set("aps.1.bandwidth_hz", 0),
        ["aps[1].bandwidth_hz", "greater than or equal to 1"],
    ),
    (
        "negative-bandwidth",
        _set("aps.0.bandwidth_hz", -5e6),
        ["aps[0].bandwidth_hz", "greater than or equal to 1"],
    ),
    (
        "zero-capacity",
        _set("servers.1.capacity_flops", 0),
        ["servers[1].capacity_flops", "or equal to 1000"],
    ),
    (
        "negative-capacity",
        _set("servers.0.capacity_flops", -1.0),
        ["capacity_flops", "or equal to 1000"],
    ),
    (
        "zero-flops",
        _set("servers.0.flops_per_step", 0),
        ["servers[0].flops_per_step", "or equal to 1"],
    ),
    (
        "zero-power",
        _set("radio", {"tx_power_w": 0}),
        ["radio.tx_power_w", "greater than or equal to 1e-12"],
    ),
    (
        "negative-power",
        _set("radio", {"tx_power_w": -0.2}),
        ["radio.tx_power_w", "or equal to 1e-12"],
    ),
    ("zero-content", _set("users.2.content_bytes", 0), ["users[2].content_bytes", "than 0"]),
    ("negative-content", _set("users.0.content_bytes", -1e6), ["users[0].content_bytes", "0"]),
    (
        "activity-above-1",
        _set("users.1.activity", 1.5),
        ["users[1].activity", "less than or equal to 1"],
    ),
    (
        "activity-below-0",
        _set("users.1.activity", -0.1),
        ["users[1].activity", "greater than or equal to 0"],
    ),
    (
        "fitness-length",
        _set("users.1.fitness", [0.1]),
        ["users[1].fitness", "one value per server (2)"],
    ),
    ("outside-area", _set("users.0.x_m", 400.0), ["users[0].x_m", "[0, area_m=300]"]),
    ("no-aps", _set("aps", []), ["aps", "at least 1"]),
    ("string-number", _set("area_m", "big"), ["area_m", "number"]),
    ("bad-aec-form", _set("aec", {"form": "linear"}), ["aec.form", "'power' or 'power_floor'"]),
]


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    def run(doc: dict[str, Any] | str, name: str = "scenario.json") -> Path:
        path = tmp_path / name
        path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
        return path

    return run


@pytest.mark.parametrize(
    ("change", "needles"), [c[1:] for c in SCENARIO_CASES], ids=[c[0] for c in SCENARIO_CASES]
)
def test_bad_scenario_field(jcaco, write, change, needles) -> None:  # fmt: skip
    path = write(_mutated(change))
    for command in (["solve"], ["instance"]):
        assert_one_line_error(jcaco(*command, path), str(path), *needles)


@pytest.mark.parametrize(
    ("text", "needles"),
    [
        ('{"schema": "jcaco.scenario/1",', ["malformed JSON", "line 1"]),
        ("", ["malformed JSON"]),
        ("[1, 2]", ["top level must be an object"]),
        (json.dumps(SCENARIO).replace("5000000.0", "NaN", 1), ["aps[0].bandwidth_hz", "finite"]),
        (json.dumps(SCENARIO).replace("0.6,", "Infinity,", 1), ["users[0].activity", "finite"]),
        (json.dumps(SCENARIO).replace("300.0", "-Infinity", 1), ["area_m", "finite"]),
    ],
    ids=["truncated", "empty", "array", "nan", "infinity", "minus-infinity"],
)
def test_malformed_json(jcaco, write, text: str, needles: list[str]) -> None:
    path = write(text)
    assert_one_line_error(jcaco("solve", path), str(path), *needles)


@pytest.mark.parametrize(
    ("text", "needles"),
    [
        ('schema = "jcaco.scenario/1"\narea_m = \n', ["malformed TOML", "line 2"]),
        ('schema = "jcaco.scenario/1"\narea_m = nan\n', ["area_m", "finite"]),
        ('schema = "jcaco.scenario/1"\narea_m = 100.0\n', ["aps", "is required"]),
    ],
    ids=["syntax", "nan", "missing"],
)
def test_bad_toml(jcaco, write, text: str, needles: list[str]) -> None:
    path = write(text, "net.toml")
    assert_one_line_error(jcaco("solve", path), str(path), *needles)


INSTANCE: dict[str, Any] = {
    "schema": "jcaco.instance/1",
    "activity": [0.5, 1.0],
    "tx_time_s": [[1.0, 2.0], [2.0, 1.0]],
    "steps": [[10, None], [20, 30]],
    "compute_time_s": [[1.0, None], [2.0, 3.0]],
}


@pytest.mark.parametrize(
    ("change", "needles"),
    [
        (_set("tx_time_s.0.1", 0.0), ["tx_time_s[0][1]", "greater than 0"]),
        (_set("activity.1", 2.0), ["activity[1]", "less than or equal to 1"]),
        (_set("steps.1.0", 0), ["steps[1][0]", "greater than or equal to 1"]),
        (_set("compute_time_s.0.1", 1.0), ["compute_time_s[0][1]", "null exactly where steps"]),
        (_set("tx_time_s", [[1.0, 2.0]]), ["tx_time_s", "one row per user (2)"]),
        (
            lambda d: (_set("steps.0", [None, None])(d), _set("compute_time_s.0", [None, None])(d)),
            ["steps[0]", "at least one non-null"],
        ),
    ],
    ids=["zero-time", "activity", "zero-steps", "null-mismatch", "rows", "no-feasible-server"],
)
def test_bad_instance(jcaco, write, change, needles: list[str]) -> None:
    doc = json.loads(json.dumps(INSTANCE))
    change(doc)
    path = write(doc, "instance.json")
    assert_one_line_error(jcaco("solve", path), str(path), *needles)


def test_nonexistent_file(jcaco, tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    for args in (
        ["solve", missing],
        ["instance", missing],
        ["evaluate", missing, "--assignment", missing],
    ):
        assert_one_line_error(jcaco(*args), str(missing), "file not found")  # fmt: skip


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (
            ["-a", "nope"],
            ["algorithm", "'nope'", "allowed: bandit, br, br-oracle, br-round, br-sync", "masl"],
        ),
        (["-a", "masl", "--param", "foo=1"], ["param", "'foo'", "allowed: learning_rate_ap"]),
        (["-a", "masl", "--param", "learning_rate_ap=5"], ["learning_rate_ap", "(0, 1]"]),
        (["-a", "masl", "--param", "learning_rate_ap=abc"], ["learning_rate_ap", "'abc'"]),
        (["-a", "masl", "--param", "oops"], ["--param", "name=value"]),
        (["-a", "masl", "--learning-rate", "2"], ["--learning-rate", "(0, 1]"]),
        (["-a", "br", "--learning-rate", "0.1"], ["--learning-rate", "masl"]),
        (["-a", "br", "--iterations", "0"], ["--iterations", ">= 1"]),
        (["-a", "br", "--seed", "-1"], ["seed", "non-negative"]),
        (["-a", "br", "--seed", "x"], ["--seed", "integer"]),
    ],
    ids=["algorithm", "param", "param-range", "param-type", "param-form", "lr", "lr-not-masl",
         "iterations", "seed", "seed-type"],
)  # fmt: skip
def test_bad_solve_flags(jcaco, write, args: list[str], needles: list[str]) -> None:
    assert_one_line_error(jcaco("solve", write(SCENARIO), *args), *needles)


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["--preset", "nope"], ["--preset", "allowed: paper"]),
        (["--users", "0"], ["--users: must be an integer >= 1, got 0"]),
        (["--aps", "-1"], ["--aps: must be an integer >= 1, got -1"]),
        (["--servers", "two"], ["--servers: must be an integer >= 1, got two"]),
        (["--set", "bandwidth_hz=-1"], ["bandwidth_hz: must be > 0, got -1"]),
        (["--set", "colour=1"], ["colour", "allowed:"]),
        (["--set", "activity=0.2,1.5"], ["activity: must be within [0, 1], got 0.2,1.5"]),
    ],
    ids=["preset", "users", "aps", "servers", "range", "unknown", "activity"],
)
def test_bad_generate_flags(jcaco, args: list[str], needles: list[str]) -> None:
    assert_one_line_error(jcaco("generate", *args), *needles)


def test_bad_schema_kind(jcaco) -> None:
    assert_one_line_error(jcaco("schema", "nope"), "'nope'", "scenario", "instance", "result")


@pytest.mark.parametrize(
    ("assignment", "needles"),
    [
        ({"ap": [0, 1], "server": [0, 0, 1]}, ["ap", "one entry per user (3), got 2"]),
        ({"ap": [0, 1, 0], "server": [0, 0]}, ["server", "one entry per user (3), got 2"]),
        ({"ap": [0, 1, 2], "server": [0, 0, 1]}, ["ap[2]", "index in [0, 1], got 2"]),
        ({"ap": [0, 1, 0], "server": [0, 5, 1]}, ["server[1]", "index in [0, 1], got 5"]),
        ({"ap": [0, -1, 0], "server": [0, 0, 1]}, ["ap[1]", "greater than or equal to 0"]),
        ({"ap": [0, 1, 0], "server": [0, 0, 1], "steps": [1, 40, 40]}, ["steps[0]", "allowed: >="]),
        ({"ap": [0, 1, 0], "server": [0, 0, 1], "steps": [40, 40]}, ["steps", "one entry per"]),
        ({"ap": [0, 1, 0], "server": [0, 0, 1], "speed": 1}, ["speed", "allowed: ap, server"]),
        ({"ap": [0, 1, 0]}, ["server", "is required"]),
    ],
    ids=["ap-length", "server-length", "ap-range", "server-range", "negative", "steps-low",
         "steps-length", "unknown", "missing"],
)  # fmt: skip
def test_bad_assignment(jcaco, write, assignment: dict[str, Any], needles: list[str]) -> None:
    scenario = write(SCENARIO)
    path = write(assignment, "assignment.json")
    assert_one_line_error(jcaco("evaluate", scenario, "--assignment", path), str(path), *needles)


def test_steps_below_optimal_names_the_minimum(jcaco, write) -> None:
    scenario = write(SCENARIO)
    good = json.loads(jcaco("solve", scenario, "-a", "br", "--json").out)
    need = good["steps"][1]
    steps = list(good["steps"])
    steps[1] = need - 1
    path = write({"ap": good["ap"], "server": good["server"], "steps": steps}, "a.json")
    result = jcaco("evaluate", scenario, "--assignment", path)
    assert_one_line_error(result, str(path), "steps[1]", f"allowed: >= {need}")


def test_infeasible_server_in_assignment(jcaco, write) -> None:
    instance = write(INSTANCE, "instance.json")
    path = write({"ap": [0, 0], "server": [1, 0]}, "a.json")
    result = jcaco("evaluate", instance, "--assignment", path)
    assert_one_line_error(result, str(path), "server[0]", "allowed: [0]")


def _unreachable_accuracy() -> dict[str, Any]:
    # user 1: 0.9 e^{-0.01 s} <= 1e-6 needs ~1,370 steps > max_steps = 1000
    return _mutated(
        lambda d: (_set("users.1.max_error", 1e-6)(d), _set("users.1.fitness", [0.01, 0.01])(d))
    )


def test_accuracy_no_server_can_meet(jcaco, write) -> None:
    path = write(_unreachable_accuracy())
    for command in ("solve", "instance"):
        assert_one_line_error(
            jcaco(command, path), str(path), "users[1].max_error", "max_steps=1000",
            "--drop-infeasible",
        )  # fmt: skip


def test_drop_infeasible_drops_the_user_with_a_warning(jcaco, write) -> None:
    path = write(_unreachable_accuracy())
    result = jcaco("solve", path, "-a", "br", "--drop-infeasible", "--json")
    assert result.code == 0
    assert result.err == "jcaco: warning: dropping 1 user(s) no server can serve: [1]\n"
    doc = json.loads(result.out)
    assert len(doc["ap"]) == 2 and doc["is_nash"] is True
    instance = jcaco("instance", path, "--drop-infeasible")
    assert instance.err.splitlines() == [
        "jcaco: warning: dropping 1 user(s) no server can serve: [1]"
    ]
    assert json.loads(instance.out)["meta"]["dropped_users"] == [1]


def test_a_dropped_user_takes_its_steps_along(write) -> None:
    """The scenario's game with user 1 (of 3) dropped is the reduced network's game: the
    steps computed once for the check lose the dropped user's row, not another."""
    import numpy as np

    from jcaco.model.build import build_instance, check_feasible
    from jcaco.model.files import load_game, load_network

    path = write(_unreachable_accuracy())
    with pytest.warns(UserWarning, match="dropping 1 user"):
        game = load_game(path, drop_infeasible=True)
        net, _ = check_feasible(load_network(path), drop_infeasible=True)
    expected = build_instance(net)
    assert game.steps.shape == (2, net.num_servers)
    assert np.array_equal(game.steps, expected.steps)
    assert np.array_equal(game.compute_time_s, expected.compute_time_s)


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["solve", "{dir}"], ""),
        (["instance", "{dir}"], ""),
        (["simulate", "{dir}"], ""),
        (["analyze", "{dir}"], ""),
        (["calibrate", "{dir}"], ""),
        (["evaluate", "{file}", "--assignment", "{dir}"], "--assignment: "),
        (["generate", "--catalog", "{dir}"], "--catalog: "),
    ],
    ids=["solve", "instance", "simulate", "analyze", "calibrate", "assignment", "catalog"],
)
def test_a_folder_where_an_input_file_is_expected(
    jcaco, write, tmp_path: Path, args: list[str], flag: str
) -> None:
    """The line names the folder and the flag (click's own check said ``FILE: File '...' is
    a directory.``: the metavar, not the file)."""
    folder = tmp_path / "folder"
    folder.mkdir()
    scenario = write(SCENARIO)
    line = [a.format(dir=folder, file=scenario) for a in args]
    assert_one_line_error(jcaco(*line), f"{folder}: {flag}is a folder; allowed: a file")


@pytest.mark.parametrize(
    ("args", "kind"),
    [
        (["generate", "--users", "3", "-o", "{dir}"], "regular file"),
        (["solve", "{file}", "-a", "selfish", "-o", "{dir}"], "regular file"),
        (["simulate", "{file}", "-a", "selfish", "-o", "{file}"], "folder"),
    ],
    ids=["generate", "solve", "simulate"],
)
def test_an_output_of_the_wrong_kind_names_the_path_and_flag(
    jcaco, write, tmp_path: Path, args: list[str], kind: str
) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    scenario = write(SCENARIO)
    before = scenario.read_bytes()
    line = [a.format(dir=folder, file=scenario) for a in args]
    where = scenario if kind == "folder" else folder
    assert_one_line_error(jcaco(*line), f"{where}: --output: exists and is not a {kind}")
    assert scenario.read_bytes() == before and folder.is_dir()


@pytest.mark.parametrize(
    "args",
    [
        ["generate", "--users", "3", "-o", "{out}"],
        ["instance", "{file}", "-o", "{out}"],
        ["solve", "{file}", "-a", "selfish", "-o", "{out}"],
    ],
    ids=["generate", "instance", "solve"],
)
def test_a_toml_output_is_refused(jcaco, write, tmp_path: Path, args: list[str]) -> None:
    """jcaco writes JSON, and a ``.toml`` file is read as TOML: ``generate -o net.toml`` wrote
    a file that ``jcaco solve net.toml`` then refused as malformed TOML."""
    out = tmp_path / "net.toml"
    line = [a.format(out=out, file=write(SCENARIO)) for a in args]
    assert_one_line_error(jcaco(*line), f"{out}: --output: a .toml file is read as TOML")
    assert not out.exists()


def test_a_limit_above_one_floor_but_out_of_reach_is_not_called_below_every_floor(
    jcaco, write
) -> None:
    """Server 0's floor (0.5) is above user 1's limit; server 1 has no floor but needs about
    10^26 steps. The line said "lies below the quality floor of every server (the lowest is
    0)"; it says the limit cannot be met within the step range."""
    doc = _mutated(
        lambda d: (
            _set("aec", {"form": "power_floor"})(d),
            _set("servers.0.error_floor", 0.5)(d),
            [_set(f"users.{i}.fitness", [1.0, 1.0])(d) for i in (0, 2)],
            _set("users.1.fitness", [1.0, 0.05])(d),
        )
    )
    path = write(doc)
    assert_one_line_error(
        jcaco("solve", path), f"{path}: users[1].max_error: 0.03 cannot be met by any server",
        "none reaches it within 10^12 steps",
    )  # fmt: skip
    below = _mutated(lambda d: (_set("aec", {"form": "power_floor"})(d),
                                _set("servers.0.error_floor", 0.5)(d),
                                _set("servers.1.error_floor", 0.04)(d)))  # fmt: skip
    path = write(below, "below.json")
    assert_one_line_error(
        jcaco("solve", path), "users[0].max_error: 0.03 lies below the quality floor of every "
        "server (the lowest is 0.04)",
    )  # fmt: skip
