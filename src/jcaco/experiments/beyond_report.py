"""The report's "Beyond the paper" section: each learner against both planners.

For every point of Figs. 4-10 that has a ``beyond`` run in the store, the rows of the figure
(MASL, the paper's baselines, the full-information planner) and of its ``beyond`` experiment
(the new learners, the same-information planner) share networks, seeds and dynamics, so each
learner's mean realised total service time is divided by each planner's over the seeds that
planner ran (paired). Beside the ratios: what the learner sees (its declared information), its
slots to converge (median over the runs whose convergence flag was ever set), and its Nash gap
(mean over the measurement window and the runs). The closing table gives, per learner, the
worst ratio to the same-information planner over all points, against the goal of 10 %.
"""

from __future__ import annotations

import html
import json
import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from jcaco.experiments.paper import EXPERIMENTS, PLANNER_ALGORITHM
from jcaco.experiments.planner_same_info import SAME_INFO_ALGORITHM
from jcaco.learners.registry import make_learner

#: The issue's goal: within this factor of the same-information planner at every point.
GOAL = 1.10
PLANNERS = (PLANNER_ALGORITHM, SAME_INFO_ALGORITHM)


@dataclass(frozen=True)
class BeyondCell:
    """One learner at one point: its ratios to both planners and its convergence."""

    figure: int
    point: int
    x: float
    algorithm: str
    information: str
    to_full: float
    to_same: float
    converged_slot: float
    converged_share: float
    nash_gap_s: float


def information_of(learner: str, params: str | None) -> str:
    """``own / mean / loads`` for a stored row's learner and parameters ('' if unknown)."""
    try:
        info = make_learner(learner, json.loads(params or "{}")).declares()
    except Exception:  # a user's learner that is not importable here
        return ""
    return f"{info.activity} / {info.channel} / {info.others}"


def _paired(values: dict[int, float], reference: dict[int, float]) -> float:
    seeds = [s for s in reference if s in values]
    if not seeds:
        return math.nan
    return float(np.mean([values[s] for s in seeds]) / np.mean([reference[s] for s in seeds]))


def beyond_cells(table: pa.Table) -> list[BeyondCell]:
    """Every (figure, point, learner) of the figures that have a ``beyond`` run."""
    figures = sorted(
        {EXPERIMENTS[e].number for e in set(table.column("experiment").to_pylist())}
        & {n for n in range(4, 11) if f"beyond{n}" in set(table.column("experiment").to_pylist())}
    )
    rows = [
        r
        for r in table.to_pylist()
        if r["experiment"] in {f"fig{n}" for n in figures} | {f"beyond{n}" for n in figures}
    ]
    totals: dict[tuple[int, int, str], dict[int, float]] = defaultdict(dict)
    meta: dict[tuple[int, int, str], list[dict]] = defaultdict(list)
    for r in rows:
        key = (EXPERIMENTS[r["experiment"]].number, int(r["point"]), r["algorithm"])
        totals[key][int(r["seed"])] = float(r["total_service_time_s"])
        meta[key].append(r)
    cells = []
    for (fig, point, alg), values in sorted(totals.items()):
        first = meta[fig, point, alg][0]
        if first["learner"] in PLANNERS:
            continue
        full = totals.get((fig, point, PLANNER_ALGORITHM), {})
        same = totals.get((fig, point, "planner same-info"), {})
        slots = [r["converged_slot"] for r in meta[fig, point, alg] if r["converged_slot"] >= 0]
        gaps = [r["nash_gap_s"] for r in meta[fig, point, alg] if r["nash_gap_s"] is not None]
        cells.append(
            BeyondCell(
                fig, point, float(first["x"]), alg,
                information_of(first["learner"], first["params"]),
                _paired(values, full), _paired(values, same),
                float(np.median(slots)) if slots else math.nan,
                len(slots) / len(meta[fig, point, alg]),
                float(np.mean(gaps)) if gaps else math.nan,
            )
        )  # fmt: skip
    return cells


def worst_to_same(cells: list[BeyondCell]) -> dict[str, BeyondCell]:
    """Per learner, its cell with the largest ratio to the same-information planner."""
    worst: dict[str, BeyondCell] = {}
    for c in cells:
        if math.isfinite(c.to_same) and (
            c.algorithm not in worst or c.to_same > worst[c.algorithm].to_same
        ):
            worst[c.algorithm] = c
    return worst


def _fmt(value: float, digits: str = ".2f") -> str:
    return format(value, digits) if math.isfinite(value) else "–"


def beyond_html(table: pa.Table) -> str:
    """The section: one table per figure, then the closing table against the goal."""
    cells = beyond_cells(table)
    if not cells:
        return "<p>No <code>beyond</code> run in the store (<code>--only beyond</code>).</p>"
    parts = [
        "<p>Each cell: the learner's mean realised total service time over the "
        "<b>same-information planner</b>'s (the optimum of (15) at the slot's positions and the "
        "mean fading, scored on the slot's realised activity and fading) / over the "
        "<b>full-information planner</b>'s (the optimum of the realised slot game (14)), each "
        "over the seeds that planner ran (paired). <i>converge</i>: median slot at which the "
        "learner's convergence flag was first set, over the runs where it was (share of runs in "
        "brackets); <i>Nash gap</i>: mean over the window, points and runs [s].</p>"
    ]
    for fig in sorted({c.figure for c in cells}):
        exp = EXPERIMENTS[f"fig{fig}"]
        mine = [c for c in cells if c.figure == fig]
        points = sorted({(c.point, c.x) for c in mine})
        head = "".join(f"<th>{exp.display(x):g}</th>" for _, x in points)
        body = []
        for alg in dict.fromkeys(c.algorithm for c in mine):
            row = {c.point: c for c in mine if c.algorithm == alg}
            first = next(iter(row.values()))
            ratios = "".join(
                f"<td>{_fmt(row[p].to_same)} / {_fmt(row[p].to_full)}</td>"
                if p in row
                else "<td></td>"
                for p, _ in points
            )
            slots = [c.converged_slot for c in row.values() if math.isfinite(c.converged_slot)]
            share = np.mean([c.converged_share for c in row.values()])
            gaps = [c.nash_gap_s for c in row.values() if math.isfinite(c.nash_gap_s)]
            slot = _fmt(float(np.median(slots)) if slots else math.nan, ".0f")
            gap = _fmt(float(np.mean(gaps)) if gaps else math.nan)
            body.append(
                f"<tr><td class=l>{html.escape(alg)}</td><td class=l>{first.information}</td>"
                f"{ratios}<td>{slot} ({share:.2f})</td><td>{gap}</td></tr>"
            )
        parts.append(
            f"<h3>Fig. {fig}: {html.escape(exp.x_label)}</h3><table><tr><th>learner</th>"
            f"<th>sees</th>{head}<th>converge</th><th>Nash gap</th></tr>{''.join(body)}</table>"
        )
    closing = []
    for alg, c in worst_to_same(cells).items():
        exp = EXPERIMENTS[f"fig{c.figure}"]
        values = np.array([d.to_same for d in cells if d.algorithm == alg])
        values = values[np.isfinite(values)]
        met = c.to_same <= GOAL
        verdict = "met" if met else f"missed by {(c.to_same - GOAL) * 100:.1f} points"
        closing.append(
            f"<tr><td class=l>{html.escape(alg)}</td><td>{values.mean():.3f}</td>"
            f"<td>{c.to_same:.3f}</td>"
            f"<td class=l>Fig. {c.figure}, {html.escape(exp.x_label)} = {exp.display(c.x):g}</td>"
            f"<td>{np.sum(values <= GOAL)}/{values.size}</td><td class=l>{verdict}</td></tr>"
        )
    parts.append(
        f"<h3>Against the goal: within {GOAL - 1:.0%} of the same-information planner at every "
        "point</h3><table><tr><th>learner</th><th>mean ratio</th><th>worst ratio</th>"
        f"<th>where</th><th>points within</th><th>goal</th></tr>{''.join(closing)}</table>"
    )
    return "\n".join(parts)


__all__ = ["GOAL", "BeyondCell", "beyond_cells", "beyond_html", "information_of", "worst_to_same"]
