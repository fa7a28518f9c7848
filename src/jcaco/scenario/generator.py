"""Random networks from the paper's Table III (docs/model.md §7–8).

Every count and range is a field of :class:`GeneratorConfig`; a range ``(lo, hi)`` is drawn
i.i.d. uniform per entity (O6) and a range with ``lo == hi`` makes the parameter homogeneous
(what a figure sweeping that parameter uses). Units are SI: Hz, FLOP, FLOP/s, bytes.

With ``catalog`` set, the servers are drawn from calibrated (model, GPU) entries instead of
the server ranges (:mod:`jcaco.scenario.catalog`, docs/catalog.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np

from jcaco.errors import InputError
from jcaco.scenario.catalog import CatalogServer, draw_catalog_servers
from jcaco.scenario.limits import check_memory, game_bytes, network_bytes
from jcaco.scenario.network import AecFormName, Network, quantise_theta
from jcaco.types import FloatArray

Range = tuple[float, float]


@dataclass(frozen=True)
class GeneratorConfig:
    """Parameters of the Table III generator (defaults: the ``paper`` preset, docs/model.md §7)."""

    num_users: int = 30
    num_aps: int = 5
    num_servers: int = 5
    area_m: float = 500.0  # O2
    activity: Range = (0.5, 0.9)  # O1, quantised to activity_quantum
    activity_quantum: float = 0.01
    bandwidth_hz: Range = (2e6, 10e6)
    capacity_flops: Range = (2e12, 10e12)
    flops_per_step: Range = (1e11, 5e11)
    content_bytes: Range = (2e6, 10e6)  # O14: decimal MB
    scale: Range = (0.5, 1.0)  # λ_k, O5
    fitness: Range = (0.05, 0.15)  # β_{i,k}, O5
    max_error: Range = (0.01, 0.05)  # ε^max_i, O5
    aec_form: AecFormName = "exponential"
    max_steps: int = 1000
    path_loss_exponent: float = 4.0
    noise_dbm_per_hz: float = -174.0
    tx_power_w: float = 0.2
    min_distance_m: float = 1.0  # O17
    min_time_scale_s: float = 1e-3
    #: Calibrated servers to draw from instead of the capacity/FLOPs/scale/fitness ranges.
    catalog: tuple[CatalogServer, ...] = ()

    def __post_init__(self) -> None:
        for name in ("num_users", "num_aps", "num_servers", "max_steps"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise InputError(f"must be an integer >= 1, got {value!r}", field=name)
        if any(c.error_floor > 0 for c in self.catalog) and self.aec_form != "power_floor":
            raise InputError(
                "catalog servers have a quality floor; allowed: power_floor "
                f"(got {self.aec_form!r})",
                field="aec_form",
            )
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, tuple) and f.name != "catalog":
                lo, hi = value
                shown = f"{lo:g}" if lo == hi else f"{lo:g},{hi:g}"  # as --set takes it
                if not (math.isfinite(lo) and math.isfinite(hi)) or lo > hi:
                    raise InputError(f"must be a finite range lo <= hi, got {shown}", field=f.name)
                low_ok = lo >= 0 if f.name == "activity" else lo > 0
                if not low_ok or (f.name == "activity" and hi > 1):
                    allowed = "within [0, 1]" if f.name == "activity" else "> 0"
                    raise InputError(f"must be {allowed}, got {shown}", field=f.name)
        for name in ("area_m", "tx_power_w", "min_distance_m", "min_time_scale_s"):
            if not getattr(self, name) > 0:
                raise InputError(f"must be > 0, got {getattr(self, name)!r}", field=name)


#: Named, versioned presets. Never edit one that a figure has used: add a new name instead.
PRESETS: dict[str, GeneratorConfig] = {
    "paper": GeneratorConfig(),
    "small": GeneratorConfig(num_users=6, num_aps=3, num_servers=3),
}


def with_overrides(config: GeneratorConfig, overrides: dict[str, Any]) -> GeneratorConfig:
    """Apply ``name=value`` overrides; a scalar for a range field makes it homogeneous."""
    known = {f.name: f for f in fields(config)}
    changes: dict[str, Any] = {}
    for name, value in overrides.items():
        if name not in known or name == "catalog":
            allowed = ", ".join(sorted(set(known) - {"catalog"}))
            raise InputError(f"unknown generator parameter; allowed: {allowed}", field=name)
        try:
            changes[name] = _converted(getattr(config, name), value, name)
        except (ValueError, OverflowError) as exc:
            if isinstance(exc, InputError):
                raise
            kind = type(getattr(config, name)).__name__
            want = {"tuple": "a number or a range lo,hi", "int": "an integer"}.get(
                kind, f"a {kind}"
            )
            raise InputError(f"must be {want}, got {value!r}", field=name) from None
    return replace(config, **changes)


def _converted(current: Any, value: Any, name: str) -> Any:
    """``value`` (text or number) as the type of the parameter's ``current`` value."""
    if isinstance(current, tuple):
        if not isinstance(value, list | tuple):
            return (float(value), float(value))
        if len(value) != 2:
            raise InputError("a range needs two values lo,hi", field=name)
        return (float(value[0]), float(value[1]))
    if isinstance(current, bool):
        return bool(value)
    if isinstance(current, int):
        if float(value) != int(float(value)):
            raise InputError(f"must be an integer, got {value!r}", field=name)
        return int(float(value))
    if isinstance(current, float):
        return float(value)
    return value


def grid_positions(num_aps: int, area_m: float) -> FloatArray:
    """APs "distributed evenly": centres of a near-square grid, last row centred (MODEL §7).

    Returns
    -------
    ndarray, shape (num_aps, 2)
        Positions [m].
    """
    rows = max(1, math.isqrt(num_aps))
    cols = math.ceil(num_aps / rows)
    out = []
    for r in range(rows):
        in_row = min(cols, num_aps - r * cols)
        y = (r + 0.5) * area_m / rows
        offset = (cols - in_row) / 2.0
        for c in range(in_row):
            out.append(((c + 0.5 + offset) * area_m / cols, y))
    return np.array(out, dtype=float)


def _draw(rng: np.random.Generator, bounds: Range, size: int | tuple[int, ...]) -> FloatArray:
    lo, hi = bounds
    return np.full(size, lo, dtype=float) if lo == hi else rng.uniform(lo, hi, size)


def generate_network(config: GeneratorConfig, rng: np.random.Generator) -> Network:
    """Draw one network from Table III ranges.

    Draws are taken in a fixed order (users' positions, activities, sizes, errors, fitness,
    then servers, then APs) so that a seed always gives the same network.
    """
    n, m, k = config.num_users, config.num_aps, config.num_servers
    check_memory(
        network_bytes(n, m, k) + game_bytes(n, m, k),
        f"a network of {n} users, {m} APs and {k} servers (and its game)",
        field="--users" if n > m * k else None,
    )
    # [users, 2]
    user_xy_m = rng.uniform(0.0, config.area_m, (n, 2))
    theta = quantise_theta(_draw(rng, config.activity, n), config.activity_quantum)
    content_bytes = _draw(rng, config.content_bytes, n)
    max_error = _draw(rng, config.max_error, n)
    # [users, servers]
    fitness = _draw(rng, config.fitness, (n, k))
    capacity = _draw(rng, config.capacity_flops, k)
    flops = _draw(rng, config.flops_per_step, k)
    scale = _draw(rng, config.scale, k)
    bandwidth = _draw(rng, config.bandwidth_hz, m)
    extras: dict[str, Any] = {}
    names = tuple(f"gdm-{j}" for j in range(k))
    if config.catalog:
        # Drawn last, so that users and APs are those of the Table III draw with the same seed
        # (common random numbers between the two kinds of server).
        drawn = draw_catalog_servers(config.catalog, k, config.max_steps, rng)
        names, capacity, flops, scale = (
            drawn.names,
            drawn.capacity_flops,
            drawn.flops_per_step,
            drawn.scale,
        )
        fitness = np.broadcast_to(drawn.fitness, (n, k)).copy()  # [users, servers]
        extras = {
            "error_floor": drawn.error_floor,
            "min_steps": drawn.min_steps,
            "server_max_steps": drawn.max_steps,
            "fixed_time_s": drawn.fixed_time_s,
        }
    return Network(
        area_m=config.area_m,
        path_loss_exponent=config.path_loss_exponent,
        noise_dbm_per_hz=config.noise_dbm_per_hz,
        tx_power_w=config.tx_power_w,
        min_distance_m=config.min_distance_m,
        aec_form=config.aec_form,
        max_steps=config.max_steps,
        min_time_scale_s=config.min_time_scale_s,
        activity_quantum=config.activity_quantum,
        ap_xy_m=grid_positions(m, config.area_m),
        bandwidth_hz=bandwidth,
        server_names=names,
        capacity_flops=capacity,
        flops_per_step=flops,
        scale=scale,
        user_xy_m=user_xy_m,
        theta=theta,
        content_bits=content_bytes * 8.0,
        max_error=max_error,
        fitness=fitness,
        **extras,
    )
