"""Fit the AEC (4) and the computation time (10) of diffusion models to measurements.

Per model, :func:`fit_aec` fits one AEC form to the (steps, error) points by least squares
(:func:`scipy.optimize.least_squares`), and :func:`fit_latency` fits t_fixed + s·t_step to its
latency on each GPU. A parameter's standard error is the square root of the diagonal of
s²(JᵀJ)⁻¹ at the optimum (J the Jacobian, s² the residual variance with n - p degrees of
freedom); it is ``None`` where n = p. docs/catalog.md gives the forms and when each fits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from jcaco.errors import InputError
from jcaco.model.measurements import Measurements
from jcaco.model.service import AEC_FORMS, AecForm, aec
from jcaco.types import FloatArray

CALIBRATION_SCHEMA = "jcaco.calibration/1"
#: Parameter names per form: ε(s) = eps_inf + a s^{-b}, a s^{-b}, a e^{-b s}.
PARAMS: dict[str, tuple[str, ...]] = {
    "exponential": ("a", "b"),
    "power": ("a", "b"),
    "power_floor": ("eps_inf", "a", "b"),
}


@dataclass(frozen=True)
class Fit:
    """A least-squares fit: parameters, their standard errors and the RMSE of the residuals."""

    params: dict[str, float]
    stderr: dict[str, float | None]
    rmse: float | None
    points: int
    method: str = "least_squares"


@dataclass(frozen=True)
class LatencyFit:
    """t_fixed + s·t_step on one GPU (``params``: ``t_fixed_s``, ``t_step_s``)."""

    gpu: str
    fit: Fit


@dataclass(frozen=True)
class ModelCalibration:
    """What the measurements say about one model."""

    model: str
    form: str | None
    aec: Fit | None
    steps: tuple[float, ...] = ()
    error: tuple[float, ...] = ()
    latency: tuple[LatencyFit, ...] = ()
    latency_model: str = ""
    min_steps: int | None = None
    max_steps: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def aec_curve(form: str, params: dict[str, float], steps: FloatArray) -> FloatArray:
    """ε(s) of a fitted form (``params`` as named in :data:`PARAMS`)."""
    floor = params.get("eps_inf", 0.0)
    return aec(np.asarray(steps, float), params["a"], params["b"], form, floor)  # type: ignore[arg-type]


def _stderr(
    jac: FloatArray, residual: FloatArray, names: tuple[str, ...]
) -> dict[str, float | None]:
    n, p = jac.shape
    if n <= p:
        return dict.fromkeys(names)
    variance = float(residual @ residual) / (n - p)
    try:
        cov = np.linalg.inv(jac.T @ jac) * variance
    except np.linalg.LinAlgError:
        return dict.fromkeys(names)
    diag = np.diag(cov)
    return {k: _root(v) for k, v in zip(names, diag, strict=True)}


def _root(variance: float) -> float | None:
    return float(math.sqrt(variance)) if variance >= 0 and math.isfinite(variance) else None


def _starts(form: str, steps: FloatArray, error: FloatArray) -> list[FloatArray]:
    """Initial points from log-linear fits (several floors for ``power_floor``)."""
    positive = np.maximum(error, 1e-12)
    if form == "exponential":
        slope, icpt = np.polyfit(steps, np.log(positive), 1)
        return [np.array([math.exp(icpt), max(-slope, 1e-6)])]
    if form == "power":
        slope, icpt = np.polyfit(np.log(steps), np.log(positive), 1)
        return [np.array([math.exp(icpt), max(-slope, 1e-6)])]
    out = []
    for share in (0.0, 0.5, 0.9, 0.99):
        floor = share * float(error.min())
        slope, icpt = np.polyfit(np.log(steps), np.log(np.maximum(error - floor, 1e-12)), 1)
        out.append(np.array([floor, math.exp(icpt), max(-slope, 1e-6)]))
    return out


def fit_aec(steps: FloatArray, error: FloatArray, form: AecForm) -> Fit:
    """Least-squares fit of the AEC ``form`` to points (s_j, ε_j), j = 1..n (n >= #params).

    Parameters
    ----------
    steps : ndarray, shape (n,)
        Denoising steps s_j (> 0).
    error : ndarray, shape (n,)
        Normalised error ε_j (>= 0).
    form : {"exponential", "power", "power_floor"}

    Returns
    -------
    Fit
        ``params`` a, b (and eps_inf for ``power_floor``), their standard errors, the RMSE.
    """
    from scipy.optimize import least_squares

    steps = np.asarray(steps, float)
    error = np.asarray(error, float)
    names = PARAMS[form]
    top = float(error.min()) if form == "power_floor" else math.inf

    def residual(theta: FloatArray) -> FloatArray:
        return aec_curve(form, dict(zip(names, theta, strict=True)), steps) - error

    lower = np.zeros(len(names))
    upper = np.full(len(names), np.inf)
    if form == "power_floor":
        upper[0] = top
    best = None
    for start in _starts(form, steps, error):
        start = np.clip(start, lower, np.where(np.isfinite(upper), upper, start))
        result = least_squares(residual, start, bounds=(lower, upper), x_scale="jac")
        if best is None or result.cost < best.cost:
            best = result
    assert best is not None
    # A floor pinned at its lower bound is 0 up to the solver's round-off.
    theta = np.where(np.abs(best.x) < 1e-12, 0.0, best.x)
    res = residual(theta)
    return Fit(
        params={k: float(v) for k, v in zip(names, theta, strict=True)},
        stderr=_stderr(best.jac, res, names),
        rmse=float(math.sqrt(np.mean(res**2))),
        points=int(steps.size),
    )


def fit_latency(steps: FloatArray, latency_s: FloatArray, step_latency_s: FloatArray) -> Fit:
    """Computation time t_fixed + s·t_step of one model on one GPU [s].

    With requests measured at two or more step counts, t_fixed and t_step are fitted by least
    squares (t_fixed >= 0). Otherwise they are read off: t_step from the per-step latency
    (or latency / steps), t_fixed from the request latency less s·t_step (0 if unknown);
    ``method`` says which, and the standard errors are ``None``.
    """
    from scipy.optimize import least_squares

    names = ("t_fixed_s", "t_step_s")
    has = ~np.isnan(latency_s)
    s, lat = steps[has], latency_s[has]
    per_step = step_latency_s[~np.isnan(step_latency_s)]
    if np.unique(s).size >= 2:
        design = np.column_stack([np.ones_like(s), s])
        start = np.maximum(np.linalg.lstsq(design, lat, rcond=None)[0], [0.0, 1e-9])
        result = least_squares(
            lambda t: design @ t - lat, start, bounds=([0.0, 1e-12], [np.inf, np.inf])
        )
        res = design @ result.x - lat
        return Fit(
            params={k: float(v) for k, v in zip(names, result.x, strict=True)},
            stderr=_stderr(design, res, names),
            rmse=float(math.sqrt(np.mean(res**2))),
            points=int(s.size),
        )
    if per_step.size:
        t_step = float(per_step.mean())
        t_fixed = max(0.0, float(np.mean(lat - s * t_step))) if s.size else 0.0
        method = "per-step and request" if s.size else "per-step only, t_fixed 0"
    elif s.size:
        t_step, t_fixed = float(np.mean(lat / s)), 0.0
        method = "one step count, t_fixed 0"
    else:
        raise ValueError("no latency")
    rmse = float(math.sqrt(np.mean((t_fixed + s * t_step - lat) ** 2))) if s.size else None
    return Fit(
        params={"t_fixed_s": t_fixed, "t_step_s": t_step},
        stderr=dict.fromkeys(names),
        rmse=rmse,
        points=int(s.size + per_step.size),
        method=method,
    )


def _range(values: FloatArray, pick: Any) -> int | None:
    given = values[~np.isnan(values)]
    return int(pick(given)) if given.size else None


def calibrate(data: Measurements, form: AecForm = "power_floor") -> list[ModelCalibration]:
    """Fit every model of a measurement file (quality and latency; docs/catalog.md).

    Raises
    ------
    InputError
        A model with quality points at fewer distinct step counts than ``form`` has
        parameters, or a file without any quality point.
    """
    if form not in AEC_FORMS:
        raise InputError(f"unknown form {form!r}; allowed: {', '.join(AEC_FORMS)}", field="--form")
    need = len(PARAMS[form])
    model = np.array(data.model)
    gpu = np.array(data.gpu)
    if np.isnan(data.error).all():
        raise InputError("no row has an error value (column error)", source=data.source)
    out = []
    for name in data.models():
        mine = model == name
        quality = mine & ~np.isnan(data.error)
        fit = None
        if quality.any():
            distinct = np.unique(data.steps[quality]).size
            if distinct < need:
                raise InputError(
                    f"has {distinct} step count(s) with an error; the {form} fit needs at least "
                    f"{need}",
                    source=data.source,
                    field=f"model {name}",
                )
            fit = fit_aec(data.steps[quality], data.error[quality], form)
        single = np.isnan(data.batch) | (data.batch == 1)
        timed = mine & single & ~(np.isnan(data.latency_s) & np.isnan(data.step_latency_s))
        latency = tuple(
            LatencyFit(g, fit_latency(data.steps[on], data.latency_s[on], data.step_latency_s[on]))
            for g in dict.fromkeys(gpu[timed].tolist())
            for on in [timed & (gpu == g)]
        )
        pairs = [p for p, m in zip(data.latency_model, data.model, strict=True) if m == name and p]
        out.append(
            ModelCalibration(
                model=name,
                form=form if fit is not None else None,
                aec=fit,
                steps=tuple(data.steps[quality].tolist()),
                error=tuple(data.error[quality].tolist()),
                latency=latency,
                latency_model=pairs[0] if pairs else "",
                min_steps=_range(data.min_steps[mine], np.max),
                max_steps=_range(data.max_steps[mine], np.min),
            )
        )
    return out


def _fit_doc(fit: Fit | None) -> dict[str, Any]:
    if fit is None:
        return {"params": {}, "stderr": {}, "rmse": None, "points": 0}
    return {
        "params": fit.params,
        "stderr": fit.stderr,
        "rmse": fit.rmse,
        "points": fit.points,
        "method": fit.method,
    }


def calibration_document(fits: list[ModelCalibration], source: str) -> dict[str, Any]:
    """The ``jcaco.calibration/1`` document (``jcaco calibrate --json``)."""
    models = []
    for m in fits:
        entry: dict[str, Any] = {"model": m.model, "form": m.form, **_fit_doc(m.aec)}
        if m.steps:
            entry["steps_range"] = [min(m.steps), max(m.steps)]
        entry["latency_model"] = m.latency_model or None
        entry["min_steps"] = m.min_steps
        entry["max_steps"] = m.max_steps
        entry["latency"] = [{"gpu": lf.gpu, **_fit_doc(lf.fit)} for lf in m.latency]
        models.append(entry)
    return {"schema": CALIBRATION_SCHEMA, "source": source, "models": models}


__all__ = ["PARAMS", "ModelCalibration", "aec_curve", "calibrate", "fit_aec", "fit_latency"]
