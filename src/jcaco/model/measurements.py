"""Measurement files for ``jcaco calibrate``: quality and latency of diffusion models (CSV).

One row per measurement. Required columns: ``model``, ``steps``, ``error`` (the normalised
AEC ε of docs/catalog.md; blank on a row that is not a quality point). Optional columns read
by the fits: ``latency_s`` (seconds per request at ``steps``), ``step_latency_s`` (seconds per
denoising step), ``gpu``, ``batch`` (latency fits use batch 1 or blank), ``min_steps`` /
``max_steps`` (the model's usable step range) and ``latency_model`` (the model whose latency
serves this one's quality curve). Every other column is kept as provenance. The package ships
a catalog of published numbers in this format (:data:`SHIPPED_CATALOG`).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from jcaco.errors import InputError
from jcaco.io.schema import MAX_STEPS
from jcaco.types import FloatArray

#: The catalog of published numbers shipped with the package (docs/catalog.md).
SHIPPED_CATALOG = "gdm_catalog.csv"
REQUIRED = ("model", "steps", "error")
_NUMERIC = ("steps", "error", "latency_s", "step_latency_s", "batch", "min_steps", "max_steps")
_COUNTS = ("steps", "batch", "min_steps", "max_steps")
_TIMES = ("latency_s", "step_latency_s")
#: The longest latency a row may state [s].
MAX_LATENCY_S = 1e9


def shipped_catalog_path() -> Path:
    """Path of the catalog CSV inside the installed package."""
    return Path(str(resources.files("jcaco") / "data" / SHIPPED_CATALOG))


@dataclass(frozen=True)
class Measurements:
    """A validated measurement file; numeric columns as arrays with NaN where blank.

    Attributes
    ----------
    source : str
        The file read.
    rows : tuple of dict
        Every row with every column as text (provenance).
    model, gpu, latency_model : tuple of str, length num_rows
    steps, error, latency_s, step_latency_s, batch, min_steps, max_steps : ndarray, (num_rows,)
        Steps s, normalised error ε, seconds per request and per step, batch size, usable
        step range; NaN where the cell is blank.
    """

    source: str
    rows: tuple[dict[str, str], ...]
    model: tuple[str, ...]
    gpu: tuple[str, ...]
    latency_model: tuple[str, ...]
    steps: FloatArray
    error: FloatArray
    latency_s: FloatArray
    step_latency_s: FloatArray
    batch: FloatArray
    min_steps: FloatArray
    max_steps: FloatArray

    def models(self) -> list[str]:
        """Model names in the order they first appear."""
        return list(dict.fromkeys(self.model))


def _number(text: str, column: str, line: int, source: str) -> float:
    """One cell: blank (NaN), an integer count in [1, 10^9] (steps, batch, min_steps,
    max_steps), a time in (0, 10^9] s, or an error ε in [0, 1]."""
    field = f"line {line}: {column}"
    text = text.strip()
    if text == "":
        return math.nan
    if column in _COUNTS:
        if not text.isdigit() or not 1 <= int(text) <= MAX_STEPS:
            raise InputError(
                f"must be an integer in [1, {MAX_STEPS}], got {text[:40]!r}",
                source=source,
                field=field,
            )
        return float(text)
    try:
        value = float(text)
    except ValueError:
        raise InputError(
            f"must be a number, got {text[:40]!r}", source=source, field=field
        ) from None
    if not math.isfinite(value):
        raise InputError("must be finite", source=source, field=field)
    if column == "error" and not 0 <= value <= 1:
        raise InputError(
            f"must be a normalised error in [0, 1], got {text[:40]}; a raw metric such as "
            "FID needs a reading first (docs/catalog.md: e.g. error = FID / 200)",
            source=source,
            field=field,
        )
    if column in _TIMES and not 0 < value <= MAX_LATENCY_S:
        raise InputError(
            f"must be a time in (0, {MAX_LATENCY_S:g}] s, got {text[:40]}",
            source=source,
            field=field,
        )
    return value


def read_measurements(path: str | Path) -> Measurements:
    """Read and validate a measurement CSV; bad input raises a one-line :class:`InputError`."""
    source = str(path)
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            header = list(reader.fieldnames or [])
            rows = [dict(r) for r in reader]
    except FileNotFoundError:
        raise InputError("file not found", source=source) from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(
            f"cannot read CSV ({exc.__class__.__name__}: {exc})", source=source
        ) from None
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)}; required: {', '.join(REQUIRED)}",
            source=source,
            field="header",
        )
    values: dict[str, list[float]] = {c: [] for c in _NUMERIC}
    for n, row in enumerate(rows):
        line = n + 2  # the header is line 1
        if not (row.get("model") or "").strip():
            raise InputError("must name a model", source=source, field=f"line {line}: model")
        for column in _NUMERIC:
            values[column].append(_number(row.get(column) or "", column, line, source))
        has_point = not math.isnan(values["error"][-1]) or not math.isnan(values["latency_s"][-1])
        if has_point and math.isnan(values["steps"][-1]):
            raise InputError(
                "must be given where error or latency_s is",
                source=source,
                field=f"line {line}: steps",
            )
    if not rows:
        raise InputError("has no rows", source=source)
    return Measurements(
        source=source,
        rows=tuple(rows),
        model=tuple(r["model"].strip() for r in rows),
        gpu=tuple((r.get("gpu") or "").strip() for r in rows),
        latency_model=tuple((r.get("latency_model") or "").strip() for r in rows),
        **{c: np.array(v, dtype=float) for c, v in values.items()},
    )
