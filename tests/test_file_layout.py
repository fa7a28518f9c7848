"""``jcaco schema KIND --format parquet``: the layout derived from the column specs is the
layout of the files the writers produce."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from jcaco.io import parquet as pio
from jcaco.jobs.solve import solve
from jcaco.model.build import build_instance
from jcaco.model.instance_parquet import write_instance_parquet
from jcaco.rng import stream
from jcaco.scenario.generator import GeneratorConfig, generate_network
from jcaco.scenario.scenario_parquet import write_network_parquet
from jcaco.sim.file_layout import parquet_layout
from jcaco.sim.schema import ResultModel


def _write_example(kind: str, path: Path) -> None:
    """A two-AP, two-server file of ``kind``, written by the writer ``jcaco`` uses."""
    config = GeneratorConfig(num_users=2, num_aps=2, num_servers=2)
    net = generate_network(config, stream(0, "scenario"))
    if kind == "scenario":
        write_network_parquet(net, path)
        return
    game = build_instance(net)
    if kind == "instance":
        write_instance_parquet(game, path)
        return
    pio.write_document_parquet(path, solve(game, "raro", iterations=1).to_dict(), ResultModel)


@pytest.mark.parametrize("kind", ["scenario", "instance", "result"])
def test_layout_is_the_written_files_layout(kind: str, tmp_path: Path) -> None:
    path = tmp_path / f"example.{kind}.parquet"
    _write_example(kind, path)
    schema = pq.read_schema(path)
    layout = parquet_layout(kind)
    written = [
        {"name": field.name, "type": str(field.type)}
        for field in schema
        if not field.name.startswith("__")
    ]
    assert layout["columns"] == written
    assert layout["header_fields"] == sorted(pio.read_parquet(path)[1])
    assert set(layout["metadata"]) == {key.decode() for key in schema.metadata}
