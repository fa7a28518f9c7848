"""Per-point statistics of a results table: mean over seeds with a 95% confidence interval.

Figures, ``summary.csv`` and the report are all computed from these, and these only from the
store's rows. The interval of a mean is a percentile bootstrap over seeds
(:func:`jcaco.experiments.resample.bootstrap_mean`): it stays inside the range of the seeds'
values, so the interval of a time never runs below zero.
"""

from __future__ import annotations

import csv
import math
import os
import warnings
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jcaco.experiments.resample import bootstrap_mean
from jcaco.io.files import atomic_path

#: Confidence level of every interval shown.
CONFIDENCE = 0.95


@dataclass(frozen=True)
class PointStat:
    """One (experiment, point, algorithm): statistics over seeds of the stored rows.

    ``mean_s`` is the mean over seeds of each seed's tail mean of the realised total service
    time (13) [s]; ``ci_low_s``/``ci_high_s`` the percentile-bootstrap 95% interval of that mean
    over seeds (NaN with one seed; never outside the seeds' range, so never below zero).
    ``role`` is the series' (competitor, variant or reference; only competitors enter the
    claims), ``learner`` its algorithm (``masl`` for ``masl b=0.01``).
    """

    experiment: str
    x_name: str
    x: float
    point: int
    algorithm: str
    learner: str
    role: str
    seeds: int
    mean_s: float
    std_s: float
    ci_low_s: float
    ci_high_s: float
    switches: float
    nash_gap_s: float
    converged_share: float


def t_half_width(values: np.ndarray, confidence: float = CONFIDENCE) -> float:
    """Half-width of the Student-t confidence interval of the mean (NaN for n < 2)."""
    n = values.size
    if n < 2:
        return math.nan
    from scipy.stats import t

    q = float(t.ppf(0.5 + confidence / 2.0, n - 1))
    return q * float(np.std(values, ddof=1)) / math.sqrt(n)


def summarise(table: pa.Table) -> list[PointStat]:
    """Group the rows by (experiment, point, algorithm), in store order."""
    cols = table.select(
        [
            "experiment",
            "x_name",
            "x",
            "point",
            "algorithm",
            "learner",
            "role",
            "total_service_time_s",
            "switches",
            "nash_gap_s",
            "converged",
        ]
    ).to_pydict()
    groups: dict[tuple[str, int, str], list[int]] = defaultdict(list)
    for i, key in enumerate(zip(cols["experiment"], cols["point"], cols["algorithm"], strict=True)):
        groups[key].append(i)
    out = []
    for (exp, point, alg), idx in groups.items():
        total = np.array([cols["total_service_time_s"][i] for i in idx], dtype=float)
        mean = float(total.mean())
        low, high = bootstrap_mean(total)
        out.append(
            PointStat(
                experiment=exp,
                x_name=cols["x_name"][idx[0]],
                x=float(cols["x"][idx[0]]),
                point=int(point),
                algorithm=alg,
                learner=cols["learner"][idx[0]] or alg,
                role=cols["role"][idx[0]] or "competitor",
                seeds=len(idx),
                mean_s=mean,
                std_s=float(total.std(ddof=1)) if total.size > 1 else math.nan,
                ci_low_s=float(low),
                ci_high_s=float(high),
                switches=_mean(cols["switches"], idx),
                nash_gap_s=_mean(cols["nash_gap_s"], idx),
                converged_share=float(np.mean([bool(cols["converged"][i]) for i in idx])),
            )
        )
    return sorted(out, key=lambda s: (_figure_order(s.experiment), s.point, s.algorithm))


def _mean(column: list, idx: list[int]) -> float:
    """Mean of ``column[idx]``; a null (not applicable, e.g. the planner's switches) is NaN."""
    return float(np.mean([math.nan if column[i] is None else column[i] for i in idx]))


def _figure_order(name: str) -> tuple[int, str]:
    digits = "".join(ch for ch in name if ch.isdigit())
    return (int(digits) if digits else 10**6, name)


def by_series(stats: list[PointStat], experiment: str) -> dict[str, list[PointStat]]:
    """One experiment's statistics per algorithm, ordered by point."""
    out: dict[str, list[PointStat]] = defaultdict(list)
    for s in stats:
        if s.experiment == experiment:
            out[s.algorithm].append(s)
    return {k: sorted(v, key=lambda s: s.point) for k, v in out.items()}


def write_csv(stats: list[PointStat], path: str | os.PathLike[str]) -> Path:
    """``summary.csv``: one row per figure point and algorithm (written atomically)."""
    names = list(PointStat.__dataclass_fields__)
    with atomic_path(path) as tmp, tmp.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=names)
        writer.writeheader()
        for s in stats:
            writer.writerow(
                {k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in asdict(s).items()}
            )
    return Path(path)


def coarsen(values: np.ndarray, max_points: int | None) -> tuple[np.ndarray, int]:
    """Average groups of consecutive bins (last axis) down to at most ``max_points``; returns
    the coarser array and the group size."""
    n = values.shape[-1]
    if not max_points or n <= max_points:
        return values, 1
    factor = -(-n // max_points)
    groups = [values[..., i : i + factor] for i in range(0, n, factor)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.stack([np.nanmean(g, axis=-1) for g in groups], axis=-1), factor


def seed_curves(
    table: pa.Table, experiment: str, max_points: int | None = None
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per algorithm of ``experiment``: (slot at bin start, per-seed binned total service time
    ``[seeds, bins]``), coarsened to ``max_points`` bins."""
    rows = table.filter(pc.equal(table.column("experiment"), experiment)).to_pydict()
    grouped: dict[str, list[list[float]]] = defaultdict(list)
    width: dict[str, int] = {}
    for alg, curve, w in zip(
        rows["algorithm"], rows["curve_total_service_time_s"], rows["curve_bin_slots"], strict=True
    ):
        if curve:
            grouped[alg].append([math.nan if v is None else v for v in curve])
            width[alg] = int(w)
    out = {}
    for alg, curves in grouped.items():
        arr, factor = coarsen(np.array(curves, dtype=float), max_points)  # [seeds, bins]
        out[alg] = (np.arange(arr.shape[1]) * width[alg] * factor, arr)
    return out


def mean_curves(
    table: pa.Table, experiment: str, max_points: int | None = None
) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Per algorithm of ``experiment``: (slot at bin start, mean curve, the bootstrap 95%
    interval's low and high curves) over seeds of the stored binned total service time
    (coarsened to ``max_points`` for display), each ``[bins]``."""
    out = {}
    for alg, (slot, arr) in seed_curves(table, experiment, max_points).items():
        low, high = bootstrap_mean(arr)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            out[alg] = (slot, np.nanmean(arr, axis=0), low, high)
    return out


__all__ = [
    "PointStat",
    "by_series",
    "coarsen",
    "mean_curves",
    "seed_curves",
    "summarise",
    "write_csv",
]
