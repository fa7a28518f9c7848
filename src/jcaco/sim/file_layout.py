"""The Parquet layout of each file kind (``jcaco schema KIND --format parquet``), derived from
the column specs the readers check against.

The layout is not written down twice: the columns, in the order the writers write them, and
their :class:`~jcaco.io.parquet.ColumnSpec` come from the kind's Parquet module
(:func:`jcaco.scenario.scenario_parquet.column_specs`,
:func:`jcaco.model.instance_parquet.column_specs`, the per-user list fields of
:class:`~jcaco.sim.schema.ResultModel` for :func:`jcaco.io.parquet.write_document_parquet`);
the header fields are the model's other fields. ``tests/test_file_layout.py`` checks the
layout against the Arrow schema of files the writers produce.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from jcaco.io import parquet as pio
from jcaco.model import instance_parquet
from jcaco.model.schema import InstanceModel
from jcaco.scenario import scenario_parquet
from jcaco.scenario.schema import ScenarioModel
from jcaco.sim.schema import ResultModel

if TYPE_CHECKING:
    import pyarrow as pa

_ROWS = "one row per user"
_METADATA = {
    pio.SCHEMA_KEY.decode(): "the schema tag, e.g. jcaco.scenario/1",
    pio.VERSION_KEY.decode(): "the jcaco version that wrote the file",
    pio.HEADER_KEY.decode(): "JSON object: every field that is not a column",
}
#: List columns are fixed-size lists, one entry per AP (``tx_time_s``, ``distance_m``) or per
#: server (``fitness``, ``steps``, ``compute_time_s``); the layout shows them for a network of
#: two APs and two servers.
EXAMPLE_WIDTH = 2
#: The models' fields that are neither a column nor the header (the tag; the users table).
_NOT_HEADER = ("schema", "users")


def _column_specs(kind: str) -> tuple[type[BaseModel], dict[str, pio.ColumnSpec]]:
    """The kind's model and its columns' specs, in the file's order."""
    if kind == "scenario":
        return ScenarioModel, {n: s for n, (s, _) in scenario_parquet.column_specs().items()}
    if kind == "instance":
        return InstanceModel, {n: s for n, (s, _) in instance_parquet.column_specs().items()}
    fields = ResultModel.model_fields
    return ResultModel, {
        n: pio.field_spec(fields[n], rows=True) for n in pio.row_fields(ResultModel)
    }


def arrow_type(spec: pio.ColumnSpec, width: int = EXAMPLE_WIDTH) -> pa.DataType:
    """The Arrow type of a column with ``spec`` as written (a list as ``width`` entries)."""
    import pyarrow as pa

    entry = {"float": pa.float64(), "int": pa.int64(), "str": pa.string(), "bool": pa.bool_()}
    value = entry[spec.kind]
    return pa.list_(pa.field("element", value), width) if spec.is_list else value


def parquet_layout(kind: str) -> dict[str, Any]:
    """Rows, columns (name, Arrow type) and metadata keys of a kind's file."""
    model, specs = _column_specs(kind)
    names = [field.alias or name for name, field in model.model_fields.items()]
    return {
        "kind": kind,
        "suffix": ".parquet",
        "rows": _ROWS,
        "columns": [{"name": name, "type": str(arrow_type(spec))} for name, spec in specs.items()],
        "metadata": _METADATA,
        "header_fields": sorted(n for n in names if n not in specs and n not in _NOT_HEADER),
    }


__all__ = ["EXAMPLE_WIDTH", "arrow_type", "parquet_layout"]
