"""A ``jcaco.instance/1`` game as a Parquet file (layout: :mod:`jcaco.io.parquet`).

One row per user with the instance's per-user fields as columns: ``activity``, ``tx_time_s``
(a list of M), ``steps`` and ``compute_time_s`` (lists of K, null where the server cannot meet
the user's accuracy) and, when the geometry is known, ``distance_m`` (a list of M, kept in
``meta`` by the JSON form); ``meta`` is the header. The columns are checked with numpy
against :class:`jcaco.model.schema.InstanceModel`'s constraints, with the JSON path's
field names (``tx_time_s[3][1]``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from jcaco.errors import InputError
from jcaco.io import parquet as pio
from jcaco.model.build import meta_array
from jcaco.model.instance import GameInstance
from jcaco.model.schema import INSTANCE_SCHEMA, InstanceModel

#: Per-user arrays of the JSON form's ``meta`` that the Parquet form keeps as columns.
_META_COLUMNS = ("distance_m",)


def _meta(instance: GameInstance, meta: dict[str, Any] | None) -> dict[str, Any]:
    """The header ``meta``: as :func:`jcaco.model.build.instance_to_dict` less the columns."""
    out: dict[str, Any] = {
        k: v for k, v in instance.meta.items() if k not in ("batch", "distance_m")
    }
    if instance.capacity_flops is not None:
        out["capacity_flops"] = np.asarray(instance.capacity_flops).tolist()
    out.update(meta or {})
    return out


def write_instance_parquet(
    instance: GameInstance, path: str | Path, meta: dict[str, Any] | None = None
) -> Path:
    """Write a single (unbatched) instance as a ``jcaco.instance/1`` Parquet file."""
    feasible = instance.feasible
    columns = {
        "activity": pio.to_arrow(np.asarray(instance.theta, dtype=float)),
        "tx_time_s": pio.to_arrow(np.asarray(instance.tx_time_s, dtype=float)),
        "steps": pio.to_arrow(np.asarray(instance.steps, dtype=np.int64), feasible),
        "compute_time_s": pio.to_arrow(np.asarray(instance.compute_time_s, dtype=float), feasible),
    }
    if instance.distance_m is not None:
        columns["distance_m"] = pio.to_arrow(np.asarray(instance.distance_m, dtype=float))
    return pio.write_parquet(path, INSTANCE_SCHEMA, {"meta": _meta(instance, meta)}, columns)


def column_specs() -> dict[str, tuple[pio.ColumnSpec, bool]]:
    """Each column's spec and whether it is required, in the file's order."""
    fields = InstanceModel.model_fields
    specs = {
        name: (pio.field_spec(fields[name], rows=True), True)
        for name in ("activity", "tx_time_s", "steps", "compute_time_s")
    }
    specs["distance_m"] = (pio.column_spec(list[float]), False)
    return specs


def read_instance_parquet(path: str | Path) -> GameInstance:
    """A :class:`GameInstance` from a ``jcaco.instance/1`` Parquet file, checked."""
    source = str(path)
    tag, header, table = pio.read_parquet(path, INSTANCE_SCHEMA)
    unknown = sorted(set(header) - {"meta"})
    if unknown:
        raise InputError("is not a known field; allowed: meta", source=source, field=unknown[0])
    meta = header.get("meta", {})
    if not isinstance(meta, dict):
        raise InputError("must be a JSON object", source=source, field="meta")
    if table.num_rows == 0:
        raise InputError("needs at least one user (row)", source=source, field="activity")
    columns = pio.read_columns(table, column_specs(), None, source)
    steps, steps_valid = columns["steps"]
    compute, compute_valid = columns["compute_time_s"]
    if steps.shape[1] != compute.shape[1]:
        raise InputError(
            "needs as many columns as steps (one per server)", source=source, field="compute_time_s"
        )
    feasible = np.ones(steps.shape, dtype=bool) if steps_valid is None else steps_valid
    computed = np.ones(compute.shape, dtype=bool) if compute_valid is None else compute_valid
    if (feasible != computed).any():
        row, col = np.unravel_index(int(np.argmax(feasible != computed)), feasible.shape)
        raise InputError(
            "must be null exactly where steps is null",
            source=source,
            field=f"compute_time_s[{row}][{col}]",
        )
    distance = columns.get("distance_m", (None, None))[0]
    del table
    pio.release_arrow_memory()
    try:
        capacity = meta_array(meta, "capacity_flops", (steps.shape[1],), "capacities [FLOP/s] > 0")
    except InputError as exc:
        raise exc.with_source(source) from None
    return GameInstance(
        theta=columns["activity"][0],
        tx_time_s=columns["tx_time_s"][0],
        compute_time_s=np.where(feasible, compute, np.inf),
        steps=np.where(feasible, steps, 0),
        distance_m=distance,
        capacity_flops=capacity,
        meta=meta,
    )


__all__ = ["column_specs", "write_instance_parquet", "read_instance_parquet"]
