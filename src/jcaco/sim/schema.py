"""The result and assignment file models (docs/formats.md), and the list of every file kind."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from jcaco.io.schema import MAX_INDEX, FileModel, Steps, StrictModel
from jcaco.model.schema import InstanceModel
from jcaco.scenario.schema import ScenarioModel

RESULT_SCHEMA = "jcaco.result/1"


class ResultModel(FileModel):
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


#: The keys of a ``jcaco.result/1`` document, in order: the one list of the result's fields
#: (:meth:`jcaco.jobs.solve.SolveResult.to_dict` writes exactly these).
RESULT_FIELDS: tuple[str, ...] = tuple(
    field.alias or name for name, field in ResultModel.model_fields.items()
)


class AssignmentModel(StrictModel):
    """An assignment to score: ``{"ap": [N], "server": [N], "steps": [N] (optional)}``."""

    ap: list[Annotated[int, Field(ge=0, le=MAX_INDEX)]] = Field(
        description="each user's AP index (an integer, 0-based)"
    )
    server: list[Annotated[int, Field(ge=0, le=MAX_INDEX)]] = Field(
        description="each user's server index (an integer, 0-based)"
    )
    steps: list[Steps] | None = Field(
        None, description="each user's denoising steps, in [1, 1e9] (default: the optimal ones)"
    )


#: Every file kind with a ``schema`` tag, by name (``jcaco schema KIND``).
SCHEMAS: dict[str, type[BaseModel]] = {
    "scenario": ScenarioModel,
    "instance": InstanceModel,
    "result": ResultModel,
}

__all__ = ["RESULT_FIELDS", "RESULT_SCHEMA", "SCHEMAS", "AssignmentModel", "ResultModel"]
