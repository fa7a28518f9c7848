"""The scenario file model of docs/formats.md (pydantic; the bases and ranges every file model
shares are in :mod:`jcaco.io.schema`).

Each file schema lives beside the layer whose objects it describes: scenarios here, instances
in :mod:`jcaco.model.schema`, results and assignments in :mod:`jcaco.sim.schema` (which also
lists every kind, :data:`jcaco.sim.schema.SCHEMAS`).

Every numeric field states its allowed range (in its JSON Schema, ``jcaco schema KIND``): an
integer field takes JSON integers only (no booleans, strings or floats such as ``3.0``), within
int64 and its range; a float field takes finite numbers within a physical range wide enough for
any real network and narrow enough that eqs. (6)-(10) cannot overflow. NaN and infinity are
rejected everywhere; unknown fields are rejected. :mod:`jcaco.io.read` turns a validation
failure into one line that names the file, the field (with the entity index) and what is
allowed.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from jcaco.io.schema import (
    MAX_STEPS,
    FieldError,
    FileModel,
    Metres,
    Probability,
    Steps,
    StrictModel,
)

SCENARIO_SCHEMA = "jcaco.scenario/1"


class RadioModel(StrictModel):
    """Radio constants of eq. (6)."""

    path_loss_exponent: Annotated[float, Field(gt=0, le=10)] = Field(
        4.0, description="path-loss exponent α, in (0, 10]"
    )
    noise_dbm_per_hz: Annotated[float, Field(ge=-300, le=0)] = Field(
        -174.0, description="noise PSD N_0 [dBm/Hz], in [-300, 0]"
    )
    tx_power_w: Annotated[float, Field(ge=1e-12, le=1e6)] = Field(
        0.2, description="transmit power P [W], in [1e-12, 1e6]"
    )
    min_distance_m: Annotated[float, Field(ge=1e-3, le=1e7)] = Field(
        1.0, description="distance floor in (6) [m], in [1e-3, 1e7]"
    )


class AecModel(StrictModel):
    """AEC form (4) and the step limit S_max of (37) (docs/catalog.md for the forms)."""

    form: Literal["exponential", "power", "power_floor"] = "exponential"
    max_steps: Steps = Field(1000, description=f"step limit S_max, in [1, {MAX_STEPS}]")


class TimeModel(StrictModel):
    """Minimum time scale δ (46) and activity quantum Δθ (footnote 4)."""

    min_time_scale_s: Annotated[float, Field(gt=0, le=1e6)] = Field(
        1e-3, description="minimum time scale δ [s], in (0, 1e6]"
    )
    activity_quantum: Annotated[float, Field(ge=1e-9, le=1)] = Field(
        0.01, description="activity quantum Δθ, in [1e-9, 1]"
    )


class ApModel(StrictModel):
    """One access point."""

    x_m: Metres = Field(description="x coordinate [m], in [0, area_m]")
    y_m: Metres = Field(description="y coordinate [m], in [0, area_m]")
    bandwidth_hz: Annotated[float, Field(ge=1, le=1e12)] = Field(
        description="bandwidth B_m [Hz], in [1, 1e12]"
    )


class ServerModel(StrictModel):
    """One edge server and the diffusion model it hosts."""

    name: str = ""
    capacity_flops: Annotated[float, Field(ge=1e3, le=1e24)] = Field(
        description="computation capacity f_k [FLOP/s], in [1e3, 1e24]"
    )
    flops_per_step: Annotated[float, Field(ge=1, le=1e21)] = Field(
        description="FLOPs per denoising step φ_k [FLOP], in [1, 1e21]"
    )
    scale: Annotated[float, Field(gt=0, le=1e9)] = Field(
        description="model-specific AEC scaling factor λ_k, in (0, 1e9]"
    )
    error_floor: Annotated[float, Field(ge=0, le=1)] = Field(
        0.0, description="quality floor ε∞_k of the power_floor AEC, in [0, 1] (0 for other forms)"
    )
    min_steps: Steps = Field(1, description=f"least usable steps s_min, in [1, {MAX_STEPS}]")
    max_steps: Steps | None = Field(
        None, description=f"most usable steps s_max, in [1, {MAX_STEPS}] (default: aec.max_steps)"
    )
    fixed_time_s: Annotated[float, Field(ge=0, le=1e9)] = Field(
        0.0, description="fixed computation cost per request t_fixed [s], in [0, 1e9], beside (10)"
    )


class UserModel(StrictModel):
    """One user (UE)."""

    x_m: Metres = Field(description="x coordinate [m], in [0, area_m]")
    y_m: Metres = Field(description="y coordinate [m], in [0, area_m]")
    activity: Probability = Field(description="activity probability θ_i in [0, 1]")
    content_bytes: Annotated[float, Field(gt=0, le=1e15)] = Field(
        description="size D_i of the generated content [B], in (0, 1e15]"
    )
    max_error: Annotated[float, Field(gt=0, le=1e6)] = Field(
        description="AEC threshold ε^max_i, in (0, 1e6]"
    )
    fitness: list[Annotated[float, Field(gt=0, le=1e6)]] = Field(
        description="attenuation factor β_{i,k} in (0, 1e6], one per server"
    )


class ScenarioModel(FileModel):
    """``jcaco.scenario/1``: the physical network."""

    schema_: Literal["jcaco.scenario/1"] = Field("jcaco.scenario/1", alias="schema")
    area_m: Annotated[float, Field(gt=0, le=1e7)] = Field(
        500.0, description="side of the square area [m], in (0, 1e7]"
    )
    radio: RadioModel = RadioModel()
    aec: AecModel = AecModel()
    time: TimeModel = TimeModel()
    aps: list[ApModel] = Field(min_length=1)
    servers: list[ServerModel] = Field(min_length=1)
    users: list[UserModel] = Field(min_length=1)
    meta: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check_consistency(self) -> ScenarioModel:
        num_servers = len(self.servers)
        for k, server in enumerate(self.servers):
            if server.error_floor > 0 and self.aec.form != "power_floor":
                raise FieldError(
                    f"servers[{k}].error_floor",
                    f"applies only to aec.form power_floor (form is {self.aec.form!r}); "
                    "allowed: 0 or aec.form power_floor",
                )
            top = min(self.aec.max_steps, server.max_steps or self.aec.max_steps)
            if server.min_steps > top:
                raise FieldError(
                    f"servers[{k}].min_steps",
                    f"must be <= max_steps ({top}), got {server.min_steps}",
                )
        for i, user in enumerate(self.users):
            if len(user.fitness) != num_servers:
                raise FieldError(
                    f"users[{i}].fitness",
                    f"needs one value per server ({num_servers}), got {len(user.fitness)}",
                )
        for kind, items in (("aps", self.aps), ("users", self.users)):
            for i, item in enumerate(items):
                for axis in ("x_m", "y_m"):
                    value = getattr(item, axis)
                    if value > self.area_m:
                        raise FieldError(
                            f"{kind}[{i}].{axis}",
                            f"must lie in [0, area_m={self.area_m:g}], got {value:g}",
                        )
        return self
