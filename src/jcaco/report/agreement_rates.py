"""Fig. 3's claims on the learning rates: which rate is fastest, and which ends best.

The final values are paired over seeds (every rate runs on the same networks and seeds); the
speed claim (B3) pairs, per seed, the slots each rate needs to get halfway to the best final
value (:func:`seed_settling_slots`; the mean curves' :func:`settling_slots` are listed). Each
check has the signature of :data:`jcaco.report.agreement_checks.Check`; none depends on
a reading.
"""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jcaco.experiments.summary import PointStat, coarsen, mean_curves
from jcaco.report.agreement_checks import (
    NO_DATA,
    Check,
    Scope,
    Verdict,
    decide,
    least_favourable,
    oriented,
    tally,
)
from jcaco.report.intervals import Interval, paired, seed_values

#: Bins of the curves the speed claim (B3) reads.
SETTLING_BINS = 40


def _rate_points(stats: list[PointStat]) -> dict[float, PointStat]:
    return {s.x: s for s in stats if s.experiment == "fig3"}


def rates_tradeoff(which: str) -> Check:
    """Claims of Fig. 3 on the final values (paired over seeds: every rate runs on the same
    networks and seeds) or, for ``speed``, on the mean curves."""

    def check(stats: list[PointStat], table: pa.Table, scope: Scope) -> Verdict:
        pts = _rate_points(stats)
        if len(pts) < 3:
            return NO_DATA
        values = seed_values(table)
        final = {r: values.get(("fig3", s.point, s.algorithm), {}) for r, s in pts.items()}
        rates = sorted(pts)
        small, large, moderate = rates[0], rates[-1], rates[1:-1]
        best = min(moderate, key=lambda r: pts[r].mean_s)
        listing = ", ".join(f"b={r:g}: {pts[r].mean_s:.4g} s" for r in rates)

        def diff(a: float, b: float) -> Interval:
            d = paired(final[a], final[b])
            return d if d is not None else Interval(np.nan, np.nan, np.nan, 0)

        effect, outcomes = None, []
        if which in ("large", "small"):
            d = diff(large if which == "large" else small, best)
            outcomes = [d.sign]
            status = decide(outcomes)
            effect = oriented(d, 1)
            listing += f"; b={large if which == 'large' else small:g} − b={best:g}: {d.text()}"
        elif which == "moderate":
            wins = [diff(best, r) for r in (small, large)]
            extreme_best = any(all(diff(e, m).sign < 0 for m in moderate) for e in (small, large))
            outcomes = [-w.sign for w in wins]
            status = "not held" if extreme_best else decide(outcomes)
            effect = least_favourable(wins)
            pairs = zip((small, large), wins, strict=True)
            listing += "; " + ", ".join(f"b={best:g} − b={r:g}: {w.text()}" for r, w in pairs)
        else:  # speed: the largest rate settles first, per seed, paired
            settle, per_seed = settling_slots(table), seed_settling_slots(table)
            if not settle or large not in per_seed or len(per_seed) < 2:
                return NO_DATA
            gaps = {r: paired(per_seed[large], per_seed[r]) for r in per_seed if r != large}
            found = {r: d for r, d in gaps.items() if d is not None}
            if not found:
                return NO_DATA
            # a rate with no seed in common with the largest counts as undecided, not absent
            outcomes = [-d.sign for d in found.values()] + [0] * (len(gaps) - len(found))
            status = decide(outcomes)
            effect = least_favourable(found.values())
            listing = (
                "slots to get halfway from the start to the best final value (mean curves): "
                + ", ".join(f"b={r:g}: {s} slots" for r, s in sorted(settle.items()))
                + f"; per seed, paired, b={large:g} − b=r: "
                + ", ".join(f"r={r:g}: {d.text(' slots')}" for r, d in sorted(found.items()))
            )
        return Verdict(status, listing, effect, tally(outcomes))

    return check


def _halfway(table: pa.Table) -> tuple[dict[float, tuple[np.ndarray, np.ndarray]], float]:
    """Mean curves by rate (40 bins) and the halfway target: the common start plus half the
    way to the best final value of any rate (last tenth of the mean curves) [s]."""
    curves = {}
    for label, (slot, mean, *_) in mean_curves(table, "fig3", SETTLING_BINS).items():
        try:
            curves[float(label.rsplit("=", 1)[1])] = (slot, mean)
        except (IndexError, ValueError):
            continue
    if not curves:
        return {}, math.nan
    start = float(np.mean([m[0] for _, m in curves.values()]))
    best = min(float(m[-max(1, m.size // 10) :].mean()) for _, m in curves.values())
    return curves, start + 0.5 * (best - start)


def _first_reach(slot: np.ndarray, curve: np.ndarray, target: float) -> int:
    """The first bin's slot where ``curve`` is at or below ``target``; the run length if never."""
    reached = np.flatnonzero(curve <= target)
    return int(slot[reached[0]]) if reached.size else int(slot[-1] + slot[1])


def seed_settling_slots(table: pa.Table) -> dict[float, dict[int, float]]:
    """Per rate and seed: the slots that seed's curve (40 bins) needs to reach the halfway
    target of :func:`settling_slots` (the same target for every seed and rate, so every
    rate is paired by seed: same networks, same start)."""
    curves, target = _halfway(table)
    if not curves:
        return {}
    rows = table.filter(pc.equal(table.column("experiment"), "fig3"))
    cols = rows.select(["algorithm", "seed", "curve_total_service_time_s", "curve_bin_slots"])
    out: dict[float, dict[int, float]] = {}
    for label, seed, curve, width in zip(*cols.to_pydict().values(), strict=True):
        try:
            rate = float(label.rsplit("=", 1)[1])
        except (IndexError, ValueError):
            continue
        if not curve:
            continue
        values = np.array([math.nan if v is None else v for v in curve], dtype=float)
        binned, factor = coarsen(values[None, :], SETTLING_BINS)  # [1, bins]
        slot = np.arange(binned.shape[1]) * int(width) * factor
        out.setdefault(rate, {})[int(seed)] = float(_first_reach(slot, binned[0], target))
    return out


def settling_slots(table: pa.Table) -> dict[float, int]:
    """Slots each rate needs to get halfway from the common start (every rate starts from the
    same uniform strategies on the same networks) to the best final value of any rate
    (curves averaged over seeds, 40 bins); the run length if it never does."""
    curves, target = _halfway(table)
    return {rate: _first_reach(slot, mean, target) for rate, (slot, mean) in curves.items()}


__all__ = ["SETTLING_BINS", "rates_tradeoff", "seed_settling_slots", "settling_slots"]
