"""Servers hosting real diffusion models: calibrated (model, GPU) entries, and their draw.

A :class:`CatalogServer` is one model on one GPU with its fitted AEC (docs/catalog.md) and
computation time t_fixed + s·t_step. :func:`draw_catalog_servers` picks, for every server of a
generated network, a model uniformly among the distinct models offered and then one of that
model's GPUs uniformly (``jcaco generate --catalog``). The ``jcaco.servers/1`` file written by
``jcaco calibrate -o`` holds such entries; :func:`load_servers_file` reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from jcaco.errors import InputError
from jcaco.scenario.schema import ServerModel
from jcaco.types import FloatArray, IntArray

SERVERS_SCHEMA = "jcaco.servers/1"
#: Nominal FLOPs per step of a calibrated server: the measured step time t_step becomes the
#: effective capacity f = φ / t_step, so that (10) gives φ / f = t_step (only the ratio enters
#: the game; the selfish baseline's "most capable server" is then the fastest per step).
NOMINAL_FLOPS_PER_STEP = 1e12


@dataclass(frozen=True)
class CatalogServer:
    """One model on one GPU, calibrated.

    Attributes
    ----------
    model, gpu : str
    scale : float
        a (λ_k) of the AEC.
    fitness : float
        b, the exponent (β_{i,k} for every user).
    error_floor : float
        ε∞ (``power_floor``; 0 otherwise).
    min_steps : int
    max_steps : int or None
        Usable step range (None: the scenario's ``aec.max_steps``).
    step_time_s, fixed_time_s : float
        t_step and t_fixed [s].
    """

    model: str
    gpu: str
    scale: float
    fitness: float
    error_floor: float
    min_steps: int
    max_steps: int | None
    step_time_s: float
    fixed_time_s: float

    def entry(self) -> dict[str, Any]:
        """The scenario ``servers[k]`` entry (``jcaco.scenario/1``)."""
        out: dict[str, Any] = {
            "name": f"{self.model}@{self.gpu}",
            "capacity_flops": NOMINAL_FLOPS_PER_STEP / self.step_time_s,
            "flops_per_step": NOMINAL_FLOPS_PER_STEP,
            "scale": self.scale,
            "error_floor": self.error_floor,
            "min_steps": self.min_steps,
            "fixed_time_s": self.fixed_time_s,
        }
        if self.max_steps is not None:
            out["max_steps"] = self.max_steps
        return out


@dataclass(frozen=True)
class DrawnServers:
    """Per-server arrays of :func:`draw_catalog_servers` (shape (num_servers,) each)."""

    names: tuple[str, ...]
    capacity_flops: FloatArray
    flops_per_step: FloatArray
    scale: FloatArray
    fitness: FloatArray
    error_floor: FloatArray
    min_steps: IntArray
    max_steps: IntArray
    fixed_time_s: FloatArray


def draw_catalog_servers(
    catalog: tuple[CatalogServer, ...], num_servers: int, max_steps: int, rng: np.random.Generator
) -> DrawnServers:
    """Draw ``num_servers`` servers: a model uniformly, then one of its GPUs uniformly."""
    models = list(dict.fromkeys(c.model for c in catalog))
    picks = []
    for model in rng.choice(len(models), size=num_servers):
        options = [c for c in catalog if c.model == models[int(model)]]
        picks.append(options[int(rng.integers(len(options)))])
    return DrawnServers(
        names=tuple(f"{c.model}@{c.gpu}" for c in picks),
        capacity_flops=np.array([NOMINAL_FLOPS_PER_STEP / c.step_time_s for c in picks]),
        flops_per_step=np.full(num_servers, NOMINAL_FLOPS_PER_STEP),
        scale=np.array([c.scale for c in picks]),
        fitness=np.array([c.fitness for c in picks]),
        error_floor=np.array([c.error_floor for c in picks]),
        min_steps=np.array([c.min_steps for c in picks], dtype=np.int64),
        max_steps=np.array([c.max_steps or max_steps for c in picks], dtype=np.int64),
        fixed_time_s=np.array([c.fixed_time_s for c in picks]),
    )


class _ServerItem(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)

    model: str
    gpu: str
    fitness: float = Field(gt=0, le=1e6)
    server: ServerModel


class ServersFile(BaseModel):
    """``jcaco.servers/1``: calibrated server entries (``jcaco calibrate -o``)."""

    model_config = ConfigDict(
        extra="forbid", allow_inf_nan=False, populate_by_name=True, strict=True
    )

    schema_: Literal["jcaco.servers/1"] = Field("jcaco.servers/1", alias="schema")
    form: Literal["exponential", "power", "power_floor"]
    servers: list[_ServerItem] = Field(min_length=1)
    calibration: dict[str, Any] = Field(default_factory=dict)


def servers_document(form: str, catalog: tuple[CatalogServer, ...], calibration: dict) -> dict:
    """The ``jcaco.servers/1`` document of calibrated servers."""
    return {
        "schema": SERVERS_SCHEMA,
        "form": form,
        "servers": [
            {"model": c.model, "gpu": c.gpu, "fitness": c.fitness, "server": c.entry()}
            for c in catalog
        ],
        "calibration": calibration,
    }


def load_servers_file(path: str | Path) -> tuple[str, tuple[CatalogServer, ...]]:
    """Read a ``jcaco.servers/1`` file: its AEC form and its calibrated servers."""
    from jcaco.io.read import parse_model, read_document

    doc = parse_model(ServersFile, read_document(path), source=str(path))
    out = []
    for item in doc.servers:
        s = item.server
        out.append(
            CatalogServer(
                model=item.model,
                gpu=item.gpu,
                scale=s.scale,
                fitness=item.fitness,
                error_floor=s.error_floor,
                min_steps=s.min_steps,
                max_steps=s.max_steps,
                step_time_s=s.flops_per_step / s.capacity_flops,
                fixed_time_s=s.fixed_time_s,
            )
        )
    return doc.form, tuple(out)


def users_below_floor(max_error: FloatArray, error_floor: FloatArray | None) -> IntArray:
    """The users whose accuracy limit ε^max_i lies at or below every server's quality floor
    ε∞_k (``power_floor``): no number of steps serves them anywhere (docs/catalog.md)."""
    if error_floor is None or np.size(error_floor) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.asarray(max_error) <= float(np.min(error_floor))).astype(np.int64)


def select_models(
    catalog: tuple[CatalogServer, ...], names: list[str] | None, source: str
) -> tuple[CatalogServer, ...]:
    """The entries of the named models (all if ``names`` is empty), in the order named."""
    offered = list(dict.fromkeys(c.model for c in catalog))
    if not names:
        return catalog
    for name in names:
        if name not in offered:
            raise InputError(
                f"model {name!r} has no calibrated server in {source}; allowed: "
                f"{', '.join(offered)}",
                field="--models",
            )
    return tuple(c for name in names for c in catalog if c.model == name)
