"""What information buys: best response from the per-slot oracle down to MASL's own delays.

Read from the ``horizon`` experiment's rows (or ``brinfo``'s: the default run's cheap subset,
Fig. 9's end points at the figures' T) (:mod:`jcaco.experiments.paper`): at each of its
end points, the BR information ladder — ``br-oracle`` (everything, and an equilibrium granted
inside every slot), ``br`` (the paper's: everybody's a(t), actions and realised times, one move
per slot), ``br`` at the mean fading, ``br`` on the expected game (only its own activity bit:
θ weights) — and MASL (its own delays only). Each value is the mean over seeds of the total
service time over the last W slots before T: at the figures' T (2,000 slots), read from the
stored curve of the long run (the first 2,000 slots of a long run are the short run, slot for
slot), and at the long run's end.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jcaco.experiments.experiment import EndPoints
from jcaco.experiments.paper import DEFAULT_SLOTS, EXPERIMENTS

#: (series label, what it knows), from the most informed to the least.
LADDER: tuple[tuple[str, str], ...] = (
    ("br-oracle", "everything; an equilibrium of every slot's game (reference)"),
    ("br", "a(t), actions and realised times; one move per slot (the paper's BR)"),
    ("br a(t), mean fading", "a(t) and actions, times at the mean fading"),
    ("br expected game", "its own a_i(t); the expected game (θ weights)"),
    ("masl", "its own delays only (b = 0.05)"),
    ("masl b=0.01", "its own delays only (b = 0.01)"),
)


@dataclass(frozen=True)
class LadderRow:
    """One end point: each rung's mean total service time [s] at T and at the run's end."""

    point: int
    label: str
    early_slots: int | None
    end_slots: int
    early_s: dict[str, float]
    end_s: dict[str, float]


def window_mean_at(curve: list[float | None], width: int, window: int, slot: int) -> float | None:
    """Mean of the binned curve over slots ``[slot - window, slot)``, when bins align."""
    if slot % width or window % width or slot > width * len(curve):
        return None
    part = curve[(slot - window) // width : slot // width]
    if any(v is None for v in part):
        return None
    return float(np.mean([float(v) for v in part if v is not None]))


def ladder(table: pa.Table, experiment: str = "horizon") -> list[LadderRow]:
    """The ladder at every end point of ``experiment`` found in ``table``."""
    if "experiment" not in table.column_names:
        return []
    rows = table.filter(pc.equal(table.column("experiment"), experiment)).to_pylist()
    if not rows:
        return []
    exp = EXPERIMENTS[experiment]
    labels = dict(LADDER)
    out = []
    for point in sorted({r["point"] for r in rows}):
        here = [r for r in rows if r["point"] == point and r["algorithm"] in labels]
        if not here:
            continue
        end_slots = int(here[0]["slots"])
        early_slots = DEFAULT_SLOTS if DEFAULT_SLOTS < end_slots else None
        early: dict[str, list[float]] = {}
        end: dict[str, list[float]] = {}
        for r in here:
            end.setdefault(r["algorithm"], []).append(float(r["total_service_time_s"]))
            if early_slots is not None:
                value = window_mean_at(
                    r["curve_total_service_time_s"],
                    int(r["curve_bin_slots"]),
                    int(r["window"]),
                    early_slots,
                )
                if value is not None:
                    early.setdefault(r["algorithm"], []).append(value)
        where = exp.point_label(point) if isinstance(exp.layout, EndPoints) else str(point)
        out.append(
            LadderRow(
                point,
                where,
                early_slots if early else None,
                end_slots,
                {a: float(np.mean(v)) for a, v in early.items()},
                {a: float(np.mean(v)) for a, v in end.items()},
            )
        )
    return out


def _fmt(value: float | None) -> str:
    return "" if value is None or not math.isfinite(value) else f"{value:.1f}"


def ladder_html(table: pa.Table, experiment: str = "horizon") -> str:
    """The ladder of ``experiment`` (``horizon`` or ``brinfo``) as an HTML table (empty when
    the store has none of its rows)."""
    rows = ladder(table, experiment)
    if not rows:
        return ""
    rungs = _rungs(rows)
    head = "".join(
        f"<th>{html.escape(label)}<br><small>{html.escape(knows)}</small></th>"
        for label, knows in rungs
    )
    body = []
    for row in rows:
        for slots, values in ((row.early_slots, row.early_s), (row.end_slots, row.end_s)):
            if slots is None:
                continue
            cells = "".join(f"<td>{_fmt(values.get(label))}</td>" for label, _ in rungs)
            where = html.escape(f"{row.label}, T = {slots:,}")
            body.append(f"<tr><td class=l>{where}</td>{cells}</tr>")
    return (
        "<h3>What information buys</h3><p>Mean total service time (s) over the last W slots "
        "before T and over seeds, from the most informed best response to MASL.</p>"
        f"<table><tr><th>End point</th>{head}</tr>{''.join(body)}</table>"
    )


def _rungs(rows: list[LadderRow]) -> list[tuple[str, str]]:
    """The rungs of :data:`LADDER` that some row has a value for."""
    seen = {a for row in rows for a in (*row.early_s, *row.end_s)}
    return [(label, knows) for label, knows in LADDER if label in seen]


def ladder_markdown(table: pa.Table, experiment: str = "horizon") -> str:
    """The ladder of ``experiment`` as a markdown table (docs/reproduction.md)."""
    rows = ladder(table, experiment)
    rungs = _rungs(rows)
    head = "| end point | T | " + " | ".join(label for label, _ in rungs) + " |"
    lines = [head, "|" + "---|" * (len(rungs) + 2)]
    for row in rows:
        for slots, values in ((row.early_slots, row.early_s), (row.end_slots, row.end_s)):
            if slots is None:
                continue
            cells = " | ".join(_fmt(values.get(label)) for label, _ in rungs)
            lines.append(f"| {row.label} | {slots:,} | {cells} |")
    return "\n".join(lines)


__all__ = ["LADDER", "LadderRow", "ladder", "ladder_html", "ladder_markdown", "window_mean_at"]
