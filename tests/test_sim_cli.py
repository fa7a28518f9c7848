"""``jcaco simulate`` end to end into a temporary folder, and its bad-input errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from jcaco._version import __version__
from jcaco.model.build import check_feasible
from jcaco.model.files import load_network
from jcaco.sim.simulate import simulate


@pytest.fixture
def scenario(tmp_path: Path, jcaco) -> Path:
    path = tmp_path / "scenario.json"
    assert jcaco("generate", "--preset", "small", "--seed", "4", "-o", path).code == 0
    return path


def test_simulate_writes_trace_and_plot(tmp_path: Path, scenario: Path, jcaco) -> None:
    out = tmp_path / "run"
    result = jcaco(
        "simulate",
        scenario,
        "--algorithm",
        "masl",
        "--slots",
        "30",
        "--seed",
        "7",
        "-o",
        out,
        "--param",
        "learning_rate_ap=0.2",
    )
    assert result.code == 0, result.err
    assert str(out / "trace.parquet") in result.out and str(out / "convergence.png") in result.out
    assert (out / "convergence.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = pq.read_table(out / "trace.parquet")
    assert table.num_rows == 30
    meta = json.loads(table.schema.metadata[b"jcaco"])
    assert meta["root_seeds"] == [7] and meta["version"] == __version__
    assert "git_revision" in meta and meta["slots"] == 30 and meta["algorithm"] == "masl"
    assert meta["params"] == {"learning_rate_ap": "0.2"}
    # the file holds exactly what the library computes for the same seed
    net, _ = check_feasible(load_network(scenario))
    trace = simulate([net], "masl", [7], 30, params={"learning_rate_ap": 0.2})
    assert np.array_equal(
        table.column("total_service_time_s").to_numpy(), trace.total_service_time_s[:, 0]
    )
    assert np.array_equal(table.column("slot").to_numpy(), np.arange(30))


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("--algorithm", "nope"), "--algorithm"),
        (("--algorithm", "masl", "--slots", "-5"), "--slots"),
        (("--algorithm", "masl", "--slots", "0"), "--slots"),
        (("--algorithm", "masl", "--seed", "-1"), "--seed"),
        (("--algorithm", "masl", "--param", "nope=1"), "param"),
        (("--algorithm", "masl", "--param", "learning_rate_ap=3"), "--param"),
        (("--algorithm", "masl", "--step-radius-m", "-1"), "--step-radius-m"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, scenario: Path, jcaco, args: tuple[str, ...], field: str
) -> None:
    result = jcaco("simulate", scenario, "--slots", "3", *args, "-o", tmp_path / "x")
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and field in lines[0], result.err
    assert not (tmp_path / "x" / "trace.parquet").exists()


def test_missing_or_wrong_file(tmp_path: Path, jcaco) -> None:
    result = jcaco("simulate", tmp_path / "missing.json", "-a", "masl", "-o", tmp_path / "x")
    assert result.code == 2 and "missing.json" in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_learning_rate_sets_both_rates_as_in_solve(tmp_path: Path, scenario: Path, jcaco) -> None:
    """``--learning-rate B`` means ``--param learning_rate_ap=B --param learning_rate_server=B``."""
    common = ("simulate", scenario, "-a", "masl", "--slots", "20", "--seed", "3")
    flag = jcaco(*common, "--learning-rate", "0.3", "-o", tmp_path / "flag")
    both = ("--param", "learning_rate_ap=0.3", "--param", "learning_rate_server=0.3")
    params = jcaco(*common, *both, "-o", tmp_path / "params")
    default = jcaco(*common, "-o", tmp_path / "default")
    assert flag.code == params.code == default.code == 0, (flag.err, params.err, default.err)
    column = "total_service_time_s"
    read = {
        name: pq.read_table(tmp_path / name / "trace.parquet").column(column).to_numpy()
        for name in ("flag", "params", "default")
    }
    assert np.array_equal(read["flag"], read["params"])
    assert not np.array_equal(read["flag"], read["default"])


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("-a", "br", "--learning-rate", "0.1"), "masl"),
        (("-a", "masl", "--learning-rate", "2"), "(0, 1]"),
    ],
)
def test_bad_learning_rate(tmp_path: Path, scenario: Path, jcaco, args, needle: str) -> None:
    result = jcaco("simulate", scenario, "--slots", "3", *args, "-o", tmp_path / "x")
    lines = result.err.strip().splitlines()
    assert result.code == 2 and len(lines) == 1
    assert "--learning-rate" in lines[0] and needle in lines[0]
