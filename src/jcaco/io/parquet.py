"""Parquet files of the jcaco kinds: the per-user data as columns, the rest in the metadata.

A ``.parquet`` scenario, instance or result holds the same fields as its JSON form
(docs/formats.md). The file's rows are the users, one column per per-user field (a list field,
such as ``fitness`` or ``tx_time_s``, is a fixed-size list column); the file's key-value
metadata holds the schema tag (``schema``), the jcaco version that wrote it (``jcaco.version``)
and every other field as JSON (``jcaco.header``: the settings, the small AP and server tables
as records, ``meta``).

Columns are checked with numpy, whole arrays at a time, against the constraints of the
field's pydantic model (:mod:`jcaco.scenario.schema`), so a field added to a model is read,
checked and written with no change here; a failure is one :class:`InputError` line naming
the file, the field with its row (``users[12].activity``) and what is allowed, in the words
of the JSON path's messages.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Union, get_args, get_origin

import annotated_types as at
import numpy as np
import orjson
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from jcaco.errors import InputError
from jcaco.io.files import atomic_path, dumps_json, provenance

if TYPE_CHECKING:
    import pyarrow as pa

SCHEMA_KEY = b"schema"
VERSION_KEY = b"jcaco.version"
HEADER_KEY = b"jcaco.header"

#: Rows per Parquet row group when writing (10^6 users: about 8 row groups).
ROW_GROUP_ROWS = 1 << 17

#: ``field_of(row, column)``: the field path of an entry, e.g. ``users[3].fitness[1]``.
FieldOf = Callable[[int, int | None], str]


def is_parquet(path: str | Path) -> bool:
    """Whether ``path`` names a Parquet file (by its ``.parquet`` suffix)."""
    return Path(path).suffix.lower() == ".parquet"


@dataclass(frozen=True)
class ColumnSpec:
    """What a column may hold, read off a pydantic annotation.

    Attributes
    ----------
    kind : {"float", "int", "str", "bool"}
    is_list : bool
        One list of values per row (a fixed-size list column).
    nullable : bool
        Entries may be null (``X | None``).
    bounds : tuple
        ``annotated_types`` constraints (Gt, Ge, Lt, Le) on every entry.
    """

    kind: str
    is_list: bool
    nullable: bool
    bounds: tuple[Any, ...]


def column_spec(annotation: Any) -> ColumnSpec:
    """The :class:`ColumnSpec` of a per-row annotation such as ``list[Positive]``."""
    is_list = get_origin(annotation) is list
    if is_list:
        annotation = get_args(annotation)[0]
    nullable = False
    if get_origin(annotation) in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        nullable = len(members) < len(get_args(annotation))
        annotation = members[0]
    bounds: list[Any] = []
    if get_origin(annotation) is Annotated:
        annotation, *extra = get_args(annotation)
        for item in extra:
            bounds.extend(item.metadata if isinstance(item, FieldInfo) else [item])
    kind = {float: "float", int: "int", str: "str", bool: "bool"}.get(annotation, "float")
    return ColumnSpec(kind, is_list, nullable, tuple(bounds))


def field_spec(field: FieldInfo, *, rows: bool = False) -> ColumnSpec:
    """The spec of a model field; ``rows``: the field is a list with one item per row."""
    annotation = get_args(field.annotation)[0] if rows else field.annotation
    spec = column_spec(annotation)
    return ColumnSpec(spec.kind, spec.is_list, spec.nullable, spec.bounds + tuple(field.metadata))


_BOUND_TEXT = (
    (at.Gt, "gt", np.greater, "greater than"),
    (at.Ge, "ge", np.greater_equal, "greater than or equal to"),
    (at.Lt, "lt", np.less, "less than"),
    (at.Le, "le", np.less_equal, "less than or equal to"),
)


def _first(bad: np.ndarray) -> tuple[int, int | None]:
    index = np.unravel_index(int(np.argmax(bad)), bad.shape)
    return int(index[0]), (int(index[1]) if len(index) > 1 else None)


def check_values(
    values: np.ndarray, valid: np.ndarray | None, spec: ColumnSpec, field_of: FieldOf, source: str
) -> None:
    """Raise the first NaN, infinity or out-of-bounds entry of a column (numpy, at once)."""
    present = np.ones(values.shape, dtype=bool) if valid is None else valid
    if values.dtype.kind == "f":
        bad = present & ~np.isfinite(values)
        if bad.any():
            raise InputError(
                "must be a finite number (no NaN or infinity)",
                source=source,
                field=field_of(*_first(bad)),
            )
    for bound in spec.bounds:
        for kind, attr, holds, text in _BOUND_TEXT:
            if isinstance(bound, kind):
                limit = getattr(bound, attr)
                bad = present & ~holds(values, limit)
                if bad.any():
                    row, col = _first(bad)
                    got = values[row] if col is None else values[row, col]
                    raise InputError(
                        f"must be {text} {limit:g} (got {got.item()!r})",
                        source=source,
                        field=field_of(row, col),
                    )


def _type_ok(kind: str, arrow_type: pa.DataType) -> bool:
    import pyarrow as pa

    if kind == "float":
        return bool(pa.types.is_floating(arrow_type) or pa.types.is_integer(arrow_type))
    if kind == "int":
        return bool(pa.types.is_integer(arrow_type))
    if kind == "bool":
        return bool(pa.types.is_boolean(arrow_type))
    return bool(pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type))


def _list_width(
    column: pa.Array, field_of: FieldOf, source: str, width: tuple[int, str] | None
) -> int:
    """The common length of a list column's rows (checked against ``width`` if given)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not (pa.types.is_list(column.type) or pa.types.is_fixed_size_list(column.type)):
        raise InputError(
            f"must be a list column (got {column.type})", source=source, field=field_of(0, None)
        )
    lengths = pc.list_value_length(column).to_numpy(zero_copy_only=False)
    expected, text = width or (int(lengths[0]) if len(lengths) else 0, "needs {width} values")
    if (lengths != expected).any():
        row = int(np.argmax(lengths != expected))
        raise InputError(
            f"{text.format(width=expected)}, got {int(lengths[row])}",
            source=source,
            field=field_of(row, None),
        )
    return int(expected)


def read_column(
    table: pa.Table,
    name: str,
    spec: ColumnSpec,
    field_of: FieldOf,
    source: str,
    width: tuple[int, str] | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Column ``name`` as numpy, checked: its type, list widths, nulls, finiteness, bounds.

    ``width``: the length every list must have and the message if not (``"needs one value
    per server ({width})"``); default: the first row's length.

    Returns
    -------
    values : ndarray, shape (rows,) or (rows, width)
        Nulls are filled with 0 (numbers) or "" (strings).
    valid : ndarray of bool, same shape, or None
        Where ``values`` holds an entry (None: everywhere).
    """
    column = table.column(name).combine_chunks()
    if column.null_count:  # a whole row missing: not even a nullable field allows that
        row = int(np.argmax(column.is_null().to_numpy(zero_copy_only=False)))
        raise InputError("is required (null)", source=source, field=field_of(row, None))
    columns = None
    if spec.is_list:
        columns = _list_width(column, field_of, source, width)
        column = column.flatten()
    if not _type_ok(spec.kind, column.type):
        raise InputError(
            f"must be a column of {spec.kind} values (got {column.type})",
            source=source,
            field=field_of(0, 0 if spec.is_list else None),
        )
    valid = None
    if column.null_count:
        valid = column.is_valid().to_numpy(zero_copy_only=False)
        if not spec.nullable:
            row, col = divmod(int(np.argmax(~valid)), columns or 1)
            field = field_of(row, None if columns is None else col)
            raise InputError("is required (null)", source=source, field=field)
        column = column.fill_null("" if spec.kind == "str" else 0)
    dtype = {"float": np.float64, "int": np.int64, "bool": np.bool_}.get(spec.kind)
    # numpy's own copy: no view keeps Arrow's buffers (and its allocator's pages) alive
    values = np.array(column.to_numpy(zero_copy_only=False), dtype=dtype, copy=True)
    if columns is not None:
        values = values.reshape(-1, columns)
        valid = None if valid is None else valid.reshape(-1, columns)
    check_values(values, valid, spec, field_of, source)
    return values, valid


def entry_path(table: str | None, name: str) -> FieldOf:
    """Field paths of column ``name``'s entries: ``users[3].fitness[1]`` for an entity table,
    ``tx_time_s[3][1]`` for a per-user field of a flat document (``table`` None)."""

    def field_of(row: int, col: int | None) -> str:
        base = f"{table}[{row}].{name}" if table else f"{name}[{row}]"
        return base if col is None else f"{base}[{col}]"

    return field_of


def read_columns(
    table: pa.Table,
    specs: Mapping[str, tuple[ColumnSpec, bool]],
    entity: str | None,
    source: str,
    widths: Mapping[str, tuple[int, str]] | None = None,
) -> dict[str, tuple[np.ndarray, np.ndarray | None]]:
    """Every column of ``specs`` (name -> (spec, required)), checked; unknown ones refused.

    ``entity`` names the rows in field paths (``"users"``), or None for a flat document;
    ``widths`` gives list columns their required length (see :func:`read_column`).
    """
    for name in table.column_names:
        if name not in specs:
            raise InputError(
                f"is not a known field; allowed: {', '.join(specs)}",
                source=source,
                field=f"{entity}[0].{name}" if entity else name,
            )
    out = {}
    for name, (spec, required) in specs.items():
        if name in table.column_names:
            width = (widths or {}).get(name)
            out[name] = read_column(table, name, spec, entry_path(entity, name), source, width)
        elif required:
            field = f"{entity}[0].{name}" if entity else name
            raise InputError("is required (a column of the file)", source=source, field=field)
    return out


def to_arrow(values: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """A numpy column (``(rows,)`` or ``(rows, width)``) as an Arrow array (list if 2-D)."""
    import pyarrow as pa

    flat = np.ascontiguousarray(values).reshape(-1)
    mask = None if valid is None else ~np.asarray(valid, dtype=bool).reshape(-1)
    array = pa.array(flat, mask=mask)
    if values.ndim == 2:
        return pa.FixedSizeListArray.from_arrays(array, values.shape[1])
    return array


def write_parquet(
    path: str | Path, tag: str, header: Mapping[str, Any], columns: Mapping[str, pa.Array]
) -> Path:
    """Write a jcaco Parquet file atomically (:func:`jcaco.io.files.atomic_path`)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    metadata = {
        SCHEMA_KEY: tag.encode(),
        VERSION_KEY: provenance(revision=False)["version"].encode(),
        HEADER_KEY: dumps_json(dict(header), indent=False),
    }
    table = pa.table(dict(columns)).replace_schema_metadata(metadata)
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp, row_group_size=ROW_GROUP_ROWS)
    return Path(path)


def release_arrow_memory() -> None:
    """Hand the memory Arrow's allocator keeps after a read back to the system (at 10^6 users
    it held some 300 MB once the columns had been copied out)."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()


def parquet_tag(path: str | Path) -> str:
    """The schema tag of a jcaco Parquet file (reads the footer only)."""
    import pyarrow.parquet as pq

    try:
        metadata = pq.read_schema(path).metadata or {}
    except FileNotFoundError:
        raise InputError("file not found", source=str(path)) from None
    except (OSError, ValueError) as exc:  # pyarrow.ArrowInvalid is a ValueError
        raise InputError(
            f"not a Parquet file ({exc.__class__.__name__})", source=str(path)
        ) from None
    if SCHEMA_KEY not in metadata:
        raise InputError(
            'is missing from the file metadata; allowed: "jcaco.scenario/1", "jcaco.instance/1",'
            ' "jcaco.result/1"',
            source=str(path),
            field="schema",
        )
    return metadata[SCHEMA_KEY].decode(errors="replace")


def read_parquet(
    path: str | Path, expected: str | None = None
) -> tuple[str, dict[str, Any], pa.Table]:
    """The schema tag, the header (JSON fields) and the table of a jcaco Parquet file
    (whose tag must be ``expected`` if given)."""
    import pyarrow.parquet as pq

    tag = parquet_tag(path)
    if expected is not None and tag != expected:
        raise InputError(
            f'must be "{expected}" here (got {tag!r})', source=str(path), field="schema"
        )
    try:
        table = pq.read_table(path)
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read Parquet file ({exc})", source=str(path)) from None
    raw = (table.schema.metadata or {}).get(HEADER_KEY, b"{}")
    try:
        header = orjson.loads(raw)  # NaN and infinity are not JSON: refused here
    except orjson.JSONDecodeError as exc:
        raise InputError(
            f"malformed JSON in the file metadata: {exc}", source=str(path), field="jcaco.header"
        ) from None
    if not isinstance(header, dict):
        raise InputError("must be a JSON object", source=str(path), field="jcaco.header")
    return tag, header, table.replace_schema_metadata(None)


def row_fields(model: type[BaseModel]) -> list[str]:
    """The fields of a flat document model that hold one item per user (its list fields)."""
    return [n for n, f in model.model_fields.items() if get_origin(f.annotation) is list]


def write_document_parquet(
    path: str | Path, document: Mapping[str, Any], model: type[BaseModel]
) -> Path:
    """Write a flat document (a result): its per-user list fields as columns, the rest as
    the header. Values may be lists or numpy arrays."""
    rows = row_fields(model)
    header = {k: v for k, v in document.items() if k not in rows and k != "schema"}
    columns = {name: to_arrow(np.asarray(document[name])) for name in rows if name in document}
    return write_parquet(path, str(document["schema"]), header, columns)


def read_document_parquet(path: str | Path) -> dict[str, Any]:
    """The flat document (lists) of a Parquet file written by :func:`write_document_parquet`;
    validate it with its model (``io.read.parse_model``)."""
    tag, header, table = read_parquet(path)
    columns = {name: table.column(name).to_pylist() for name in table.column_names}
    return {"schema": tag, **header, **columns}
