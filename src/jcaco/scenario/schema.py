"""The scenario file model of docs/formats.md and what every file model shares (pydantic).

Each file schema lives beside the layer whose objects it describes: scenarios here, instances
in :mod:`jcaco.model.schema`, results and assignments in :mod:`jcaco.sim.schema` (which also
lists every kind, :data:`jcaco.sim.schema.SCHEMAS`).

Every numeric field states its allowed range; NaN and infinity are rejected everywhere; unknown
fields are rejected. :mod:`jcaco.scenario.io` turns a validation failure into one line that
names the file, the field (with the entity index) and what is allowed.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SCENARIO_SCHEMA = "jcaco.scenario/1"

Positive = Annotated[float, Field(gt=0)]
Probability = Annotated[float, Field(ge=0, le=1)]
NonNegative = Annotated[float, Field(ge=0)]


class StrictModel(BaseModel):
    """A file model: unknown fields, NaN and infinity rejected; immutable."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)


class FileModel(StrictModel):
    """A whole file: its ``schema`` tag is read from the key ``schema`` (field ``schema_``)."""

    model_config = ConfigDict(populate_by_name=True)


class RadioModel(StrictModel):
    """Radio constants of eq. (6)."""

    path_loss_exponent: Positive = Field(4.0, description="path-loss exponent α (> 0)")
    noise_dbm_per_hz: float = Field(-174.0, description="noise PSD N_0 [dBm/Hz]")
    tx_power_w: Positive = Field(0.2, description="transmit power P [W] (> 0)")
    min_distance_m: Positive = Field(1.0, description="distance floor in (6) [m] (> 0)")


class AecModel(StrictModel):
    """AEC form (4) and the step limit S_max of (37) (docs/catalog.md for the forms)."""

    form: Literal["exponential", "power", "power_floor"] = "exponential"
    max_steps: Annotated[int, Field(ge=1)] = 1000


class TimeModel(StrictModel):
    """Minimum time scale δ (46) and activity quantum Δθ (footnote 4)."""

    min_time_scale_s: Positive = 1e-3
    activity_quantum: Annotated[float, Field(gt=0, le=1)] = 0.01


class ApModel(StrictModel):
    """One access point."""

    x_m: NonNegative
    y_m: NonNegative
    bandwidth_hz: Positive


class ServerModel(StrictModel):
    """One edge server and the diffusion model it hosts."""

    name: str = ""
    capacity_flops: Positive = Field(description="computation capacity f_k [FLOP/s]")
    flops_per_step: Positive = Field(description="FLOPs per denoising step φ_k [FLOP]")
    scale: Positive = Field(description="model-specific AEC scaling factor λ_k")
    error_floor: NonNegative = Field(
        0.0, description="quality floor ε∞_k of the power_floor AEC (>= 0; 0 for other forms)"
    )
    min_steps: Annotated[int, Field(ge=1)] = Field(1, description="least usable steps s_min")
    max_steps: Annotated[int, Field(ge=1)] | None = Field(
        None, description="most usable steps s_max (default: aec.max_steps)"
    )
    fixed_time_s: NonNegative = Field(
        0.0, description="fixed computation cost per request t_fixed [s] (>= 0), beside (10)"
    )


class UserModel(StrictModel):
    """One user (UE)."""

    x_m: NonNegative
    y_m: NonNegative
    activity: Probability = Field(description="activity probability θ_i in [0, 1]")
    content_bytes: Positive = Field(description="size D_i of the generated content [B]")
    max_error: Positive = Field(description="AEC threshold ε^max_i (> 0)")
    fitness: list[Positive] = Field(description="attenuation factor β_{i,k}, one per server")


class ScenarioModel(FileModel):
    """``jcaco.scenario/1``: the physical network."""

    schema_: Literal["jcaco.scenario/1"] = Field("jcaco.scenario/1", alias="schema")
    area_m: Positive = 500.0
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


class FieldError(ValueError):
    """A cross-field check that failed; carries the field path for the one-line message."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")
