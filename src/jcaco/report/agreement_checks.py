"""How the data decide a claim of Section VII: held, not held or inconclusive.

Every check reads the per-point statistics, the stored rows and a :class:`Scope` (which
series play the competitors under a reading, :mod:`jcaco.report.readings`) and returns a
:class:`Verdict` with the deciding effect and its 95% interval and how many comparisons
(points, or steps for a trend, or seeds for convergence) are for, against or undecided. The
rules:

* "A is lower than B" at a point uses the paired difference A − B over seeds with its 95%
  interval (:func:`jcaco.report.intervals.paired`): lower when the interval is below
  zero, higher when above, undecided when it covers zero. Over many points the claim is held
  when A is lower at every point, not held when A is higher at some point, inconclusive
  otherwise. The effect shown is the least favourable point's difference
  (:func:`least_favourable`).
* "MASL is lowest" is judged against the *competitors* of the reading only (the reading's BR,
  never the other readings); variants and references are listed beside it for information.
* A trend ("decreases as x grows") uses every point: the least-squares slope over every
  (point, seed) value, and the Welch difference of each pair of neighbouring points. Held
  only when every step (and the slope) is significant in the claimed direction; not held
  when the slope or a step is significantly against it; inconclusive otherwise. The effect
  is the least favourable step, signed so that a negative value goes the claimed way, so a
  held trend's interval lies below zero.
* One rule for all (docs/reproduction.md, "How the Agreement section decides"): held only
  when every comparison's interval excludes zero the claimed way, so an effect interval that
  covers zero never reads held.
* Convergence (Fig. 2, "MASL converges"), a criterion stated before any result was looked at:
  a seed has converged when, at the run's end, its learner's strategies put at least 0.99 on
  one AP and on one server for every user (MASL's convergence flag, ``convergence_threshold``,
  docs/model.md §8 O10). Held when at least :data:`CONVERGED_SHARE` of the seeds meet it and
  the curve decreases (last quarter below the first, paired over seeds); not held when no seed
  meets it or the curve rises; inconclusive otherwise.
* "Decreases and then stabilises" (Fig. 3, every rate) pairs each seed's first, next-to-last
  and last quarter of its curve. Fig. 3's trade-off claims: :mod:`.agreement_rates`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pyarrow as pa

from jcaco.experiments.experiment import EndPoints
from jcaco.experiments.paper import EXPERIMENTS
from jcaco.experiments.summary import PointStat, by_series, seed_curves
from jcaco.report.intervals import Interval, paired, seed_values, slope, welch

Status = Literal["held", "not held", "inconclusive", "not evaluated"]

#: A curve "stabilises" when its last quarter's mean moves less than this (relative) from
#: the quarter before, or the move's 95% interval covers zero.
STABLE_TOLERANCE = 0.05
#: The convergence claim is held when at least this share of seeds converged (module text).
CONVERGED_SHARE = 0.5


@dataclass(frozen=True)
class Scope:
    """Which series play which part under one reading.

    Attributes
    ----------
    reading : str
        The reading's name (``br-sync``), or ``""`` for a claim that depends on none.
    rename : dict of str to str
        A claim's generic name -> the stored series under this reading (``{"BR": "br-sync"}``).
    excluded : frozenset of str
        The other readings' series: never a competitor, never listed.
    """

    reading: str = ""
    rename: dict[str, str] = field(default_factory=dict)
    excluded: frozenset[str] = frozenset()

    def series(self, name: str) -> str:
        """The stored series that plays ``name`` (``BR`` -> ``br-sync``)."""
        return self.rename.get(name, name)

    def competes(self, algorithm: str, role: str) -> bool:
        """Whether a stored series is a competitor under this reading (a reading's series
        is, whatever role it is stored with)."""
        if algorithm in self.excluded:
            return False
        return role == "competitor" or algorithm in self.rename.values()

    def absent_from(self, series: Mapping[str, object]) -> bool:
        """Whether a series this reading puts in a claim is not among ``series`` (one
        experiment's): the claim cannot be judged there under this reading."""
        return any(name not in series for name in self.rename.values())


Check = Callable[[list[PointStat], pa.Table, Scope], "Verdict"]


@dataclass(frozen=True)
class Verdict:
    """The outcome of one claim under one reading and the numbers that decide it.

    Attributes
    ----------
    status : str
        ``held``, ``not held``, ``inconclusive`` or ``not evaluated``.
    evidence : str
        The deciding numbers in words.
    effect : Interval or None
        The deciding effect [s] with its 95% interval, signed so that negative supports the
        claim (None: the claim has no such number, e.g. convergence).
    points : tuple of int
        Comparisons (points, steps or seeds) for, against and undecided.
    """

    status: Status
    evidence: str
    effect: Interval | None = None
    points: tuple[int, int, int] = (0, 0, 0)


NO_DATA = Verdict("not evaluated", "no data in the store for this figure")


def decide(outcomes: Iterable[int]) -> Status:
    """+1 (for the claim) everywhere: held; any -1 (against it): not held; else inconclusive."""
    seen = list(outcomes)
    if any(o < 0 for o in seen):
        return "not held"
    return "held" if seen and all(o > 0 for o in seen) else "inconclusive"


def tally(outcomes: Iterable[int]) -> tuple[int, int, int]:
    """(for, against, undecided) of +1 / -1 / 0 outcomes."""
    seen = list(outcomes)
    return seen.count(1), seen.count(-1), seen.count(0)


def least_favourable(diffs: Iterable[Interval]) -> Interval | None:
    """The difference most against a claim that something is lower: among those
    significantly above zero if any, else among the undecided if any, else among all, the
    largest mean."""
    return max(diffs, key=lambda d: (d.sign, d.mean if np.isfinite(d.mean) else -np.inf),
               default=None)  # fmt: skip


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
    if exp is not None and isinstance(exp.layout, EndPoints) and stat.point < len(exp.points):
        return exp.point_label(stat.point)
    return f"{stat.experiment} x={axis_value(stat.experiment, stat.x)}"


def lower(
    winner: str, loser: str, figs: tuple[str, ...], metric: str = "total_service_time_s"
) -> Check:
    """Claim: ``winner``'s ``metric`` is lower than ``loser``'s at every point of ``figs``
    (names as the claim says them, e.g. ``BR``, resolved by the scope)."""

    def check(stats: list[PointStat], table: pa.Table, scope: Scope) -> Verdict:
        win, lose = scope.series(winner), scope.series(loser)
        values = seed_values(table, metric)
        diffs: list[tuple[Interval, PointStat]] = []
        for fig in figs:
            series = by_series(stats, fig)
            if win not in series or lose not in series:
                continue
            for w in series[win]:
                d = paired(values.get((fig, w.point, win), {}),
                           values.get((fig, w.point, lose), {}))  # fmt: skip
                if d is not None:
                    diffs.append((d, w))
        if not diffs:
            return NO_DATA
        signs = [d.sign for d, _ in diffs]
        worst = least_favourable(d for d, _ in diffs)
        assert worst is not None  # diffs is not empty
        at = next(w for d, w in diffs if d is worst)
        unit = "" if metric == "switches" else " s"
        evidence = (
            f"{win} − {lose} ({metric}, paired over seeds): lower at {signs.count(-1)}, "
            f"higher at {signs.count(1)}, undecided at {signs.count(0)} of {len(diffs)} "
            f"points; least favourable {worst.text(unit)} ({where(at)})"
        )
        outcomes = [-s for s in signs]
        return Verdict(decide(outcomes), evidence, worst, tally(outcomes))

    return check


@dataclass
class _Lowest:
    outcomes: list[int]
    notes: list[str]
    others: dict[str, int]
    points: int
    worst: Interval | None


def _lowest_at(
    stats: list[PointStat], table: pa.Table, fig: str, label: str, scope: Scope
) -> _Lowest | None:
    """Per point of ``fig``: +1 if ``label`` is below every competitor, -1 if a competitor is
    below it, 0 otherwise; the notes; per non-competitor how often it is below ``label``; the
    least favourable difference to a competitor."""
    series = by_series(stats, fig)
    if label not in series or scope.absent_from(series):
        return None
    values = seed_values(table)
    found = _Lowest([], [], {}, len(series[label]), None)
    diffs: list[Interval] = []
    for p in series[label]:
        mine = values.get((fig, p.point, label), {})
        beaten, undecided, rivals = [], [], 0
        for alg, pts in series.items():
            hit = [q for q in pts if q.point == p.point]
            if alg in (label, *scope.excluded) or not hit or hit[0].learner == p.learner:
                continue
            d = paired(mine, values.get((fig, p.point, alg), {}))
            if d is None:
                continue
            if not scope.competes(alg, hit[0].role):
                tag = f"{alg} ({hit[0].role})"
                found.others[tag] = found.others.get(tag, 0) + (d.sign > 0)
                continue
            rivals += 1
            diffs.append(d)
            if d.sign > 0:
                beaten.append(f"{alg} {d.text()}")
            elif d.sign == 0:
                undecided.append(f"{alg} {d.text()}")
        if rivals == 0:
            continue
        found.outcomes.append(-1 if beaten else (0 if undecided else 1))
        if beaten:
            found.notes.append(f"beaten at {where(p)} by " + ", ".join(beaten))
        elif undecided:
            found.notes.append(f"undecided at {where(p)}: " + ", ".join(undecided))
    found.worst = least_favourable(diffs)
    return found


def lowest(fig: str, label: str = "masl") -> Check:
    """Claim: ``label`` has the lowest total at every point of ``fig`` among the competitors
    of the reading (paired differences with each; variants and references listed for
    information)."""

    def check(stats: list[PointStat], table: pa.Table, scope: Scope) -> Verdict:
        found = _lowest_at(stats, table, fig, label, scope)
        if found is None or not found.outcomes:
            return NO_DATA
        converged = [s for s in stats if s.experiment == fig and s.algorithm == label]
        share = float(np.mean([s.converged_share for s in converged]))
        evidence = (
            f"{label} significantly below every competitor at {found.outcomes.count(1)}/"
            f"{len(found.outcomes)} points (paired differences {label} − competitor)"
            + ("; " + "; ".join(found.notes) if found.notes else "")
            + f"; {label}'s learner converged on {share:.0%} of runs"
        )
        if found.others:
            info = ", ".join(
                f"{k} below {label} at {v}/{found.points}" for k, v in sorted(found.others.items())
            )
            evidence += f". For information, not competitors: {info} points"
        return Verdict(decide(found.outcomes), evidence, found.worst, tally(found.outcomes))

    return check


def all_lowest(figs: tuple[str, ...]) -> Check:
    """Claim: MASL is lowest at every point of every figure in ``figs``."""

    def check(stats: list[PointStat], table: pa.Table, scope: Scope) -> Verdict:
        verdicts = [lowest(f)(stats, table, scope) for f in figs]
        tested = [v for v in verdicts if v.status != "not evaluated"]
        if not tested:
            return NO_DATA
        counts = {s: sum(v.status == s for v in tested) for s in ("held", "not held")}
        status = decide(
            1 if v.status == "held" else (-1 if v.status == "not held" else 0) for v in tested
        )
        points = tuple(sum(v.points[k] for v in tested) for k in range(3))
        return Verdict(
            status,
            f"MASL lowest among the competitors in {counts['held']}/{len(tested)} figures, "
            f"beaten in {counts['not held']}, undecided in the rest",
            least_favourable(v.effect for v in tested if v.effect is not None),
            (points[0], points[1], points[2]),
        )

    return check


def trend(fig: str, direction: str) -> Check:
    """Claim: every competitor's total ``direction`` ("decreases"/"increases") in x."""
    sign = -1 if direction == "decreases" else 1

    def check(stats: list[PointStat], table: pa.Table, scope: Scope) -> Verdict:
        exp = EXPERIMENTS.get(fig)
        everything = by_series(stats, fig)
        series = {a: p for a, p in everything.items() if scope.competes(a, p[0].role)}
        if exp is None or not series or scope.absent_from(everything):
            return NO_DATA
        if min(len(p) for p in series.values()) < 2:
            return NO_DATA
        values = seed_values(table)
        outcomes, parts, steps_all = [], [], []
        per = f" s per {exp.x_unit}" if exp.x_unit else " s per unit"
        for alg, pts in series.items():
            ys = [np.array(list(values.get((fig, p.point, alg), {}).values())) for p in pts]
            xs = [np.full(y.size, exp.display(p.x)) for p, y in zip(pts, ys, strict=True)]
            fit = slope(np.concatenate(xs), np.concatenate(ys))
            steps_signed = [oriented(welch(b, a), sign) for a, b in zip(ys, ys[1:], strict=False)]
            steps_all += steps_signed
            steps = [-d.sign for d in steps_signed]  # +1: significantly the claimed way
            against = fit.sign == -sign or -1 in steps
            held = fit.sign == sign and all(s == 1 for s in steps)
            outcomes.append(-1 if against else (1 if held else 0))
            parts.append(
                f"{alg} {_fmt(pts[0].mean_s)}→{_fmt(pts[-1].mean_s)} s (slope {fit.text(per)}; "
                f"of {len(steps)} steps {steps.count(1)} significantly with, "
                f"{steps.count(-1)} against)"
            )
        status = decide(outcomes)
        bad = [a for a, o in zip(series, outcomes, strict=True) if o < 0]
        head = {"held": "every competitor", "not held": f"not for {', '.join(bad)}"}.get(
            status, "not significant at every step for every competitor"
        )
        return Verdict(
            status,
            f"{head}: " + "; ".join(parts),
            least_favourable(steps_all),
            tally(-d.sign for d in steps_all),
        )

    return check


def oriented(d: Interval, sign: int) -> Interval:
    """A step ``d`` signed so that negative goes the claimed way (``sign`` -1: decreasing)."""
    if sign < 0:
        return d
    return Interval(-d.mean, -d.high, -d.low, d.n)


def _quarters(per_seed: np.ndarray) -> tuple[Interval, Interval, float]:
    """Last − first and last − previous quarter of ``per_seed`` ``[seeds, bins]`` (paired over
    seeds), and the relative drift of the last move."""
    q = max(1, per_seed.shape[1] // 4)
    first = np.nanmean(per_seed[:, :q], axis=1)  # [seeds]
    prev = np.nanmean(per_seed[:, -2 * q : -q], axis=1)
    last = np.nanmean(per_seed[:, -q:], axis=1)
    fall = paired(dict(enumerate(last)), dict(enumerate(first)))
    move = paired(dict(enumerate(last)), dict(enumerate(prev)))
    assert fall is not None and move is not None
    drift = abs(move.mean) / last.mean() if last.mean() > 0 else 0.0
    return fall, move, drift


def decreases_then_stable(exp: str) -> Check:
    """Claim: each curve of ``exp`` decreases (last quarter below the first, paired over
    seeds) and then stabilises (the last quarter moved from the one before by less than
    :data:`STABLE_TOLERANCE`, or by an amount whose interval covers zero)."""

    def check(stats: list[PointStat], table: pa.Table, scope: Scope) -> Verdict:
        curves = seed_curves(table, exp)
        if not curves:
            return NO_DATA
        share = {s.algorithm: s for s in stats if s.experiment == exp}
        outcomes, parts, falls = [], [], []
        for alg, (_, per_seed) in sorted(curves.items()):
            fall, move, drift = _quarters(per_seed)
            falls.append(fall)
            settled = drift < STABLE_TOLERANCE or move.sign == 0
            outcomes.append(-1 if fall.sign > 0 or not settled else (1 if fall.sign < 0 else 0))
            stat = share.get(alg)
            runs = f"{round(stat.converged_share * stat.seeds)}/{stat.seeds}" if stat else "?"
            parts.append(
                f"{alg}: last − first quarter {fall.text()}, last − previous quarter "
                f"{move.text()} ({drift * 100:.1f}%); learner converged (its flag set at the "
                f"end) on {runs} seeds"
            )
        return Verdict(decide(outcomes), "; ".join(parts), least_favourable(falls),
                       tally(outcomes))  # fmt: skip

    return check


def converges(exp: str) -> Check:
    """Claim: the learner of ``exp`` converges, by the criterion of the module text."""

    def check(stats: list[PointStat], table: pa.Table, scope: Scope) -> Verdict:
        curves = seed_curves(table, exp)
        mine = [s for s in stats if s.experiment == exp]
        if not curves or not mine:
            return NO_DATA
        met = sum(round(s.converged_share * s.seeds) for s in mine)
        seeds = sum(s.seeds for s in mine)
        falls = [_quarters(per_seed)[0] for _, per_seed in curves.values()]
        fall = least_favourable(falls)
        assert fall is not None
        if met == 0 or fall.sign > 0:
            status: Status = "not held"
        elif met >= CONVERGED_SHARE * seeds and fall.sign < 0:
            status = "held"
        else:
            status = "inconclusive"
        evidence = (
            f"criterion: strategies put ≥ 0.99 on one AP and one server for every user at the "
            f"run's end; met by {met} of {seeds} seeds (held needs ≥ {CONVERGED_SHARE:.0%}, "
            f"none: not held); total, last − first quarter {fall.text()}"
        )
        return Verdict(status, evidence, fall, (met, seeds - met, 0))

    return check


__all__ = [
    "CONVERGED_SHARE",
    "Check",
    "NO_DATA",
    "Scope",
    "Verdict",
    "all_lowest",
    "axis_value",
    "converges",
    "decide",
    "decreases_then_stable",
    "least_favourable",
    "lower",
    "oriented",
    "lowest",
    "tally",
    "trend",
    "where",
]
