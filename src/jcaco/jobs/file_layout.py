"""The Parquet layout of each file kind, read off a file the writers produce (``jcaco schema
KIND --format parquet``).

The layout is not written down twice: a two-user example of the kind is written by the same
writer ``jcaco`` uses (:mod:`jcaco.scenario.scenario_parquet`,
:mod:`jcaco.model.instance_parquet`, :func:`jcaco.io.parquet.write_document_parquet`)
and its Arrow schema is reported, so the description follows the models' fields.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from jcaco.io import parquet as pio
from jcaco.jobs.solve import solve
from jcaco.model.build import build_instance
from jcaco.model.instance_parquet import write_instance_parquet
from jcaco.rng import stream
from jcaco.scenario.generator import GeneratorConfig, generate_network
from jcaco.scenario.scenario_parquet import write_network_parquet
from jcaco.sim.schema import ResultModel

_ROWS = "one row per user"
_METADATA = {
    pio.SCHEMA_KEY.decode(): "the schema tag, e.g. jcaco.scenario/1",
    pio.VERSION_KEY.decode(): "the jcaco version that wrote the file",
    pio.HEADER_KEY.decode(): "JSON object: every field that is not a column",
}


def _write_example(kind: str, path: Path) -> None:
    config = GeneratorConfig(num_users=2, num_aps=2, num_servers=2)
    net = generate_network(config, stream(0, "scenario"))
    if kind == "scenario":
        write_network_parquet(net, path)
        return
    game = build_instance(net)
    if kind == "instance":
        write_instance_parquet(game, path)
        return
    doc = solve(game, "raro", iterations=1).to_dict()
    pio.write_document_parquet(path, doc, ResultModel)


def parquet_layout(kind: str) -> dict[str, Any]:
    """Rows, columns (name, Arrow type, nullable entries) and metadata keys of a kind's file."""
    import pyarrow.parquet as pq

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"example.{kind}.parquet"
        _write_example(kind, path)
        schema = pq.read_schema(path)
        header = pio.read_parquet(path)[1]
    return {
        "kind": kind,
        "suffix": ".parquet",
        "rows": _ROWS,
        "columns": [
            {"name": field.name, "type": str(field.type)}
            for field in schema
            if not field.name.startswith("__")
        ],
        "metadata": _METADATA,
        "header_fields": sorted(header),
    }


__all__ = ["parquet_layout"]
