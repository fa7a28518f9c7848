"""AIGC service: the AEC (4), FLOPs (5), optimal steps (37) and computation time (10)."""

from __future__ import annotations

from typing import Literal

import numpy as np

from jcaco.types import FloatArray, IntArray

AecForm = Literal["exponential", "power"]


def aec(steps: FloatArray, scale: FloatArray, fitness: FloatArray, form: AecForm) -> FloatArray:
    """Average error of generated content ε_{i,k}(s), eq. (4) (MODEL.md O5).

    ``exponential``: λ_k exp(-β_{i,k} s); ``power``: λ_k s^{-β_{i,k}}.
    """
    if form == "exponential":
        return scale * np.exp(-fitness * steps)
    return scale * np.asarray(steps, dtype=float) ** (-fitness)


def optimal_steps(
    scale: FloatArray, fitness: FloatArray, max_error: FloatArray, form: AecForm, max_steps: int
) -> IntArray:
    """Fewest steps meeting the accuracy limit, eq. (37); 0 where more than ``max_steps``.

    Parameters
    ----------
    scale : ndarray, shape (num_servers,)
        λ_k.
    fitness : ndarray, shape (..., num_users, num_servers)
        β_{i,k}.
    max_error : ndarray, shape (..., num_users)
        ε^max_i.

    Returns
    -------
    ndarray of int, shape (..., num_users, num_servers)
        s*_{i,k} in {1, ..., max_steps}, or 0 where server k cannot meet ε^max_i (infeasible).

    Examples
    --------
    >>> optimal_steps(np.array([1.0]), np.array([[0.1]]), np.array([0.05]), "exponential", 100)
    array([[30]])
    """
    ratio = scale / max_error[..., None]  # [..., users, servers] λ_k / ε^max_i
    if form == "exponential":
        raw = np.log(ratio) / fitness
    else:
        raw = ratio ** (1.0 / fitness)
    # Guard the ceiling against round-off: s is the least integer with aec(s) <= ε^max.
    steps = np.maximum(np.ceil(raw - 1e-9), 1.0)
    ok = aec(steps, scale, fitness, form) <= max_error[..., None] * (1 + 1e-12)
    steps = np.where(ok, steps, steps + 1)
    steps = np.where(steps <= max_steps, steps, 0)
    return steps.astype(np.int64)


def compute_times_s(
    steps: IntArray, flops_per_step: FloatArray, capacity_flops: FloatArray
) -> FloatArray:
    """Computation time C_{i,k} = s_{i,k} φ_k / f_k, eqs. (5), (10) [s]; ``inf`` if infeasible."""
    with np.errstate(divide="ignore"):
        return np.where(steps > 0, steps * flops_per_step / capacity_flops, np.inf)
