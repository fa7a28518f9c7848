"""AIGC service: the AEC (4), FLOPs (5), optimal steps (37) and computation time (10).

Three AEC forms (docs/catalog.md): the paper's ``exponential`` ε = λ e^{-βs} (4), ``power``
ε = λ s^{-β}, and ``power_floor`` ε = ε∞ + λ s^{-β} with the model's quality floor ε∞. Each
server may restrict its steps to [s_min, s_max] (a distilled model degrades past a few steps),
and its computation time may carry a fixed cost per request beside the per-step cost.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from jcaco.types import FloatArray, IntArray

AecForm = Literal["exponential", "power", "power_floor"]
AEC_FORMS: tuple[str, ...] = ("exponential", "power", "power_floor")


def aec(
    steps: FloatArray,
    scale: FloatArray,
    fitness: FloatArray,
    form: AecForm,
    floor: FloatArray | float = 0.0,
) -> FloatArray:
    """Average error of generated content ε_{i,k}(s), eq. (4) (docs/model.md O5).

    ``exponential``: λ_k exp(-β_{i,k} s); ``power``: λ_k s^{-β_{i,k}}; ``power_floor``:
    ε∞_k + λ_k s^{-β_{i,k}} (``floor`` is ε∞_k, read only by this form).
    """
    if form == "exponential":
        return scale * np.exp(-fitness * steps)
    power = scale * np.asarray(steps, dtype=float) ** (-fitness)
    return power + floor if form == "power_floor" else power


def optimal_steps(
    scale: FloatArray,
    fitness: FloatArray,
    max_error: FloatArray,
    form: AecForm,
    max_steps: int | IntArray,
    *,
    floor: FloatArray | None = None,
    min_steps: IntArray | None = None,
) -> IntArray:
    """Fewest steps in [s_min, s_max] meeting the accuracy limit, eq. (37); 0 if none.

    Parameters
    ----------
    scale : ndarray, shape (num_servers,)
        λ_k.
    fitness : ndarray, shape (..., num_users, num_servers)
        β_{i,k}.
    max_error : ndarray, shape (..., num_users)
        ε^max_i.
    form : {"exponential", "power", "power_floor"}
        The AEC form (4).
    max_steps : int or ndarray of int, shape (num_servers,)
        s_max (the scenario's ``aec.max_steps``, or one per server).
    floor : ndarray, shape (num_servers,), optional
        ε∞_k of ``power_floor`` (default 0); a limit ε^max_i <= ε∞_k is never met.
    min_steps : ndarray of int, shape (num_servers,), optional
        s_min per server (default 1).

    Returns
    -------
    ndarray of int, shape (..., num_users, num_servers)
        s*_{i,k} = the least s in [s_min, s_max] with ε_{i,k}(s) <= ε^max_i, or 0 where there
        is none (server k cannot serve user i).

    Examples
    --------
    >>> optimal_steps(np.array([1.0]), np.array([[0.1]]), np.array([0.05]), "exponential", 100)
    array([[30]])
    """
    limit = max_error[..., None]  # [..., users, 1]
    floor_k = np.zeros_like(scale) if floor is None else floor
    if form == "power_floor":
        headroom = limit - floor_k  # [..., users, servers] what the s^{-β} term may use
        with np.errstate(divide="ignore", invalid="ignore"):
            raw = np.where(headroom > 0, (scale / np.maximum(headroom, 1e-300)), np.inf)
            raw = raw ** (1.0 / fitness)
    else:
        ratio = scale / limit  # [..., users, servers] λ_k / ε^max_i
        with np.errstate(over="ignore"):  # a tiny β: s* beyond any limit (capped below)
            raw = np.log(ratio) / fitness if form == "exponential" else ratio ** (1.0 / fitness)
    lowest = 1.0 if min_steps is None else np.asarray(min_steps, dtype=float)
    # Guard the ceiling against round-off: s is the least integer with aec(s) <= ε^max.
    with np.errstate(invalid="ignore", over="ignore"):
        steps = np.maximum(np.ceil(np.minimum(raw, 1e18) - 1e-9), lowest)
        ok = aec(steps, scale, fitness, form, floor_k) <= limit * (1 + 1e-12)
    steps = np.where(ok, steps, steps + 1)
    feasible = steps <= max_steps
    if form == "power_floor":
        feasible &= np.isfinite(raw)
    steps = np.where(feasible, steps, 0)
    return steps.astype(np.int64)


def compute_times_s(
    steps: IntArray,
    flops_per_step: FloatArray,
    capacity_flops: FloatArray,
    fixed_time_s: FloatArray | None = None,
) -> FloatArray:
    """Computation time C_{i,k} = t_fixed,k + s_{i,k} φ_k / f_k, eqs. (5), (10) [s].

    ``fixed_time_s`` (t_fixed, default none) is the per-request cost beside the steps (text
    encoder, VAE decoder); without it this is the paper's (10) exactly. ``inf`` if infeasible.
    """
    with np.errstate(divide="ignore"):
        per_step = steps * flops_per_step / capacity_flops
        if fixed_time_s is not None:
            per_step = per_step + fixed_time_s
        return np.where(steps > 0, per_step, np.inf)
