"""The instance file model (``jcaco.instance/1``, docs/formats.md): one game, no geometry."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from jcaco.io.schema import FieldError, FileModel, Probability, Seconds, Steps

INSTANCE_SCHEMA = "jcaco.instance/1"


class InstanceModel(FileModel):
    """``jcaco.instance/1``: one game, no geometry."""

    schema_: Literal["jcaco.instance/1"] = Field("jcaco.instance/1", alias="schema")
    activity: list[Probability] = Field(min_length=1)
    tx_time_s: list[list[Seconds]] = Field(
        description="standalone transmission time T_{i,m} [s], in (0, 1e30]"
    )
    steps: list[list[Steps | None]] = Field(
        description="optimal steps s*_{i,k}, in [1, 1e9]; null where infeasible"
    )
    compute_time_s: list[list[Seconds | None]] = Field(
        description="computation time [s], in (0, 1e30]; null where infeasible"
    )
    meta: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check_shapes(self) -> InstanceModel:
        n = len(self.activity)
        for name in ("tx_time_s", "steps", "compute_time_s"):
            rows = getattr(self, name)
            if len(rows) != n:
                raise FieldError(name, f"needs one row per user ({n}), got {len(rows)}")
            width = len(rows[0])
            if width == 0:
                raise FieldError(f"{name}[0]", "needs at least one column")
            for i, row in enumerate(rows):
                if len(row) != width:
                    raise FieldError(f"{name}[{i}]", f"needs {width} columns, got {len(row)}")
        if len(self.steps[0]) != len(self.compute_time_s[0]):
            raise FieldError("compute_time_s", "needs as many columns as steps (one per server)")
        for i, (srow, crow) in enumerate(zip(self.steps, self.compute_time_s, strict=True)):
            for k, (s, c) in enumerate(zip(srow, crow, strict=True)):
                if (s is None) != (c is None):
                    raise FieldError(
                        f"compute_time_s[{i}][{k}]", "must be null exactly where steps is null"
                    )
        return self


__all__ = ["INSTANCE_SCHEMA", "InstanceModel"]
