"""Every qualitative claim of the paper's Section VII, checked against the stored data.

Each :class:`Claim` quotes (or closely paraphrases) the paper and has a check that reads the
per-point statistics (and, for the convergence claims, the stored curves) and returns a
:class:`Verdict`: held / not held, with the numbers that decide it. A claim whose figure is
not in the store is "not evaluated". Decisions compare means over seeds (the 95% intervals
are shown beside them in the report's tables).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pyarrow as pa

from jcaco.experiments.paper import EXPERIMENTS
from jcaco.experiments.summary import PointStat, by_series, mean_curves, seed_curves, t_half_width

Status = Literal["held", "not held", "not evaluated"]

#: Figures of the performance comparison (VII-C1–C7) and the direction of their trend.
TRENDS: dict[str, tuple[str, str]] = {
    "fig4": ("decreases", "number of APs"),
    "fig5": ("decreases", "AP bandwidth"),
    "fig6": ("decreases", "number of ES"),
    "fig7": ("decreases", "ES computation capacity"),
    "fig8": ("increases", "FLOPs per inference step"),
    "fig9": ("increases", "number of UEs"),
    "fig10": ("increases", "UE transmission data volume"),
}
#: The algorithms the paper compares (its BR is checked in both our readings, O11).
PAPER_ALGORITHMS = ("masl", "br", "br-sync", "mxfp", "selfish", "raro")
#: A curve "stabilises" when its last quarter's mean moves less than this (relative) from
#: the quarter before.
STABLE_TOLERANCE = 0.05


@dataclass(frozen=True)
class Verdict:
    """The outcome of one claim."""

    status: Status
    evidence: str


@dataclass(frozen=True)
class Claim:
    """A qualitative statement of Sec. VII and how the data decide it."""

    id: str
    section: str
    text: str
    check: Callable[[list[PointStat], pa.Table], Verdict]


NO_DATA = Verdict("not evaluated", "no data in the store for this figure")


def _verdict(ok: bool, evidence: str) -> Verdict:
    return Verdict("held" if ok else "not held", evidence)


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def axis_value(fig: str, x: float) -> str:
    """``x`` in the figure's axis unit, e.g. ``6 MHz``."""
    exp = EXPERIMENTS.get(fig)
    if exp is None:
        return _fmt(x)
    return f"{exp.display(x):g}{' ' + exp.x_unit if exp.x_unit else ''}"


def _trend(fig: str, direction: str) -> Callable[[list[PointStat], pa.Table], Verdict]:
    def check(stats: list[PointStat], table: pa.Table) -> Verdict:
        series = {a: p for a, p in by_series(stats, fig).items() if a in PAPER_ALGORITHMS}
        if not series or min(len(p) for p in series.values()) < 2:
            return NO_DATA
        bad, parts = [], []
        for alg, pts in series.items():
            first, last = pts[0].mean_s, pts[-1].mean_s
            ok = last < first if direction == "decreases" else last > first
            steps = np.diff([p.mean_s for p in pts])
            mono = int(np.sum(steps < 0 if direction == "decreases" else steps > 0))
            parts.append(f"{alg} {_fmt(first)}→{_fmt(last)} s ({mono}/{steps.size} steps)")
            if not ok:
                bad.append(alg)
        head = "every algorithm" if not bad else f"not for {', '.join(bad)}"
        return _verdict(not bad, f"{head}: " + "; ".join(parts))

    return check


def _beats(
    winner: str, loser: str, figs: tuple[str, ...]
) -> Callable[[list[PointStat], pa.Table], Verdict]:
    def check(stats: list[PointStat], table: pa.Table) -> Verdict:
        wins, total, worst = 0, 0, None
        for fig in figs:
            series = by_series(stats, fig)
            if winner not in series or loser not in series:
                continue
            other = {p.point: p for p in series[loser]}
            for w in series[winner]:
                if w.point not in other:
                    continue
                lo = other[w.point]
                total += 1
                gap = (lo.mean_s - w.mean_s) / lo.mean_s * 100.0
                wins += gap > 0
                if worst is None or gap < worst[0]:
                    worst = (gap, fig, w.x)
        if total == 0 or worst is None:
            return NO_DATA
        evidence = (
            f"{winner} below {loser} at {wins}/{total} points; "
            f"smallest margin {worst[0]:+.1f}% ({worst[1]}, x={axis_value(worst[1], worst[2])})"
        )
        return _verdict(wins == total, evidence)

    return check


def _lowest(fig: str) -> Callable[[list[PointStat], pa.Table], Verdict]:
    def check(stats: list[PointStat], table: pa.Table) -> Verdict:
        series = by_series(stats, fig)
        if "masl" not in series:
            return NO_DATA
        at = {
            a: {p.point: p.mean_s for p in pts}
            for a, pts in series.items()
            if a != "masl" and a in PAPER_ALGORITHMS
        }
        lost = []
        for p in series["masl"]:
            rivals = {a: v[p.point] for a, v in at.items() if p.point in v}
            if not rivals:
                continue
            best = min(rivals, key=lambda a: rivals[a])
            if rivals[best] <= p.mean_s:
                lost.append(f"x={axis_value(fig, p.x)}: {best} {_fmt(rivals[best])} s "
                            f"vs masl {_fmt(p.mean_s)} s")  # fmt: skip
        n = len(series["masl"])
        evidence = f"MASL lowest at {n - len(lost)}/{n} points" + (
            "; beaten at " + "; ".join(lost) if lost else ""
        )
        return _verdict(not lost, evidence)

    return check


def _more_stable(alg: str) -> Callable[[list[PointStat], pa.Table], Verdict]:
    def check(stats: list[PointStat], table: pa.Table) -> Verdict:
        m = [s.switches for s in stats if s.algorithm == "masl" and s.experiment in TRENDS]
        b = [s.switches for s in stats if s.algorithm == alg and s.experiment in TRENDS]
        if not m or not b:
            return NO_DATA
        mm, bb = float(np.mean(m)), float(np.mean(b))
        return _verdict(
            mm < bb,
            f"users switching (AP, ES) per slot in the last window, mean over points: "
            f"masl {mm:.3g}, {alg} {bb:.3g}",
        )

    return check


def _curve_decreases_then_stable(exp: str) -> Callable[[list[PointStat], pa.Table], Verdict]:
    """Decreases: the last quarter's mean is below the first quarter's. Stabilises: the last
    quarter moved from the quarter before by less than :data:`STABLE_TOLERANCE`, or by less than
    the 95% interval of that change over seeds (paired), i.e. no detectable drift is left."""

    def check(stats: list[PointStat], table: pa.Table) -> Verdict:
        curves = seed_curves(table, exp)
        if not curves:
            return NO_DATA
        share = {s.algorithm: s.converged_share for s in stats if s.experiment == exp}
        bad, parts = [], []
        for alg, (_, per_seed) in sorted(curves.items()):
            q = max(1, per_seed.shape[1] // 4)
            first = np.nanmean(per_seed[:, :q], axis=1)  # [seeds]
            prev = np.nanmean(per_seed[:, -2 * q : -q], axis=1)
            last = np.nanmean(per_seed[:, -q:], axis=1)
            change = last - prev
            drift = abs(change.mean()) / last.mean() if last.mean() > 0 else 0.0
            half = t_half_width(change)
            settled = drift < STABLE_TOLERANCE or (np.isfinite(half) and abs(change.mean()) <= half)
            ok = last.mean() < first.mean() and bool(settled)
            parts.append(
                f"{alg}: first quarter {_fmt(first.mean())} s, last {_fmt(last.mean())} s, "
                f"change over the last quarter {change.mean():+.3g} s ({drift * 100:.1f}%, "
                f"95% CI ±{half:.3g} s); seeds with the learner's convergence flag set at the "
                f"end: {share.get(alg, float('nan')):.0%}"
            )
            if not ok:
                bad.append(alg)
        return _verdict(not bad, "; ".join(parts))

    return check


def _rates_tradeoff(which: str) -> Callable[[list[PointStat], pa.Table], Verdict]:
    def check(stats: list[PointStat], table: pa.Table) -> Verdict:
        pts = sorted((s for s in stats if s.experiment == "fig3"), key=lambda s: s.x)
        if len(pts) < 3:
            return NO_DATA
        final = {s.x: s.mean_s for s in pts}
        rates = sorted(final)
        small, large, moderate = rates[0], rates[-1], rates[1:-1]
        best_mod = min(moderate, key=lambda r: final[r])
        listing = ", ".join(f"b={r:g}: {_fmt(final[r])} s" for r in rates)
        if which == "large":
            ok = final[large] > final[best_mod]
        elif which == "small":
            ok = final[small] > final[best_mod]
        elif which == "moderate":
            ok = min(rates, key=lambda r: final[r]) in moderate
        else:  # speed: the largest rate settles first
            settle = _settling_slots(table)
            if not settle:
                return NO_DATA
            fastest = min(settle, key=lambda r: settle[r])
            ok = fastest == large
            listing = ", ".join(f"b={r:g}: {s} slots" for r, s in sorted(settle.items()))
            listing = "slots to get halfway from the start to the best final value: " + listing
        return _verdict(ok, listing)

    return check


def _settling_slots(table: pa.Table) -> dict[float, int]:
    """Slots each rate needs to get halfway from the common start (every rate starts from the
    same uniform strategies on the same networks) to the best final value of any rate
    (curves averaged over seeds, 40 bins); the run length if it never does."""
    curves = {}
    for label, (slot, mean, _) in mean_curves(table, "fig3", 40).items():
        try:
            curves[float(label.rsplit("=", 1)[1])] = (slot, mean)
        except (IndexError, ValueError):
            continue
    if not curves:
        return {}
    start = float(np.mean([m[0] for _, m in curves.values()]))
    best = min(float(m[-max(1, m.size // 10) :].mean()) for _, m in curves.values())
    target = start + 0.5 * (best - start)
    out = {}
    for rate, (slot, mean) in curves.items():
        reached = np.flatnonzero(mean <= target)
        out[rate] = int(slot[reached[0]]) if reached.size else int(slot[-1] + slot[1])
    return out


_COMPARISON = tuple(TRENDS)


def _claims() -> list[Claim]:
    out = [
        Claim("B1", "VII-B", "Fig. 2: each UE's service time under MASL first decreases and "
              "then stabilises (MASL converges).", _curve_decreases_then_stable("fig2")),
        Claim("B2", "VII-B", "Fig. 3: for every learning rate the total service time first "
              "decreases and then stabilises.", _curve_decreases_then_stable("fig3")),
        Claim("B3", "VII-B", "Fig. 3: a large learning rate converges fastest initially.",
              _rates_tradeoff("speed")),
        Claim("B4", "VII-B", "Fig. 3: a large learning rate ends at a worse (suboptimal) "
              "service time than a moderate one.", _rates_tradeoff("large")),
        Claim("B5", "VII-B", "Fig. 3: moderate learning rates give the best final "
              "performance.", _rates_tradeoff("moderate")),
        Claim("B6", "VII-B", "Fig. 3: an excessively small rate does not reach the best "
              "value within the iterations run.", _rates_tradeoff("small")),
    ]  # fmt: skip
    for i, (fig, (direction, what)) in enumerate(TRENDS.items(), start=1):
        out.append(
            Claim(
                f"C{i}a",
                f"VII-C{i}",
                f"{fig.replace('fig', 'Fig. ')}: the total service "
                f"time of every algorithm {direction} as the {what} grows.",
                _trend(fig, direction),
            )  # fmt: skip
        )
        out.append(
            Claim(
                f"C{i}b",
                f"VII-C{i}",
                f"{fig.replace('fig', 'Fig. ')}: MASL achieves the "
                "lowest total service time at every point.",
                _lowest(fig),
            )  # fmt: skip
        )
    out += [
        Claim("C8a", "VII-C8", "RARO outperforms Selfish (Selfish herds onto the nearest AP "
              "and the strongest ES).", _beats("raro", "selfish", _COMPARISON)),
        Claim("C8b", "VII-C8", "BR outperforms mxFP (BR as sequential best response, `br`).",
              _beats("br", "mxfp", _COMPARISON)),
        Claim("C8c", "VII-C8", "BR outperforms mxFP (BR as simultaneous best response, "
              "`br-sync`).", _beats("br-sync", "mxfp", _COMPARISON)),
        Claim("C8d", "VII-C8", "MASL outperforms BR even without global information (`br`).",
              _beats("masl", "br", _COMPARISON)),
        Claim("C8e", "VII-C8", "MASL outperforms BR even without global information "
              "(`br-sync`).", _beats("masl", "br-sync", _COMPARISON)),
        Claim("C8f", "VII-C8", "MASL is more stable than BR, which oscillates (fewer users "
              "switching per slot than `br-sync`).", _more_stable("br-sync")),
        Claim("C8g", "VII-C8", "MASL outperforms every baseline across Figs. 4-10 "
              "(conclusion: 'significantly outperformed existing benchmark methods').",
              _all_lowest),
    ]  # fmt: skip
    return out


def _all_lowest(stats: list[PointStat], table: pa.Table) -> Verdict:
    verdicts = [_lowest(f)(stats, table) for f in TRENDS]
    tested = [v for v in verdicts if v.status != "not evaluated"]
    if not tested:
        return NO_DATA
    held = sum(v.status == "held" for v in tested)
    return _verdict(held == len(tested), f"MASL lowest at every point in {held}/{len(tested)} "
                    "figures")  # fmt: skip


CLAIMS: list[Claim] = _claims()


def assess(stats: list[PointStat], table: pa.Table) -> list[tuple[Claim, Verdict]]:
    """Every claim with its verdict from the data."""
    return [(c, c.check(stats, table)) for c in CLAIMS]


__all__ = ["CLAIMS", "Claim", "Verdict", "assess"]
