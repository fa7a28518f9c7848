"""Strict inputs (issue 18): every malformed input the issue lists is refused with one line
naming the file and the field (exit 2), never a traceback, never accepted silently; what
cannot fit in memory is refused before it is allocated."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from test_cli_errors import SCENARIO, _mutated, _set, assert_one_line_error

ASSIGNMENT = {"ap": [0, 1, 0], "server": [0, 1, 1]}


@pytest.fixture
def write(tmp_path: Path):
    def write(doc: Any, name: str = "doc.json") -> Path:
        path = tmp_path / name
        path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
        return path

    return write


@pytest.mark.parametrize(
    ("change", "needles"),
    [
        (_set("users.0.content_bytes", 1e308), ["users[0].content_bytes", "1e+15"]),
        (_set("area_m", True), ["area_m", "must be a number", "True"]),
        (_set("area_m", "500"), ["area_m", "must be a number", "'500'"]),
        (_set("servers.0.capacity_flops", 1e-308), ["servers[0].capacity_flops", "1000"]),
        (_set("aec", {"max_steps": 1000.0}), ["aec.max_steps", "integer", "1000.0"]),
        (_set("aec", {"max_steps": True}), ["aec.max_steps", "integer"]),
        (_set("aec", {"max_steps": 2**63}), ["aec.max_steps", "1e+09"]),
        (_set("servers.1.min_steps", "3"), ["servers[1].min_steps", "integer"]),
        (_set("radio", {"noise_dbm_per_hz": 1e308}), ["radio.noise_dbm_per_hz", "0"]),
        (_set("users.1.fitness", [1e-308, 0.1]), None),  # no warning: a server out of reach
        (_set("servers.0.name", 3), ["servers[0].name", "string"]),
    ],
)
def test_malformed_scenarios_are_one_line(jcaco, write, change, needles) -> None:
    path = write(_mutated(change))
    before = path.read_bytes()
    result = jcaco("solve", path, "--iterations", "20", "--json")
    if needles is None:  # valid, but must not print a numpy warning
        assert result.code == 0 and result.err == "", result.err
    else:
        assert_one_line_error(result, str(path), *needles)
    assert path.read_bytes() == before


def test_a_dead_link_names_the_user(jcaco, write) -> None:
    doc = _mutated(_set("radio", {"path_loss_exponent": 10.0, "tx_power_w": 1e-12}))
    doc["area_m"] = 1e7
    doc["aps"][0].update(x_m=1e7, y_m=1e7)
    doc["aps"][1].update(x_m=1e7, y_m=0.0)
    path = write(doc)
    assert_one_line_error(jcaco("solve", path), str(path), "users[0]", "aps[0]", "1e+30 s")


@pytest.mark.parametrize(
    ("assignment", "needles"),
    [
        ({**ASSIGNMENT, "steps": [2**63] * 3}, ["steps[0]", "1e+09"]),
        ({**ASSIGNMENT, "ap": [True, False, True]}, ["ap[0]", "integer", "True"]),
        ({**ASSIGNMENT, "ap": ["1", "0", "1"]}, ["ap[0]", "integer", "'1'"]),
        ({**ASSIGNMENT, "server": [0.0, 1, 1]}, ["server[0]", "integer", "0.0"]),
        ({**ASSIGNMENT, "steps": [40, 1.5, 35]}, ["steps[1]", "integer"]),
    ],
)
def test_malformed_assignments_are_one_line(jcaco, write, assignment, needles) -> None:
    scenario = write(SCENARIO, "scenario.json")
    path = write(assignment, "assignment.json")
    result = jcaco("evaluate", scenario, "--assignment", path, "--json")
    assert_one_line_error(result, str(path), *needles)


@pytest.mark.parametrize(
    ("change", "needles"),
    [
        (lambda d: d["steps"][0].__setitem__(0, 2**63), ["steps[0][0]", "1e+09"]),
        (lambda d: d["steps"][0].__setitem__(0, True), ["steps[0][0]", "integer"]),
        (lambda d: d["steps"][0].__setitem__(0, 5.0), ["steps[0][0]", "integer"]),
        (lambda d: d["tx_time_s"][0].__setitem__(0, 1e308), ["tx_time_s[0][0]", "1e+30"]),
    ],
)
def test_malformed_instances_are_one_line(jcaco, write, tmp_path, change, needles) -> None:
    inst = tmp_path / "inst.json"
    assert jcaco("instance", write(SCENARIO, "scenario.json"), "-o", inst).code == 0
    doc = json.loads(inst.read_text())
    change(doc)
    path = write(doc, "bad.json")
    assert_one_line_error(jcaco("solve", path, "--iterations", "10"), str(path), *needles)


def test_json_nested_100000_deep_is_one_line(jcaco, write) -> None:
    path = write('{"schema": "jcaco.scenario/1", "meta": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert_one_line_error(jcaco("solve", path), str(path), "nested too deeply")
    path = write('{"ap": ' + "[" * 100_000)
    scenario = write(SCENARIO, "scenario.json")
    result = jcaco("evaluate", scenario, "--assignment", path)
    assert_one_line_error(result, str(path), "nested too deeply")


def test_content_that_is_not_utf8_is_one_line(jcaco, tmp_path) -> None:
    path = tmp_path / "latin1.json"
    doc = _mutated(_set("servers.0.name", "gdm-é"))
    path.write_bytes(json.dumps(doc, ensure_ascii=False).encode("latin-1"))
    assert_one_line_error(jcaco("solve", path), str(path), "not UTF-8")


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS file names are always UTF-8")
def test_a_file_name_that_is_not_utf8(tmp_path) -> None:
    """A subprocess, so that the name reaches jcaco as bytes from the command line; the
    instance written keeps a readable form of the name in its meta."""
    folder = os.fsencode(tmp_path)
    name = folder + b"/net\xff.json"
    with open(name, "wb") as handle:
        handle.write(json.dumps(SCENARIO).encode())
    out = folder + b"/inst.json"
    proc = subprocess.run(
        [sys.executable, "-m", "jcaco", "instance", name, "-o", out], capture_output=True
    )
    assert proc.returncode == 0, proc.stderr
    meta = json.loads(Path(os.fsdecode(out)).read_text())["meta"]
    assert meta["source"].endswith("net\\xff.json")


def test_output_under_a_file_is_one_line(jcaco, write) -> None:
    scenario = write(SCENARIO, "scenario.json")
    result = jcaco("instance", scenario, "-o", scenario / "inst.json")
    assert result.code == 2 and len(result.err.splitlines()) == 1, result.err
    assert "Traceback" not in result.err and str(scenario) in result.err


@pytest.mark.parametrize(
    ("rows", "needles"),
    [
        (
            "x,1e308,0.5,1\nx,10,0.3,2\nx,20,0.2,3\n",
            ["line 2: steps", "integer in [1, 1000000000]"],
        ),
        ("x,5,50,1\nx,10,30,2\nx,20,20,3\n", ["line 2: error", "[0, 1]", "FID"]),
        ("x,5,0.5,1e308\nx,10,0.3,2\nx,20,0.2,3\n", ["line 2: latency_s", "(0, 1e+09]"]),
        ("x,5.0,0.5,1\nx,10,0.3,2\nx,20,0.2,3\n", ["line 2: steps", "integer"]),
    ],
)
def test_malformed_measurements_are_one_line(jcaco, write, rows, needles) -> None:
    path = write("model,steps,error,latency_s\n" + rows, "m.csv")
    assert_one_line_error(jcaco("calibrate", path), str(path), *needles)


def test_a_network_beyond_the_memory_is_refused_before_it_is_drawn(jcaco, tmp_path) -> None:
    result = jcaco("generate", "--users", 10**13, "-o", tmp_path / "net.json")
    assert_one_line_error(result, "--users", "needs about", "PiB", "more than this machine")
    assert not (tmp_path / "net.json").exists()


def test_generate_writes_only_what_reads_back(jcaco, tmp_path) -> None:
    out = tmp_path / "net.json"
    result = jcaco("generate", "--users", 4, "--set", "bandwidth_hz=1e13", "-o", out)
    assert_one_line_error(result, "aps[0].bandwidth_hz", "1e+12")
    result = jcaco("generate", "--users", 4, "--set", "content_bytes=abc", "-o", out)
    assert_one_line_error(result, "content_bytes", "a number or a range lo,hi")
    assert not out.exists()


def test_generate_catalog_warns_naming_users_below_every_floor(jcaco, tmp_path) -> None:
    out = tmp_path / "net.json"
    args = ("generate", "--catalog", "--models", "ddpm-cifar10", "--users", 30, "--seed", 2)
    result = jcaco(*args, "--set", "max_error=0.01,0.03", "-o", out)
    assert result.code == 0
    warning = [line for line in result.err.splitlines() if "quality floor" in line]
    assert len(warning) == 1 and "users [0, 1, 2" in warning[0] and "of 30" in warning[0]
    floor = float(warning[0].split("the lowest is ")[1].split(")")[0])
    below = [
        i for i, u in enumerate(json.loads(out.read_text())["users"]) if u["max_error"] <= floor
    ]
    assert warning[0].count(",") >= min(len(below), 10) - 1 and below[:3] == [0, 1, 2]
    clean = jcaco(*args, "--set", "max_error=0.2,0.3", "-o", out)
    assert clean.code == 0 and "quality floor" not in clean.err


def test_json_schema_states_each_range(jcaco) -> None:
    doc = json.loads(jcaco("schema", "scenario").out)
    user = doc["$defs"]["UserModel"]["properties"]
    assert user["content_bytes"]["maximum"] == 1e15
    assert doc["$defs"]["AecModel"]["properties"]["max_steps"]["maximum"] == 10**9
    assert doc["$defs"]["AecModel"]["properties"]["max_steps"]["type"] == "integer"


@pytest.mark.parametrize(
    ("meta", "field"),
    [
        ({"capacity_flops": "x"}, "meta.capacity_flops"),
        ({"capacity_flops": [1.0, 2.0, 3.0, 4.0, 5.0]}, "meta.capacity_flops"),
        ({"distance_m": [[1e308]]}, "meta.distance_m"),
    ],
)
def test_an_instance_meta_that_is_read_back_is_checked(jcaco, write, tmp_path, meta, field):
    inst = tmp_path / "inst.json"
    assert jcaco("instance", write(SCENARIO, "scenario.json"), "-o", inst).code == 0
    doc = json.loads(inst.read_text())
    doc["meta"].update(meta)
    path = write(doc, "bad.json")
    result = jcaco("solve", path, "-a", "selfish", "--iterations", "5")
    assert_one_line_error(result, str(path), field, "allowed")
