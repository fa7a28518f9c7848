"""What every file model shares (pydantic): the strict bases, the field ranges, the cross-field
error.

Every numeric field states its allowed range (in its JSON Schema, ``jcaco schema KIND``): an
integer field takes JSON integers only (no booleans, strings or floats such as ``3.0``), within
int64 and its range; a float field takes finite numbers within a physical range wide enough for
any real network and narrow enough that eqs. (6)-(10) cannot overflow. The file models
themselves live beside the layer whose objects they describe (:mod:`jcaco.scenario.schema`,
:mod:`jcaco.model.schema`, :mod:`jcaco.sim.schema`).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

#: The most denoising steps any field may hold (steps, min_steps, max_steps).
MAX_STEPS = 1_000_000_000
#: The longest time any file may hold, and any time a scenario may build [s].
MAX_TIME_S = 1e30
#: The largest index an assignment may hold (int64).
MAX_INDEX = 2**63 - 1

Positive = Annotated[float, Field(gt=0)]
Probability = Annotated[float, Field(ge=0, le=1)]
NonNegative = Annotated[float, Field(ge=0)]
#: A length [m]: a distance, a coordinate or the area's side (at most 10^7 m).
Metres = Annotated[float, Field(ge=0, le=1e7)]
#: A time [s] in (0, 10^30].
Seconds = Annotated[float, Field(gt=0, le=MAX_TIME_S)]
#: A step count in [1, 10^9].
Steps = Annotated[int, Field(ge=1, le=MAX_STEPS)]


class StrictModel(BaseModel):
    """A file model: strict types (an integer field takes integers only, a float field numbers
    but no booleans or strings), unknown fields, NaN and infinity rejected; immutable."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True, strict=True)


class FileModel(StrictModel):
    """A whole file: its ``schema`` tag is read from the key ``schema`` (field ``schema_``)."""

    model_config = ConfigDict(populate_by_name=True)


class FieldError(ValueError):
    """A cross-field check that failed; carries the field path for the one-line message."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


__all__ = [
    "MAX_INDEX",
    "MAX_STEPS",
    "MAX_TIME_S",
    "FieldError",
    "FileModel",
    "Metres",
    "NonNegative",
    "Positive",
    "Probability",
    "Seconds",
    "Steps",
    "StrictModel",
]
