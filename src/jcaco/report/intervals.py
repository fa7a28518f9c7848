"""95% intervals of the differences the Agreement section decides on.

Run ``j`` of a point has the same seed for every series (common random numbers: the same
network, activity, fading and mobility), so two series at one point are compared by the
*paired* difference over seeds, whose interval is much narrower than the two means' intervals
side by side. Values at different points come from different networks, so a trend is judged
by an ordinary least-squares slope over every (point, seed) value and by unpaired (Welch)
differences between neighbouring points. An interval that covers zero decides nothing: the
verdict is then ``inconclusive``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from jcaco.experiments.summary import CONFIDENCE, t_half_width

#: Per (experiment, point, algorithm): seed -> value.
SeedValues = dict[tuple[str, int, str], dict[int, float]]


@dataclass(frozen=True)
class Interval:
    """An estimate with its 95% interval.

    Attributes
    ----------
    mean, low, high : float
        Estimate and interval bounds (NaN bounds: fewer than two values).
    n : int
        Values (or pairs) behind it.
    """

    mean: float
    low: float
    high: float
    n: int

    @property
    def sign(self) -> int:
        """-1: the whole interval is below zero; +1: above; 0: it covers zero (or is NaN)."""
        if self.high < 0:
            return -1
        if self.low > 0:
            return 1
        return 0

    def text(self, unit: str = " s") -> str:
        """``-52.1 s [-60.3, -44]``."""
        if not math.isfinite(self.low):
            return f"{self.mean:+.3g}{unit} (n={self.n}, no interval)"
        return f"{self.mean:+.3g}{unit} [{self.low:+.3g}, {self.high:+.3g}]"


def _interval(mean: float, half: float, n: int) -> Interval:
    return Interval(mean, mean - half, mean + half, n)


def paired(a: Mapping[int, float], b: Mapping[int, float]) -> Interval | None:
    """Mean of ``a[s] - b[s]`` over the seeds ``s`` both have, with its Student-t interval
    (``None``: no common seed)."""
    common = sorted(set(a) & set(b))
    if not common:
        return None
    diff = np.array([a[s] - b[s] for s in common], dtype=float)
    return _interval(float(diff.mean()), t_half_width(diff), diff.size)


def welch(a: np.ndarray, b: np.ndarray) -> Interval:
    """Mean of ``a`` minus mean of ``b`` (independent samples), Welch's interval."""
    from scipy.stats import t

    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    mean = float(a.mean() - b.mean())
    if a.size < 2 or b.size < 2:
        return Interval(mean, math.nan, math.nan, a.size + b.size)
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    se = math.sqrt(va + vb)
    if se == 0.0:
        return _interval(mean, 0.0, a.size + b.size)
    dof = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    return _interval(mean, float(t.ppf(0.5 + CONFIDENCE / 2.0, dof)) * se, a.size + b.size)


def slope(x: np.ndarray, y: np.ndarray) -> Interval:
    """Least-squares slope of ``y`` on ``x`` with its Student-t interval (n - 2 dof)."""
    from scipy.stats import t

    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    n = x.size
    dx = x - x.mean()
    sxx = float(dx @ dx)
    if n < 3 or sxx == 0.0:
        return Interval(math.nan, math.nan, math.nan, n)
    b = float(dx @ (y - y.mean())) / sxx
    resid = y - y.mean() - b * dx
    se = math.sqrt(float(resid @ resid) / (n - 2) / sxx)
    return _interval(b, float(t.ppf(0.5 + CONFIDENCE / 2.0, n - 2)) * se, n)


def seed_values(table: pa.Table, metric: str = "total_service_time_s") -> SeedValues:
    """``metric`` of every stored row, by (experiment, point, algorithm) and seed (nulls,
    e.g. the planner's switches, are left out)."""
    cols = table.select(["experiment", "point", "algorithm", "seed", metric]).to_pydict()
    out: SeedValues = defaultdict(dict)
    for exp, point, alg, seed, value in zip(*cols.values(), strict=True):
        if value is not None and math.isfinite(value):
            out[exp, int(point), alg][int(seed)] = float(value)
    return dict(out)


__all__ = ["Interval", "SeedValues", "paired", "seed_values", "slope", "welch"]
