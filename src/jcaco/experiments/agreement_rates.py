"""Fig. 3's claims on the learning rates: which rate is fastest, and which ends best.

The final values are paired over seeds (every rate runs on the same networks and seeds); the
speed claim reads the mean curves (:func:`settling_slots`). Each check has the signature of
:data:`jcaco.experiments.agreement_checks.Check`; none depends on a reading.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from jcaco.experiments.agreement_checks import (
    NO_DATA,
    Check,
    Scope,
    Verdict,
    decide,
    least_favourable,
    oriented,
    tally,
)
from jcaco.experiments.intervals import Interval, paired, seed_values
from jcaco.experiments.summary import PointStat, mean_curves


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
        else:  # speed: the largest rate settles first
            settle = settling_slots(table)
            if not settle:
                return NO_DATA
            fastest = min(settle, key=lambda r: settle[r])
            status = "held" if fastest == large else "not held"
            outcomes = [1 if status == "held" else -1]
            listing = "slots to get halfway from the start to the best final value: " + ", ".join(
                f"b={r:g}: {s} slots" for r, s in sorted(settle.items())
            )
        return Verdict(status, listing, effect, tally(outcomes))

    return check


def settling_slots(table: pa.Table) -> dict[float, int]:
    """Slots each rate needs to get halfway from the common start (every rate starts from the
    same uniform strategies on the same networks) to the best final value of any rate
    (curves averaged over seeds, 40 bins); the run length if it never does."""
    curves = {}
    for label, (slot, mean, *_) in mean_curves(table, "fig3", 40).items():
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


__all__ = ["rates_tradeoff", "settling_slots"]
