"""The physical network as frozen arrays (what :mod:`jcaco.model` computes on)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

from jcaco.scenario.schema import ScenarioModel
from jcaco.types import FloatArray, IntArray

AecFormName = Literal["exponential", "power", "power_floor"]


def quantise_theta(theta: FloatArray, quantum: float) -> FloatArray:
    """Round θ to a multiple of the measurement step Δθ (footnote 4, docs/model.md O18)."""
    return np.clip(np.round(np.asarray(theta) / quantum) * quantum, 0.0, 1.0)


@dataclass(frozen=True)
class Network:
    """An edge AIGC network (docs/formats.md ``jcaco.scenario/1``), as arrays.

    Attributes
    ----------
    ap_xy_m : ndarray, shape (num_aps, 2)
        AP positions [m].
    bandwidth_hz : ndarray, shape (num_aps,)
        AP bandwidth B_m [Hz].
    capacity_flops : ndarray, shape (num_servers,)
        Server capacity f_k [FLOP/s].
    flops_per_step : ndarray, shape (num_servers,)
        FLOPs per denoising step φ_k [FLOP].
    scale : ndarray, shape (num_servers,)
        AEC scaling factor λ_k of the model on server k, eq. (4).
    user_xy_m : ndarray, shape (num_users, 2)
        User positions [m].
    theta : ndarray, shape (num_users,)
        Activity probability θ_i, eq. (1).
    content_bits : ndarray, shape (num_users,)
        Content size D_i [bit].
    max_error : ndarray, shape (num_users,)
        AEC threshold ε^max_i.
    fitness : ndarray, shape (num_users, num_servers)
        Attenuation factor β_{i,k}, eq. (4) (the exponent of the power forms).
    error_floor : ndarray, shape (num_servers,), optional
        Quality floor ε∞_k of the ``power_floor`` AEC (None: 0).
    min_steps, server_max_steps : ndarray of int, shape (num_servers,), optional
        Usable step range [s_min, s_max] per server (None: [1, ``max_steps``]); s_max is
        capped by ``max_steps``.
    fixed_time_s : ndarray, shape (num_servers,), optional
        Fixed computation cost per request t_fixed [s] beside (10) (None: the paper's (10)).
    """

    area_m: float
    path_loss_exponent: float
    noise_dbm_per_hz: float
    tx_power_w: float
    min_distance_m: float
    aec_form: AecFormName
    max_steps: int
    min_time_scale_s: float
    activity_quantum: float
    ap_xy_m: FloatArray
    bandwidth_hz: FloatArray
    server_names: tuple[str, ...]
    capacity_flops: FloatArray
    flops_per_step: FloatArray
    scale: FloatArray
    user_xy_m: FloatArray
    theta: FloatArray
    content_bits: FloatArray
    max_error: FloatArray
    fitness: FloatArray
    meta: Mapping[str, Any] = field(default_factory=dict)
    error_floor: FloatArray | None = None
    min_steps: IntArray | None = None
    server_max_steps: IntArray | None = None
    fixed_time_s: FloatArray | None = None

    @property
    def step_limit(self) -> int | IntArray:
        """s_max per server (``max_steps`` where no server sets its own), for (37)."""
        if self.server_max_steps is None:
            return self.max_steps
        return np.minimum(self.server_max_steps, self.max_steps)

    @property
    def num_users(self) -> int:
        """Number of users N."""
        return int(self.user_xy_m.shape[0])

    @property
    def num_aps(self) -> int:
        """Number of APs M."""
        return int(self.ap_xy_m.shape[0])

    @property
    def num_servers(self) -> int:
        """Number of servers K."""
        return int(self.capacity_flops.shape[0])

    def with_users(self, keep: np.ndarray) -> Network:
        """A copy that keeps only the users selected by the boolean or index array ``keep``."""
        return replace(
            self,
            user_xy_m=self.user_xy_m[keep],
            theta=self.theta[keep],
            content_bits=self.content_bits[keep],
            max_error=self.max_error[keep],
            fitness=self.fitness[keep],
        )


def _server_extras(model: ScenarioModel) -> dict[str, Any]:
    """The optional per-server arrays, only where some server departs from the default (so
    that a scenario without them builds exactly the paper's game)."""
    servers = model.servers
    out: dict[str, Any] = {}
    if any(s.error_floor > 0 for s in servers):
        out["error_floor"] = np.array([s.error_floor for s in servers], dtype=float)
    if any(s.min_steps != 1 for s in servers):
        out["min_steps"] = np.array([s.min_steps for s in servers], dtype=np.int64)
    if any(s.max_steps is not None for s in servers):
        top = model.aec.max_steps
        out["server_max_steps"] = np.array([s.max_steps or top for s in servers], dtype=np.int64)
    if any(s.fixed_time_s > 0 for s in servers):
        out["fixed_time_s"] = np.array([s.fixed_time_s for s in servers], dtype=float)
    return out


def network_from_model(model: ScenarioModel) -> Network:
    """Convert a validated scenario file model into arrays (bytes become bits)."""
    return Network(
        area_m=model.area_m,
        path_loss_exponent=model.radio.path_loss_exponent,
        noise_dbm_per_hz=model.radio.noise_dbm_per_hz,
        tx_power_w=model.radio.tx_power_w,
        min_distance_m=model.radio.min_distance_m,
        aec_form=model.aec.form,
        max_steps=model.aec.max_steps,
        min_time_scale_s=model.time.min_time_scale_s,
        activity_quantum=model.time.activity_quantum,
        ap_xy_m=np.array([[a.x_m, a.y_m] for a in model.aps], dtype=float),
        bandwidth_hz=np.array([a.bandwidth_hz for a in model.aps], dtype=float),
        server_names=tuple(s.name for s in model.servers),
        capacity_flops=np.array([s.capacity_flops for s in model.servers], dtype=float),
        flops_per_step=np.array([s.flops_per_step for s in model.servers], dtype=float),
        scale=np.array([s.scale for s in model.servers], dtype=float),
        user_xy_m=np.array([[u.x_m, u.y_m] for u in model.users], dtype=float),
        theta=np.array([u.activity for u in model.users], dtype=float),
        content_bits=np.array([u.content_bytes * 8.0 for u in model.users], dtype=float),
        max_error=np.array([u.max_error for u in model.users], dtype=float),
        fitness=np.array([u.fitness for u in model.users], dtype=float),
        meta=dict(model.meta),
        **_server_extras(model),
    )


def server_entries(net: Network) -> list[dict[str, Any]]:
    """The ``servers`` list of a scenario document; the optional fields only where set."""
    out = []
    for k, name in enumerate(net.server_names):
        entry: dict[str, Any] = {
            "name": name,
            "capacity_flops": float(net.capacity_flops[k]),
            "flops_per_step": float(net.flops_per_step[k]),
            "scale": float(net.scale[k]),
        }
        if net.error_floor is not None:
            entry["error_floor"] = float(net.error_floor[k])
        if net.min_steps is not None:
            entry["min_steps"] = int(net.min_steps[k])
        if net.server_max_steps is not None:
            entry["max_steps"] = int(net.server_max_steps[k])
        if net.fixed_time_s is not None:
            entry["fixed_time_s"] = float(net.fixed_time_s[k])
        out.append(entry)
    return out


def network_to_dict(net: Network) -> dict[str, Any]:
    """The ``jcaco.scenario/1`` JSON document of a network."""
    return {
        "schema": "jcaco.scenario/1",
        "area_m": net.area_m,
        "radio": {
            "path_loss_exponent": net.path_loss_exponent,
            "noise_dbm_per_hz": net.noise_dbm_per_hz,
            "tx_power_w": net.tx_power_w,
            "min_distance_m": net.min_distance_m,
        },
        "aec": {"form": net.aec_form, "max_steps": net.max_steps},
        "time": {
            "min_time_scale_s": net.min_time_scale_s,
            "activity_quantum": net.activity_quantum,
        },
        "aps": [
            {"x_m": float(x), "y_m": float(y), "bandwidth_hz": float(b)}
            for (x, y), b in zip(net.ap_xy_m, net.bandwidth_hz, strict=True)
        ],
        "servers": server_entries(net),
        "users": [
            {
                "x_m": float(xy[0]),
                "y_m": float(xy[1]),
                "activity": float(a),
                "content_bytes": float(d) / 8.0,
                "max_error": float(e),
                "fitness": [float(b) for b in beta],
            }
            for xy, a, d, e, beta in zip(
                net.user_xy_m,
                net.theta,
                net.content_bits,
                net.max_error,
                net.fitness,
                strict=True,
            )
        ],
        "meta": dict(net.meta),
    }
