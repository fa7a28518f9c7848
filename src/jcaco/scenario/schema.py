"""File models of DESIGN.md §4.1, validated at the edge (pydantic).

Every numeric field states its allowed range; NaN and infinity are rejected everywhere; unknown
fields are rejected. :mod:`jcaco.scenario.io` turns a validation failure into one line that
names the file, the field (with the entity index) and what is allowed.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SCENARIO_SCHEMA = "jcaco.scenario/1"
INSTANCE_SCHEMA = "jcaco.instance/1"
RESULT_SCHEMA = "jcaco.result/1"

Positive = Annotated[float, Field(gt=0)]
Probability = Annotated[float, Field(ge=0, le=1)]
NonNegative = Annotated[float, Field(ge=0)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)


class RadioModel(_Strict):
    """Radio constants of eq. (6)."""

    path_loss_exponent: Positive = Field(4.0, description="path-loss exponent α (> 0)")
    noise_dbm_per_hz: float = Field(-174.0, description="noise PSD N_0 [dBm/Hz]")
    tx_power_w: Positive = Field(0.2, description="transmit power P [W] (> 0)")
    min_distance_m: Positive = Field(1.0, description="distance floor in (6) [m] (> 0)")


class AecModel(_Strict):
    """AEC form (4) and the step limit S_max of (37) (docs/catalog.md for the forms)."""

    form: Literal["exponential", "power", "power_floor"] = "exponential"
    max_steps: Annotated[int, Field(ge=1)] = 1000


class TimeModel(_Strict):
    """Minimum time scale δ (46) and activity quantum Δθ (footnote 4)."""

    min_time_scale_s: Positive = 1e-3
    activity_quantum: Annotated[float, Field(gt=0, le=1)] = 0.01


class ApModel(_Strict):
    """One access point."""

    x_m: NonNegative
    y_m: NonNegative
    bandwidth_hz: Positive


class ServerModel(_Strict):
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


class UserModel(_Strict):
    """One user (UE)."""

    x_m: NonNegative
    y_m: NonNegative
    activity: Probability = Field(description="activity probability θ_i in [0, 1]")
    content_bytes: Positive = Field(description="size D_i of the generated content [B]")
    max_error: Positive = Field(description="AEC threshold ε^max_i (> 0)")
    fitness: list[Positive] = Field(description="attenuation factor β_{i,k}, one per server")


class ScenarioModel(_Strict):
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

    model_config = ConfigDict(
        extra="forbid", allow_inf_nan=False, frozen=True, populate_by_name=True
    )

    @model_validator(mode="after")
    def _check_consistency(self) -> ScenarioModel:
        num_servers = len(self.servers)
        for k, server in enumerate(self.servers):
            if server.error_floor > 0 and self.aec.form != "power_floor":
                raise _FieldError(
                    f"servers[{k}].error_floor",
                    f"applies only to aec.form power_floor (form is {self.aec.form!r}); "
                    "allowed: 0 or aec.form power_floor",
                )
            top = min(self.aec.max_steps, server.max_steps or self.aec.max_steps)
            if server.min_steps > top:
                raise _FieldError(
                    f"servers[{k}].min_steps",
                    f"must be <= max_steps ({top}), got {server.min_steps}",
                )
        for i, user in enumerate(self.users):
            if len(user.fitness) != num_servers:
                raise _FieldError(
                    f"users[{i}].fitness",
                    f"needs one value per server ({num_servers}), got {len(user.fitness)}",
                )
        for kind, items in (("aps", self.aps), ("users", self.users)):
            for i, item in enumerate(items):
                for axis in ("x_m", "y_m"):
                    value = getattr(item, axis)
                    if value > self.area_m:
                        raise _FieldError(
                            f"{kind}[{i}].{axis}",
                            f"must lie in [0, area_m={self.area_m:g}], got {value:g}",
                        )
        return self


class InstanceModel(_Strict):
    """``jcaco.instance/1``: one game, no geometry."""

    schema_: Literal["jcaco.instance/1"] = Field("jcaco.instance/1", alias="schema")
    activity: list[Probability] = Field(min_length=1)
    tx_time_s: list[list[Positive]]
    steps: list[list[Annotated[int, Field(ge=1)] | None]]
    compute_time_s: list[list[Positive | None]]
    meta: dict[str, Any] = Field(default_factory=dict)

    model_config = ConfigDict(
        extra="forbid", allow_inf_nan=False, frozen=True, populate_by_name=True
    )

    @model_validator(mode="after")
    def _check_shapes(self) -> InstanceModel:
        n = len(self.activity)
        for name in ("tx_time_s", "steps", "compute_time_s"):
            rows = getattr(self, name)
            if len(rows) != n:
                raise _FieldError(name, f"needs one row per user ({n}), got {len(rows)}")
            width = len(rows[0])
            if width == 0:
                raise _FieldError(f"{name}[0]", "needs at least one column")
            for i, row in enumerate(rows):
                if len(row) != width:
                    raise _FieldError(f"{name}[{i}]", f"needs {width} columns, got {len(row)}")
        if len(self.steps[0]) != len(self.compute_time_s[0]):
            raise _FieldError("compute_time_s", "needs as many columns as steps (one per server)")
        for i, (srow, crow) in enumerate(zip(self.steps, self.compute_time_s, strict=True)):
            for k, (s, c) in enumerate(zip(srow, crow, strict=True)):
                if (s is None) != (c is None):
                    raise _FieldError(
                        f"compute_time_s[{i}][{k}]", "must be null exactly where steps is null"
                    )
        return self


class ResultModel(_Strict):
    """``jcaco.result/1``: the outcome of ``jcaco solve`` or ``jcaco evaluate``."""

    schema_: Literal["jcaco.result/1"] = Field("jcaco.result/1", alias="schema")
    algorithm: str
    seed: int | None
    version: str
    ap: list[int]
    server: list[int]
    steps: list[int]
    expected_cost_s: list[float]
    expected_service_time_s: list[float]
    expected_total_service_time_s: float
    nash_gap_s: float
    is_nash: bool
    iterations: int
    converged: bool
    wall_time_s: float
    meta: dict[str, Any] = Field(default_factory=dict)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class AssignmentModel(_Strict):
    """An assignment to score: ``{"ap": [N], "server": [N], "steps": [N] (optional)}``."""

    ap: list[Annotated[int, Field(ge=0)]]
    server: list[Annotated[int, Field(ge=0)]]
    steps: list[Annotated[int, Field(ge=1)]] | None = None


class _FieldError(ValueError):
    """A cross-field check that failed; carries the field path for the one-line message."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


SCHEMAS: dict[str, type[BaseModel]] = {
    "scenario": ScenarioModel,
    "instance": InstanceModel,
    "result": ResultModel,
}
