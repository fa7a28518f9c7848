"""A ``jcaco.scenario/1`` network as a Parquet file: one row per user (io/parquet.py).

The users table has one column per field of :class:`jcaco.scenario.schema.UserModel`
(``fitness`` a fixed-size list, one value per server); the settings, the AP and server
tables (records, as in JSON) and ``meta`` are the header in the file metadata. Reading
checks the header and the first user with the same pydantic model as a JSON file, then
every column with numpy against that model's constraints, then the scenario's cross-field
rules (one fitness per server, positions inside the area) over whole columns, and builds the
:class:`Network` from the arrays without one Python object per user.

A user field maps to the :class:`Network` attribute of the same name, except the three the
network stores in another form (:data:`_RENAMED`) and θ (``activity`` in files, ``theta`` in
the code); a field added to ``UserModel`` and to
``Network`` under its own name flows through (``tests/test_files_parquet.py`` checks that a
Parquet scenario gives the same network as its JSON form, field by field).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from jcaco.errors import InputError
from jcaco.io import parquet as pio
from jcaco.io.read import parse_model
from jcaco.scenario.network import Network, network_from_model, network_to_dict
from jcaco.scenario.schema import SCENARIO_SCHEMA, ScenarioModel, UserModel

#: User fields that the network stores in another form or unit.
_RENAMED = ("x_m", "y_m", "content_bytes")
#: User fields that the network stores under another name (the code calls θ ``theta``).
_ATTRIBUTE = {"activity": "theta"}


def _user_columns(net: Network) -> dict[str, np.ndarray]:
    """Every user field as a column, as :func:`network_to_dict` writes it (same values)."""
    columns: dict[str, np.ndarray] = {
        "x_m": net.user_xy_m[:, 0],
        "y_m": net.user_xy_m[:, 1],
        "content_bytes": net.content_bits / 8.0,
    }
    for name in UserModel.model_fields:
        if name not in _RENAMED:
            columns[name] = np.asarray(getattr(net, _ATTRIBUTE.get(name, name)))
    return columns


def _user_arrays(columns: dict[str, np.ndarray]) -> dict[str, Any]:
    """The network's per-user attributes from the columns, as :func:`network_from_model`."""
    arrays: dict[str, Any] = {
        "user_xy_m": np.stack([columns["x_m"], columns["y_m"]], axis=1),
        "content_bits": columns["content_bytes"] * 8.0,
    }
    arrays.update({_ATTRIBUTE.get(k, k): v for k, v in columns.items() if k not in _RENAMED})
    return arrays


def write_network_parquet(net: Network, path: str | Path) -> Path:
    """Write ``net`` as a ``jcaco.scenario/1`` Parquet file (atomically)."""
    header = network_to_dict(net.with_users(np.arange(min(1, net.num_users))))
    header.pop("users")
    tag = header.pop("schema")
    columns = {name: pio.to_arrow(values) for name, values in _user_columns(net).items()}
    return pio.write_parquet(path, tag, header, columns)


def _user_specs() -> dict[str, tuple[pio.ColumnSpec, bool]]:
    return {
        name: (pio.field_spec(field), field.is_required())
        for name, field in UserModel.model_fields.items()
    }


#: The user columns in the order :func:`write_network_parquet` writes them (the renamed first).
COLUMNS: tuple[str, ...] = (*_RENAMED, *(n for n in UserModel.model_fields if n not in _RENAMED))


def column_specs() -> dict[str, tuple[pio.ColumnSpec, bool]]:
    """Each user column's spec and whether it is required, in the file's order."""
    specs = _user_specs()
    return {name: specs[name] for name in COLUMNS}


def _first_record(columns: dict[str, tuple[np.ndarray, np.ndarray | None]]) -> dict[str, Any]:
    return {name: values[0].tolist() for name, (values, _) in columns.items()}


def read_network_parquet(path: str | Path) -> Network:
    """A :class:`Network` from a ``jcaco.scenario/1`` Parquet file, checked field by field."""
    source = str(path)
    tag, header, table = pio.read_parquet(path, SCENARIO_SCHEMA)
    if "users" in header:
        raise InputError(
            "must be the file's rows, not a header field", source=source, field="users"
        )
    if table.num_rows == 0:
        raise InputError("needs at least one user (row)", source=source, field="users")
    servers = header.get("servers")
    widths = {}
    if isinstance(servers, list) and servers:
        widths["fitness"] = (len(servers), "needs one value per server ({width})")
    columns = pio.read_columns(table, _user_specs(), "users", source, widths)
    # the header and the first user, by the JSON path's model (its messages, its checks)
    model = parse_model(
        ScenarioModel, {**header, "schema": tag, "users": [_first_record(columns)]}, source
    )
    values = {name: v for name, (v, _) in columns.items()}
    for name in UserModel.model_fields:  # optional fields left out: their defaults
        if name not in values:
            first = getattr(model.users[0], name)
            values[name] = np.full(table.num_rows, first)
    _check_users(values, model, source)
    del table, columns
    pio.release_arrow_memory()
    net = network_from_model(model)
    return replace(net, **_user_arrays(values))


def _user_field(name: str) -> pio.FieldOf:
    """``users[i].name`` (``[k]`` appended for a per-server column)."""

    def field(row: int, col: int | None) -> str:
        return f"users[{row}].{name}" + ("" if col is None else f"[{col}]")

    return field


def check_network(net: Network, source: str | None = None) -> None:
    """Check a network drawn or built in memory against the ``jcaco.scenario/1`` model (every
    field and range, as a file would be read), so that what is written reads back.

    Raises
    ------
    InputError
        At the first field outside its range, named as in the file.
    """
    where = source or "the generated network"
    doc = network_to_dict(net.with_users(np.arange(min(1, net.num_users))))
    model = parse_model(ScenarioModel, doc, where)
    specs = _user_specs()
    for name, values in _user_columns(net).items():
        pio.check_values(np.asarray(values), None, specs[name][0], _user_field(name), where)
    _check_users(_user_columns(net), model, where)


def _check_users(values: dict[str, np.ndarray], model: ScenarioModel, source: str) -> None:
    """ScenarioModel's cross-field rules over whole columns (one fitness per server, and
    every position inside the area)."""
    num_servers = len(model.servers)
    width = values["fitness"].shape[1]
    if width != num_servers:
        raise InputError(
            f"needs one value per server ({num_servers}), got {width}",
            source=source,
            field="users[0].fitness",
        )
    for axis in ("x_m", "y_m"):
        outside = values[axis] > model.area_m
        if outside.any():
            row = int(np.argmax(outside))
            raise InputError(
                f"must lie in [0, area_m={model.area_m:g}], got {values[axis][row]:g}",
                source=source,
                field=f"users[{row}].{axis}",
            )


__all__ = [
    "COLUMNS",
    "check_network",
    "column_specs",
    "read_network_parquet",
    "write_network_parquet",
]
