"""The report's "Beyond the paper" section: each learner against both planners.

For every point of Figs. 4-10 that has a ``beyond`` run in the store, the rows of the figure
(MASL, the paper's baselines, the full-information planner) and of its ``beyond`` experiment
(the new learners, the same-information planner) share networks, seeds and dynamics, so each
learner's realised total service time is divided by each planner's at exactly the planner's
sampled slots of the same seeds, paired by seed and slot, with a bootstrap interval
(:mod:`jcaco.experiments.references`). Beside the ratios: what the learner sees (its declared
information), its slots to converge (median over the runs whose convergence flag was ever
set), and its Nash gap (mean over the measurement window and the runs). The closing table
gives, per learner, the worst ratio to the same-information planner over all points, against
the goal of 10 %: met when the interval's upper end is within 10% at every point, missed when
its lower end is beyond 10% at some point, undecided otherwise.
"""

from __future__ import annotations

import html
import json
import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jcaco.experiments.paper import EXPERIMENTS, PLANNER_ALGORITHM
from jcaco.experiments.planner_same_info import SAME_INFO_ALGORITHM
from jcaco.experiments.references import PairedRatio, paired_ratios
from jcaco.learners.plugins import trusted
from jcaco.learners.registry import make_learner

#: The issue's goal: within this factor of the same-information planner at every point.
GOAL = 1.10
PLANNERS = (PLANNER_ALGORITHM, SAME_INFO_ALGORITHM)


#: The information the goal allows: a user's own activity and delays (at most its own
#: channel) and at most one number broadcast per AP and server (``others="loads"``).
OWN_LEVELS = {"activity": ("theta", "own"), "others": ("none", "count", "active-count", "loads")}


def own_information(information: str) -> bool:
    """Whether a cell's ``information`` (``activity / channel / others``) is within the goal's."""
    parts = information.split(" / ")
    if len(parts) != 3:
        return False
    activity, channel, others = parts
    return (
        activity in OWN_LEVELS["activity"]
        and channel in ("mean", "own")
        and others in OWN_LEVELS["others"]
    )


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
    same: PairedRatio | None
    converged_slot: float
    converged_share: float
    nash_gap_s: float


def information_of(learner: str, params: str | None) -> str:
    """``own / mean / loads`` for a stored row's learner and parameters ('' if unknown).

    A stored name is data: a ``package.module:Class`` path is imported only if this run's user
    named it (:func:`jcaco.learners.plugins.trusted`), never because a store says so.
    """
    if not trusted(learner):
        return ""
    try:
        info = make_learner(learner, json.loads(params or "{}")).declares()
    except Exception:  # a user's learner that is not importable here
        return ""
    return f"{info.activity} / {info.channel} / {info.others}"


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
    full = paired_ratios(table, PLANNER_ALGORITHM)
    same = paired_ratios(table, SAME_INFO_ALGORITHM)
    totals: dict[tuple[int, int, str], dict[int, float]] = defaultdict(dict)
    meta: dict[tuple[int, int, str], list[dict]] = defaultdict(list)
    for r in rows:
        key = (EXPERIMENTS[r["experiment"]].number, int(r["point"]), r["algorithm"])
        totals[key][int(r["seed"])] = float(r["total_service_time_s"])
        meta[key].append(r)
    cells = []
    for fig, point, alg in sorted(totals):
        first = meta[fig, point, alg][0]
        if first["learner"] in PLANNERS:
            continue
        to_full = full.get((f"fig{fig}", point, alg))
        to_same = same.get((f"fig{fig}", point, alg))
        slots = [r["converged_slot"] for r in meta[fig, point, alg] if r["converged_slot"] >= 0]
        gaps = [r["nash_gap_s"] for r in meta[fig, point, alg] if r["nash_gap_s"] is not None]
        cells.append(
            BeyondCell(
                fig, point, float(first["x"]), alg,
                information_of(first["learner"], first["params"]),
                math.nan if to_full is None else to_full.ratio,
                math.nan if to_same is None else to_same.ratio,
                to_same,
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


def by_mean_ratio(cells: list[BeyondCell]) -> list[str]:
    """The learners, closest to the same-information planner (mean over points) first."""
    means: dict[str, list[float]] = defaultdict(list)
    for c in cells:
        if math.isfinite(c.to_same):
            means[c.algorithm].append(c.to_same)
    known = sorted(means, key=lambda a: float(np.mean(means[a])))
    return known + sorted({c.algorithm for c in cells} - set(known))


def goal_status(cells: list[BeyondCell]) -> str:
    """``met``: every point's interval ends within :data:`GOAL` of the same-information
    planner; ``missed``: at some point the whole interval is beyond it; else ``undecided``
    (a point without an interval counts by its ratio alone)."""
    ratios = [c.same for c in cells if c.same is not None and math.isfinite(c.same.ratio)]
    if not ratios:
        return "undecided"

    def hi(r: PairedRatio) -> float:
        return r.high if math.isfinite(r.high) else r.ratio

    def lo(r: PairedRatio) -> float:
        return r.low if math.isfinite(r.low) else r.ratio

    if any(lo(r) > GOAL for r in ratios):
        return "missed"
    return "met" if all(hi(r) <= GOAL for r in ratios) else "undecided"


def _verdict(cells: list[BeyondCell], worst: BeyondCell) -> str:
    status = goal_status(cells)
    if status == "missed":
        return f"missed (worst point {(worst.to_same - GOAL) * 100:+.1f} percentage points)"
    return status


def _fmt(value: float, digits: str = ".2f") -> str:
    return format(value, digits) if math.isfinite(value) else "–"


def beyond_html(table: pa.Table) -> str:
    """The section: one table per figure, then the closing table against the goal."""
    cells = beyond_cells(table)
    if not cells:
        return "<p>No <code>beyond</code> run in the store (<code>--only beyond</code>).</p>"
    order = by_mean_ratio(cells)
    roles = {c.algorithm: _role(table, c.algorithm) for c in cells}
    parts = [
        "<p>Each cell: the learner's mean realised total service time over the "
        "<b>same-information planner</b>'s (the optimum of (15) at the slot's positions and the "
        "mean fading, scored on the slot's realised activity and fading) / over the "
        "<b>full-information planner</b>'s (the optimum of the realised slot game (14)), each "
        "at that planner's sampled slots of the same seeds (paired by seed and slot; the "
        "same-information ratio with its 95% bootstrap interval over seeds). "
        "<i>converge</i>: median slot at which the "
        "learner's convergence flag was first set, over the runs where it was (share of runs in "
        "brackets); <i>Nash gap</i>: mean over the window, points and runs [s]. Rows: closest to "
        "the same-information planner (mean over all points) first; <i>sees</i>: activity / "
        "channel / others (docs/algorithms.md); <i>(reference)</i>: given more than the paper "
        "allows. The planners run the first seeds of each point at a few sampled slots; pairing "
        "by seed and slot removes the slots' activity and fading draws from the ratio, and the "
        "interval shows what remains.</p>"
    ]
    for fig in sorted({c.figure for c in cells}):
        exp = EXPERIMENTS[f"fig{fig}"]
        mine = [c for c in cells if c.figure == fig]
        points = sorted({(c.point, c.x) for c in mine})
        head = "".join(f"<th>{exp.display(x):g}</th>" for _, x in points)
        body = []
        for alg in [a for a in order if any(c.algorithm == a for c in mine)]:
            row = {c.point: c for c in mine if c.algorithm == alg}
            first = next(iter(row.values()))
            ratios = "".join(
                f"<td>{_same(row[p])} / {_fmt(row[p].to_full)}</td>" if p in row else "<td></td>"
                for p, _ in points
            )
            slots = [c.converged_slot for c in row.values() if math.isfinite(c.converged_slot)]
            share = np.mean([c.converged_share for c in row.values()])
            gaps = [c.nash_gap_s for c in row.values() if math.isfinite(c.nash_gap_s)]
            slot = _fmt(float(np.median(slots)) if slots else math.nan, ".0f")
            gap = _fmt(float(np.mean(gaps)) if gaps else math.nan)
            body.append(
                f"<tr><td class=l>{_label(alg, roles)}</td><td class=l>{first.information}</td>"
                f"{ratios}<td>{slot} ({share:.2f})</td><td>{gap}</td></tr>"
            )
        parts.append(
            f"<h3>Fig. {fig}: {html.escape(exp.x_label)}</h3><table class=ratios><tr>"
            f"<th>learner</th><th>sees</th>{head}<th>converge</th><th>Nash gap</th></tr>"
            f"{''.join(body)}</table>"
        )
    closing = []
    worst = worst_to_same(cells)
    for alg in [a for a in order if a in worst]:
        c = worst[alg]
        mine = [d for d in cells if d.algorithm == alg]
        exp = EXPERIMENTS[f"fig{c.figure}"]
        values = np.array([d.to_same for d in cells if d.algorithm == alg])
        values = values[np.isfinite(values)]
        own = "yes" if own_information(c.information) else "no"
        closing.append(
            f"<tr><td class=l>{_label(alg, roles)}</td><td class=l>{c.information}</td>"
            f"<td>{own}</td><td>{values.mean():.3f}</td><td>{_same(c)}</td>"
            f"<td class=l>Fig. {c.figure}, {html.escape(exp.x_label)} = {exp.display(c.x):g}</td>"
            f"<td>{np.sum(values <= GOAL)}/{values.size}</td>"
            f"<td class=l>{_verdict(mine, c)}</td></tr>"
        )
    own_best = next(
        (a for a in order if a in worst and own_information(worst[a].information)), None
    )
    if own_best is not None:
        c = worst[own_best]
        mean = np.mean(
            [d.to_same for d in cells if d.algorithm == own_best and math.isfinite(d.to_same)]
        )
        mine = [d for d in cells if d.algorithm == own_best]
        parts.append(
            f"<p><b>Goal {goal_status(mine)}.</b> The closest learner "
            f"with the goal's information (own delays, at most one broadcast number per AP and "
            f"server), <code>{html.escape(own_best)}</code>, is {mean:.3f}× the "
            f"same-information planner on average over the points and "
            f"{_same(c)} at its worst point ({_verdict(mine, c)}).</p>"
        )
    parts.append(
        f"<h3>Against the goal: within {GOAL - 1:.0%} of the same-information planner at every "
        "point</h3><table><tr><th>learner</th><th>sees</th><th>goal's information</th>"
        "<th>mean ratio</th><th>worst ratio [95% CI]</th><th>where</th><th>points within</th>"
        f"<th>goal</th></tr>{''.join(closing)}</table>"
    )
    return "\n".join(parts)


def _same(cell: BeyondCell) -> str:
    """The ratio to the same-information planner with its interval."""
    return cell.same.text() if cell.same is not None else "–"


def _role(table: pa.Table, algorithm: str) -> str:
    """The stored role of a series (``competitor``, ``variant``, ``reference``)."""
    rows = table.filter(pc.equal(table.column("algorithm"), algorithm)).slice(0, 1).to_pylist()
    return str(rows[0].get("role") or "competitor") if rows else "competitor"


def _label(algorithm: str, roles: dict[str, str]) -> str:
    role = roles.get(algorithm, "competitor")
    suffix = f" <i>({role})</i>" if role != "competitor" else ""
    return html.escape(algorithm) + suffix


__all__ = [
    "GOAL",
    "BeyondCell",
    "beyond_cells",
    "beyond_html",
    "by_mean_ratio",
    "goal_status",
    "information_of",
    "own_information",
    "worst_to_same",
]
