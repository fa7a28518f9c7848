"""Parquet files (issue 11): the same games and results as JSON, and one-line errors."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from jcaco.io import parquet as parquet_io
from jcaco.io.read import parse_model, read_document
from jcaco.model.files import load_game, load_network
from jcaco.sim.schema import ResultModel
from test_cli_errors import SCENARIO, SCENARIO_CASES, _mutated, assert_one_line_error


def write_parquet_scenario(doc: dict[str, Any], path: Path) -> Path:
    """A scenario document as a Parquet file, built with pyarrow alone (users as rows)."""
    doc = dict(doc)
    users = doc.pop("users")
    metadata = {parquet_io.HEADER_KEY: json.dumps({k: v for k, v in doc.items() if k != "schema"})}
    if "schema" in doc:
        metadata[parquet_io.SCHEMA_KEY] = str(doc["schema"])
    table = pa.Table.from_pylist(users).replace_schema_metadata(metadata)
    pq.write_table(table, path)
    return path


@pytest.fixture
def both(jcaco, tmp_path: Path) -> dict[str, Path]:
    """The same generated scenario as JSON and as Parquet."""
    paths = {}
    for suffix in ("json", "parquet"):
        path = tmp_path / f"net.{suffix}"
        args = ("generate", "--users", "40", "--aps", "4", "--servers", "3", "--seed", "5")
        assert jcaco(*args, "-o", path).code == 0
        paths[suffix] = path
    return paths


def test_parquet_scenario_gives_the_same_network(both) -> None:
    a, b = load_network(both["json"]), load_network(both["parquet"])
    for field in fields(a):
        left, right = getattr(a, field.name), getattr(b, field.name)
        if isinstance(left, np.ndarray):
            assert left.dtype == right.dtype and left.tobytes() == right.tobytes(), field.name
        else:
            assert left == right, field.name


def _arrays(game) -> list[bytes]:
    return [
        np.ascontiguousarray(getattr(game, name)).tobytes()
        for name in ("theta", "tx_time_s", "compute_time_s", "steps", "distance_m")
    ]


@pytest.mark.parametrize("algorithm", ["masl", "br"])
def test_json_and_parquet_give_bit_identical_instances_and_results(
    jcaco, both, tmp_path: Path, algorithm: str
) -> None:
    games, results = [], []
    for source in ("json", "parquet"):
        for out in ("json", "parquet"):
            instance = tmp_path / f"game-{source}.{out}"
            code = jcaco(
                "instance", both[source], "--fading", "sample", "--seed", "3", "-o", instance
            )
            assert code.code == 0
            games.append(_arrays(load_game(instance)))
            result = tmp_path / f"result-{source}-{out}.{out}"
            args = ("solve", instance, "-a", algorithm, "--iterations", "300", "-o", result)
            assert jcaco(*args).code == 0
            doc = (
                parquet_io.read_document_parquet(result)
                if out == "parquet"
                else read_document(result)
            )
            doc = parse_model(ResultModel, doc).model_dump()
            doc.pop("wall_time_s")
            results.append(doc)
    assert all(g == games[0] for g in games[1:])
    assert all(r == results[0] for r in results[1:])


@pytest.mark.parametrize(
    ("change", "needles"), [c[1:] for c in SCENARIO_CASES], ids=[c[0] for c in SCENARIO_CASES]
)
def test_bad_parquet_scenario_field(jcaco, tmp_path: Path, change, needles) -> None:  # fmt: skip
    doc = _mutated(change)
    if not doc.get("users"):
        pytest.skip("a Parquet scenario's users are its rows")
    path = write_parquet_scenario(doc, tmp_path / "scenario.parquet")
    for command in (["solve"], ["instance"], ["simulate", "-a", "masl", "--slots", "1"]):
        assert_one_line_error(jcaco(*command, path), str(path), *needles)


def _table_change(name: str, values: Any):
    return lambda table: table.set_column(table.column_names.index(name), name, [values])


PARQUET_CASES = [
    ("missing-column", lambda t: t.drop_columns(["max_error"]), ["users[0].max_error", "required"]),
    (
        "wrong-type",
        _table_change("activity", pa.array(["high"] * 3)),
        ["users[0].activity", "float values (got string)"],
    ),
    (
        "nan",
        _table_change("activity", pa.array([0.6, np.nan, 0.6])),
        ["users[1].activity", "finite"],
    ),
    ("null", _table_change("x_m", pa.array([1.0, None, 2.0])), ["users[1].x_m", "required (null)"]),
    (
        "nan-in-list",
        _table_change("fitness", pa.array([[0.1, 0.1], [0.1, np.inf], [0.1, 0.1]])),
        ["users[1].fitness[1]", "finite"],
    ),
    (
        "bounds-in-list",
        _table_change("fitness", pa.array([[0.1, 0.1], [0.1, 0.1], [-0.1, 0.1]])),
        ["users[2].fitness[0]", "greater than 0"],
    ),
    (
        "unknown-column",
        lambda t: t.append_column("colour", pa.array(["red"] * 3)),
        ["users[0].colour", "not a known field; allowed: x_m, y_m"],
    ),
]


@pytest.mark.parametrize(
    ("change", "needles"), [c[1:] for c in PARQUET_CASES], ids=[c[0] for c in PARQUET_CASES]
)
def test_malformed_parquet_scenario(jcaco, tmp_path: Path, change, needles) -> None:
    path = write_parquet_scenario(SCENARIO, tmp_path / "scenario.parquet")
    table = pq.read_table(path)
    pq.write_table(change(table).replace_schema_metadata(table.schema.metadata), path)
    for command in (["solve"], ["instance"]):
        assert_one_line_error(jcaco(*command, path), str(path), *needles)


def test_not_a_parquet_file_and_no_tag(jcaco, tmp_path: Path) -> None:
    path = tmp_path / "broken.parquet"
    path.write_text("not parquet")
    assert_one_line_error(jcaco("solve", path), str(path), "not a Parquet file")
    pq.write_table(pa.table({"x": [1.0]}), path)
    assert_one_line_error(jcaco("solve", path), str(path), "schema", '"jcaco.scenario/1"')


@pytest.mark.parametrize(
    ("column", "values", "needles"),
    [
        ("tx_time_s", [[1.0, np.nan], [1.0, 2.0]], ["tx_time_s[0][1]", "finite"]),
        ("tx_time_s", [[1.0, 0.0], [1.0, 2.0]], ["tx_time_s[0][1]", "greater than 0"]),
        ("activity", [0.5, 1.5], ["activity[1]", "less than or equal to 1"]),
        ("steps", [[3, None], [2, 0]], ["steps[1][1]", "greater than or equal to 1"]),
        ("compute_time_s", [[1.0, 2.0], [1.0, 2.0]], ["compute_time_s[0][1]", "null exactly"]),
        ("steps", [[None, None], [2, 1]], ["steps[0]", "no server is feasible"]),
    ],
)
def test_malformed_parquet_instance(jcaco, tmp_path: Path, column, values, needles) -> None:
    columns = {
        "activity": [0.5, 0.7],
        "tx_time_s": [[1.0, 2.0], [1.5, 0.5]],
        "steps": [[3, None], [2, 4]],
        "compute_time_s": [[1.0, None], [1.0, 2.0]],
        column: values,
    }
    if column == "steps" and values[0] == [None, None]:
        columns["compute_time_s"] = [[None, None], [1.0, 2.0]]
    metadata = {parquet_io.SCHEMA_KEY: "jcaco.instance/1", parquet_io.HEADER_KEY: "{}"}
    path = tmp_path / "instance.parquet"
    pq.write_table(pa.table(columns).replace_schema_metadata(metadata), path)
    assert_one_line_error(jcaco("solve", path), str(path), *needles)
