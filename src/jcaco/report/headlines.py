"""The report's headline lines: "MASL reduces the total service time against X by up to Y%",
each with what a reader needs to weigh it.

Per competitor (and per reading of BR, :mod:`jcaco.report.readings`) and per point of
Figs. 4–10 the reduction is 100 · (1 − Σ_seeds MASL / Σ_seeds X) over the seeds both ran
(paired, common random numbers), with a percentile-bootstrap interval over seeds
(:func:`jcaco.experiments.resample.bootstrap_ratio`). A line gives the largest reduction whose
interval lies above zero with its interval and where (by the one verdict rule of
docs/reproduction.md, a reduction whose interval covers zero is never stated as one: the
line then says the reduction is not resolved; likewise "never reduces" needs the best
point's interval to lie below zero), the median and the smallest over the points,
and at how many points the paired difference MASL − X is significantly below / above zero
(:func:`jcaco.report.intervals.paired`). Variants and references never enter.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from jcaco.experiments.paper import EXPERIMENTS
from jcaco.experiments.resample import bootstrap_ratio
from jcaco.experiments.summary import PointStat, by_series
from jcaco.report.agreement import TRENDS
from jcaco.report.agreement_checks import axis_value
from jcaco.report.intervals import paired, seed_values
from jcaco.report.readings import all_reading_series


@dataclass(frozen=True)
class PointReduction:
    """MASL's reduction against one series at one point [%], with its 95% interval."""

    fig: str
    x: float
    percent: float
    low: float
    high: float
    sign: int  # of the paired difference MASL − series: -1 significantly lower


@dataclass(frozen=True)
class Headline:
    """One series' line: every point's reduction, and the summaries the report prints."""

    series: str
    points: list[PointReduction]

    @property
    def best(self) -> PointReduction:
        """The largest reduction."""
        return max(self.points, key=lambda p: p.percent)

    @property
    def best_resolved(self) -> PointReduction | None:
        """The largest reduction whose 95% interval lies above zero (None: no such point)."""
        resolved = [p for p in self.points if math.isfinite(p.low) and p.low > 0]
        return max(resolved, key=lambda p: p.percent, default=None)

    @property
    def smallest(self) -> PointReduction:
        """The smallest reduction (negative: MASL higher there)."""
        return min(self.points, key=lambda p: p.percent)

    @property
    def median(self) -> float:
        """Median reduction over the points [%]."""
        return float(np.median([p.percent for p in self.points]))

    def count(self, sign: int) -> int:
        """Points where MASL − series is significantly below (-1) / above (+1) zero."""
        return sum(p.sign == sign for p in self.points)


def headlines(stats: list[PointStat], table: pa.Table) -> dict[str, Headline]:
    """Per competitor (every reading of BR included) with MASL at a point of Figs. 4–10."""
    values = seed_values(table)
    readings = all_reading_series()
    found: dict[str, list[PointReduction]] = {}
    for fig in TRENDS:
        series = by_series(stats, fig)
        if "masl" not in series:
            continue
        for alg, pts in series.items():
            if pts[0].learner == "masl" or not (pts[0].role == "competitor" or alg in readings):
                continue
            for p in pts:
                mine = values.get((fig, p.point, "masl"), {})
                theirs = values.get((fig, p.point, alg), {})
                common = sorted(set(mine) & set(theirs))
                d = paired(mine, theirs)
                if not common or d is None:
                    continue
                ratio, low, high = bootstrap_ratio(
                    np.array([mine[s] for s in common]), np.array([theirs[s] for s in common])
                )
                found.setdefault(alg, []).append(
                    PointReduction(
                        fig, p.x, 100 * (1 - ratio), 100 * (1 - high), 100 * (1 - low), d.sign
                    )
                )
    return {alg: Headline(alg, pts) for alg, pts in found.items()}


def _where(p: PointReduction) -> str:
    return f"{p.fig}, {EXPERIMENTS[p.fig].x_label} = {axis_value(p.fig, p.x)}"


def _interval(p: PointReduction, sign: float = 1.0) -> str:
    """The interval of ``sign`` × the reduction (-1: of the increase)."""
    if not math.isfinite(p.low):
        return ""
    low, high = sorted((sign * p.low, sign * p.high))
    return f" [{low:.1f}, {high:.1f}]"


def headline_text(h: Headline, name: str) -> str:
    """One plain line (HTML-escaped)."""
    best, worst, resolved = h.best, h.smallest, h.best_resolved
    n = len(h.points)
    if resolved is not None:
        head = (
            f"MASL reduces the total service time against {name} by up to "
            f"{resolved.percent:.1f}%{_interval(resolved)} ({_where(resolved)})"
        )
    elif best.percent > 0:
        head = (
            f"MASL's reduction of the total service time against {name} is not resolved at "
            f"any point: the largest, {best.percent:.1f}%{_interval(best)} ({_where(best)}), "
            f"has an interval that covers zero"
        )
    elif math.isfinite(best.high) and best.high < 0:  # even the best point is resolved higher
        head = (
            f"MASL never reduces the total service time against {name}; at best it is "
            f"{-best.percent:.1f}%{_interval(best, -1.0)} higher ({_where(best)})"
        )
    else:
        head = (
            f"MASL shows no reduction of the total service time against {name} at any point, "
            f"but not resolved: the closest, {-best.percent:.1f}%{_interval(best, -1.0)} "
            f"higher ({_where(best)}), has an interval that covers zero"
        )
    tail = (
        f"; median {h.median:.1f}%, smallest {worst.percent:.1f}%{_interval(worst)} "
        f"({_where(worst)}) over {n} points; MASL significantly lower at {h.count(-1)} of {n} "
        f"points, significantly higher at {h.count(1)}, undecided at {n - h.count(-1) - h.count(1)}"
    )
    return html.escape(head + tail)


__all__ = ["Headline", "PointReduction", "headline_text", "headlines"]
