"""Percentile-bootstrap intervals of means and ratios of means, from seeded resamples.

A mean of non-negative values (a service time [s]) has its interval inside the range of the
values, so the interval never runs below zero, whatever the spread. Every interval draws its
resamples from a fresh generator of the ``report`` stream (:func:`jcaco.rng.stream`), so the
same values give the same interval on every run and in every order of computation.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from jcaco.rng import stream

#: Resamples per interval.
RESAMPLES = 2000
#: Confidence level of every bootstrap interval.
LEVEL = 0.95


def generator() -> np.random.Generator:
    """The generator of the bootstrap's resamples (the same draws on every call)."""
    return stream(0, "report")


def bootstrap_mean(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval of the mean over axis 0.

    Parameters
    ----------
    values : ndarray, shape (n,) or (n, k)
        One value per seed (or per seed and bin); NaNs are left out of each resample's mean.

    Returns
    -------
    low, high : ndarray, shape () or (k,)
        The 2.5% and 97.5% percentiles of the resampled means (NaN for n < 2).
    """
    values = np.asarray(values, dtype=float)
    n = values.shape[0]
    shape = values.shape[1:]
    if n < 2:
        nan = np.full(shape, math.nan)
        return nan, nan.copy()
    idx = generator().integers(0, n, size=(RESAMPLES, n))  # [resamples, n]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        means = np.nanmean(values[idx], axis=1)  # [resamples, ...]
        tail = (1.0 - LEVEL) / 2.0 * 100.0
        low, high = np.nanpercentile(means, [tail, 100.0 - tail], axis=0)
    return np.asarray(low), np.asarray(high)


def bootstrap_ratio(numerator: np.ndarray, denominator: np.ndarray) -> tuple[float, float, float]:
    """Ratio of sums Σ numerator / Σ denominator with its percentile interval, resampling
    clusters (rows).

    Parameters
    ----------
    numerator, denominator : ndarray, shape (clusters,)
        Per cluster (a seed), the sums of its paired values (e.g. a learner's and a planner's
        totals at the same sampled slots) [s].

    Returns
    -------
    ratio, low, high : float
        The ratio and its 95% interval (NaN bounds with fewer than two clusters).
    """
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    ratio = float(num.sum() / den.sum()) if den.sum() > 0 else math.nan
    if num.size < 2:
        return ratio, math.nan, math.nan
    idx = generator().integers(0, num.size, size=(RESAMPLES, num.size))
    with np.errstate(divide="ignore", invalid="ignore"):
        draws = num[idx].sum(axis=1) / den[idx].sum(axis=1)
    tail = (1.0 - LEVEL) / 2.0 * 100.0
    low, high = np.nanpercentile(draws, [tail, 100.0 - tail])
    return ratio, float(low), float(high)


__all__ = ["LEVEL", "RESAMPLES", "bootstrap_mean", "bootstrap_ratio", "generator"]
