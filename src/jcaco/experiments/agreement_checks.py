"""How the data decide a claim of Section VII: held, not held or inconclusive.

Every check reads the per-point statistics and the stored rows and returns a
:class:`Verdict`. The rules:

* "A is lower than B" at a point uses the paired difference A − B over seeds with its 95%
  interval (:func:`jcaco.experiments.intervals.paired`): lower when the interval is below
  zero, higher when above, undecided when it covers zero. Over many points the claim is held
  when A is lower at every point, not held when A is higher at some point, inconclusive
  otherwise.
* "MASL is lowest" is judged against the *competitors* only; variants and references are
  listed beside it for information.
* A trend ("decreases as x grows") uses every point: the least-squares slope over every
  (point, seed) value, and the Welch difference of each pair of neighbouring points. Held
  when the slope is significant in the claimed direction and no step is significantly
  against it; not held when the slope or a step is significantly against it.
* Convergence ("decreases and then stabilises") pairs each seed's first, next-to-last and
  last quarter of its curve and shows the share of seeds whose learner converged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pyarrow as pa

from jcaco.experiments.intervals import Interval, paired, seed_values, slope, welch
from jcaco.experiments.paper import EXPERIMENTS
from jcaco.experiments.summary import PointStat, by_series, mean_curves, seed_curves

Status = Literal["held", "not held", "inconclusive", "not evaluated"]
Check = Callable[[list[PointStat], pa.Table], "Verdict"]

#: A curve "stabilises" when its last quarter's mean moves less than this (relative) from
#: the quarter before, or the move's 95% interval covers zero.
STABLE_TOLERANCE = 0.05


@dataclass(frozen=True)
class Verdict:
    """The outcome of one claim and the numbers that decide it."""

    status: Status
    evidence: str


NO_DATA = Verdict("not evaluated", "no data in the store for this figure")


def decide(outcomes: Iterable[int]) -> Status:
    """+1 (for the claim) everywhere: held; any -1 (against it): not held; else inconclusive."""
    seen = list(outcomes)
    if any(o < 0 for o in seen):
        return "not held"
    return "held" if seen and all(o > 0 for o in seen) else "inconclusive"


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def axis_value(fig: str, x: float) -> str:
    """``x`` in the figure's axis unit, e.g. ``6 MHz``."""
    exp = EXPERIMENTS.get(fig)
    if exp is None:
        return _fmt(x)
    return f"{exp.display(x):g}{' ' + exp.x_unit if exp.x_unit else ''}"


def where(stat: PointStat) -> str:
    """``fig4 x=6`` or, for points with their own caption, that caption."""
    exp = EXPERIMENTS.get(stat.experiment)
    if exp is not None and exp.point_labels and stat.point < len(exp.point_labels):
        return exp.point_labels[stat.point]
    return f"{stat.experiment} x={axis_value(stat.experiment, stat.x)}"


def lower(
    winner: str, loser: str, figs: tuple[str, ...], metric: str = "total_service_time_s"
) -> Check:
    """Claim: ``winner``'s ``metric`` is lower than ``loser``'s at every point of ``figs``."""

    def check(stats: list[PointStat], table: pa.Table) -> Verdict:
        values = seed_values(table, metric)
        diffs: list[tuple[Interval, PointStat]] = []
        for fig in figs:
            series = by_series(stats, fig)
            if winner not in series or loser not in series:
                continue
            for w in series[winner]:
                d = paired(values.get((fig, w.point, winner), {}),
                           values.get((fig, w.point, loser), {}))  # fmt: skip
                if d is not None:
                    diffs.append((d, w))
        if not diffs:
            return NO_DATA
        signs = [d.sign for d, _ in diffs]
        worst, at = max(diffs, key=lambda item: item[0].high)
        unit = "" if metric == "switches" else " s"
        evidence = (
            f"{winner} − {loser} ({metric}, paired over seeds): lower at {signs.count(-1)}, "
            f"higher at {signs.count(1)}, undecided at {signs.count(0)} of {len(diffs)} "
            f"points; least favourable {worst.text(unit)} ({where(at)})"
        )
        return Verdict(decide(-s for s in signs), evidence)

    return check


def _lowest_at(
    stats: list[PointStat], table: pa.Table, fig: str, label: str
) -> tuple[list[int], list[str], dict[str, int], int] | None:
    """Per point of ``fig``: +1 if ``label`` is below every competitor, -1 if a competitor is
    below it, 0 otherwise; the notes; per non-competitor how often it is below ``label``."""
    series = by_series(stats, fig)
    if label not in series:
        return None
    values = seed_values(table)
    outcomes, notes = [], []
    others: dict[str, int] = {}
    for p in series[label]:
        mine = values.get((fig, p.point, label), {})
        beaten, undecided, rivals = [], [], 0
        for alg, pts in series.items():
            hit = [q for q in pts if q.point == p.point]
            if alg == label or not hit or hit[0].learner == p.learner:
                continue
            d = paired(mine, values.get((fig, p.point, alg), {}))
            if d is None:
                continue
            if hit[0].role != "competitor":
                tag = f"{alg} ({hit[0].role})"
                others[tag] = others.get(tag, 0) + (d.sign > 0)
                continue
            rivals += 1
            if d.sign > 0:
                beaten.append(f"{alg} {d.text()}")
            elif d.sign == 0:
                undecided.append(f"{alg} {d.text()}")
        if rivals == 0:
            continue
        outcomes.append(-1 if beaten else (0 if undecided else 1))
        if beaten:
            notes.append(f"beaten at {where(p)} by " + ", ".join(beaten))
        elif undecided:
            notes.append(f"undecided at {where(p)}: " + ", ".join(undecided))
    return outcomes, notes, others, len(series[label])


def lowest(fig: str, label: str = "masl") -> Check:
    """Claim: ``label`` has the lowest total at every point of ``fig`` among the competitors
    (paired differences with each; variants and references listed for information)."""

    def check(stats: list[PointStat], table: pa.Table) -> Verdict:
        found = _lowest_at(stats, table, fig, label)
        if found is None or not found[0]:
            return NO_DATA
        outcomes, notes, others, n = found
        converged = [s for s in stats if s.experiment == fig and s.algorithm == label]
        share = float(np.mean([s.converged_share for s in converged]))
        evidence = (
            f"{label} significantly below every competitor at {outcomes.count(1)}/"
            f"{len(outcomes)} points (paired differences {label} − competitor)"
            + ("; " + "; ".join(notes) if notes else "")
            + f"; {label}'s learner converged on {share:.0%} of runs"
        )
        if others:
            info = ", ".join(f"{k} below {label} at {v}/{n}" for k, v in sorted(others.items()))
            evidence += f". For information, not competitors: {info} points"
        return Verdict(decide(outcomes), evidence)

    return check


def all_lowest(figs: tuple[str, ...]) -> Check:
    """Claim: MASL is lowest at every point of every figure in ``figs``."""

    def check(stats: list[PointStat], table: pa.Table) -> Verdict:
        verdicts = [lowest(f)(stats, table) for f in figs]
        tested = [v for v in verdicts if v.status != "not evaluated"]
        if not tested:
            return NO_DATA
        counts = {s: sum(v.status == s for v in tested) for s in ("held", "not held")}
        status = decide(
            1 if v.status == "held" else (-1 if v.status == "not held" else 0) for v in tested
        )
        return Verdict(
            status,
            f"MASL lowest among the competitors in {counts['held']}/{len(tested)} figures, "
            f"beaten in {counts['not held']}, undecided in the rest",
        )

    return check


def trend(fig: str, direction: str) -> Check:
    """Claim: every competitor's total ``direction`` ("decreases"/"increases") in x."""
    sign = -1 if direction == "decreases" else 1

    def check(stats: list[PointStat], table: pa.Table) -> Verdict:
        exp = EXPERIMENTS.get(fig)
        series = {a: p for a, p in by_series(stats, fig).items() if p[0].role == "competitor"}
        if exp is None or not series or min(len(p) for p in series.values()) < 2:
            return NO_DATA
        values = seed_values(table)
        outcomes, parts = [], []
        per = f" s per {exp.x_unit}" if exp.x_unit else " s per unit"
        for alg, pts in series.items():
            ys = [np.array(list(values.get((fig, p.point, alg), {}).values())) for p in pts]
            xs = [np.full(y.size, exp.display(p.x)) for p, y in zip(pts, ys, strict=True)]
            fit = slope(np.concatenate(xs), np.concatenate(ys))
            steps = [welch(b, a).sign for a, b in zip(ys, ys[1:], strict=False)]
            against = fit.sign == -sign or -sign in steps
            outcomes.append(-1 if against else (1 if fit.sign == sign else 0))
            parts.append(
                f"{alg} {_fmt(pts[0].mean_s)}→{_fmt(pts[-1].mean_s)} s (slope {fit.text(per)}; "
                f"of {len(steps)} steps {steps.count(sign)} significantly with, "
                f"{steps.count(-sign)} against)"
            )
        status = decide(outcomes)
        bad = [a for a, o in zip(series, outcomes, strict=True) if o < 0]
        head = {"held": "every competitor", "not held": f"not for {', '.join(bad)}"}.get(
            status, "not significant for every competitor"
        )
        return Verdict(status, f"{head}: " + "; ".join(parts))

    return check


def decreases_then_stable(exp: str) -> Check:
    """Claim: each curve of ``exp`` decreases (last quarter below the first, paired over
    seeds) and then stabilises (the last quarter moved from the one before by less than
    :data:`STABLE_TOLERANCE`, or by an amount whose interval covers zero)."""

    def check(stats: list[PointStat], table: pa.Table) -> Verdict:
        curves = seed_curves(table, exp)
        if not curves:
            return NO_DATA
        share = {s.algorithm: s for s in stats if s.experiment == exp}
        outcomes, parts = [], []
        for alg, (_, per_seed) in sorted(curves.items()):
            q = max(1, per_seed.shape[1] // 4)
            first = np.nanmean(per_seed[:, :q], axis=1)  # [seeds]
            prev = np.nanmean(per_seed[:, -2 * q : -q], axis=1)
            last = np.nanmean(per_seed[:, -q:], axis=1)
            fall = paired(dict(enumerate(last)), dict(enumerate(first)))
            move = paired(dict(enumerate(last)), dict(enumerate(prev)))
            assert fall is not None and move is not None
            drift = abs(move.mean) / last.mean() if last.mean() > 0 else 0.0
            settled = drift < STABLE_TOLERANCE or move.sign == 0
            outcomes.append(-1 if fall.sign > 0 or not settled else (1 if fall.sign < 0 else 0))
            stat = share.get(alg)
            runs = f"{round(stat.converged_share * stat.seeds)}/{stat.seeds}" if stat else "?"
            parts.append(
                f"{alg}: last − first quarter {fall.text()}, last − previous quarter "
                f"{move.text()} ({drift * 100:.1f}%); learner converged (its flag set at the "
                f"end) on {runs} seeds"
            )
        return Verdict(decide(outcomes), "; ".join(parts))

    return check


def _rate_points(stats: list[PointStat]) -> dict[float, PointStat]:
    return {s.x: s for s in stats if s.experiment == "fig3"}


def rates_tradeoff(which: str) -> Check:
    """Claims of Fig. 3 on the final values (paired over seeds: every rate runs on the same
    networks and seeds) or, for ``speed``, on the mean curves."""

    def check(stats: list[PointStat], table: pa.Table) -> Verdict:
        pts = _rate_points(stats)
        if len(pts) < 3:
            return NO_DATA
        values = seed_values(table)
        final = {r: values.get(("fig3", s.point, s.algorithm), {}) for r, s in pts.items()}
        rates = sorted(pts)
        small, large, moderate = rates[0], rates[-1], rates[1:-1]
        best = min(moderate, key=lambda r: pts[r].mean_s)
        listing = ", ".join(f"b={r:g}: {_fmt(pts[r].mean_s)} s" for r in rates)

        def diff(a: float, b: float) -> Interval:
            d = paired(final[a], final[b])
            return d if d is not None else Interval(np.nan, np.nan, np.nan, 0)

        if which in ("large", "small"):
            d = diff(large if which == "large" else small, best)
            status = decide([d.sign])
            listing += f"; b={large if which == 'large' else small:g} − b={best:g}: {d.text()}"
        elif which == "moderate":
            wins = [diff(best, r) for r in (small, large)]
            extreme_best = any(all(diff(e, m).sign < 0 for m in moderate) for e in (small, large))
            status = "not held" if extreme_best else decide(-w.sign for w in wins)
            pairs = zip((small, large), wins, strict=True)
            listing += "; " + ", ".join(f"b={best:g} − b={r:g}: {w.text()}" for r, w in pairs)
        else:  # speed: the largest rate settles first
            settle = settling_slots(table)
            if not settle:
                return NO_DATA
            fastest = min(settle, key=lambda r: settle[r])
            status = "held" if fastest == large else "not held"
            listing = "slots to get halfway from the start to the best final value: " + ", ".join(
                f"b={r:g}: {s} slots" for r, s in sorted(settle.items())
            )
        return Verdict(status, listing)

    return check


def settling_slots(table: pa.Table) -> dict[float, int]:
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


__all__ = [
    "NO_DATA",
    "Verdict",
    "all_lowest",
    "axis_value",
    "decide",
    "decreases_then_stable",
    "lower",
    "lowest",
    "rates_tradeoff",
    "trend",
    "where",
]
