"""Reading and writing jcaco files (JSON or TOML in, JSON out) with one-line errors.

Every failure raises :class:`jcaco.errors.InputError` whose message names the file, the field
(with the entity index, e.g. ``aps[2].bandwidth_hz``) and what is allowed.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import tomllib
from pathlib import Path
from typing import Any, TypeVar, get_args

from pydantic import BaseModel, ValidationError

from jcaco.errors import InputError
from jcaco.scenario.schema import SCHEMAS, AssignmentModel, _FieldError

M = TypeVar("M", bound=BaseModel)


def _non_finite_path(value: Any, path: tuple[int | str, ...] = ()) -> tuple[int | str, ...] | None:
    """Path of the first NaN or infinity in a parsed document (None if all are finite)."""
    if isinstance(value, float) and not math.isfinite(value):
        return path
    items: list[tuple[int | str, Any]] = []
    if isinstance(value, dict):
        items = list(value.items())
    elif isinstance(value, list):
        items = list(enumerate(value))
    for key, item in items:
        found = _non_finite_path(item, (*path, key))
        if found is not None:
            return found
    return None


def read_document(path: str | Path) -> dict[str, Any]:
    """Parse a JSON or TOML file into a dict (TOML by the ``.toml`` suffix)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file not found", source=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read file ({exc.__class__.__name__})", source=str(path)) from None
    try:
        if path.suffix.lower() == ".toml":
            data = tomllib.loads(text)
        else:
            data = json.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"malformed TOML: {exc}", source=str(path)) from None
    except json.JSONDecodeError as exc:
        raise InputError(
            f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}", source=str(path)
        ) from None
    except ValueError as exc:
        raise InputError(f"malformed JSON: {exc}", source=str(path)) from None
    if not isinstance(data, dict):
        raise InputError("the top level must be an object", source=str(path))
    bad = _non_finite_path(data)
    if bad is not None:  # NaN/Infinity parse in JSON and TOML; name the field they sit in
        raise InputError(
            "must be a finite number (no NaN or infinity)", source=str(path), field=_field_path(bad)
        )
    return data


def _field_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            name = "schema" if part == "schema_" else part
            out += f".{name}" if out else name
    return out or "(top level)"


def _known_fields(model: type[BaseModel] | None, loc: tuple[int | str, ...]) -> str:
    """The field names allowed in the object at ``loc`` of ``model`` ("" if unknown)."""
    for part in loc:
        if model is None:
            return ""
        if isinstance(part, str):
            field = model.model_fields.get(part)
            nested = [field.annotation] if field is not None else []
            model = None
            while nested:  # find the model inside list[...] / X | None
                kind = nested.pop()
                if isinstance(kind, type) and issubclass(kind, BaseModel):
                    model = kind
                nested.extend(get_args(kind))
    if model is None:
        return ""
    return ", ".join(f.alias or name for name, f in model.model_fields.items())


def validation_to_input_error(
    exc: ValidationError, source: str | None, model: type[BaseModel] | None = None
) -> InputError:
    """Turn the first pydantic error into one :class:`InputError` line."""
    err = exc.errors()[0]
    cause = (err.get("ctx") or {}).get("error")
    if isinstance(cause, _FieldError):
        return InputError(cause.message, source=source, field=cause.field)
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    # For a union (`x | None`) pydantic appends the member type; drop it from the path.
    loc = tuple(p for p in loc if p not in ("float", "int", "none", "constrained-float"))
    message = str(err["msg"])
    kind = err["type"]
    if kind == "missing":
        message = "is required"
    elif kind == "extra_forbidden":
        known = _known_fields(model, loc[:-1])
        message = f"is not a known field; allowed: {known}" if known else "is not a known field"
    elif kind == "finite_number":
        message = "must be a finite number (no NaN or infinity)"
    elif "input" in err and kind != "literal_error":
        message = f"{message[0].lower()}{message[1:]} (got {err['input']!r})"
    elif kind == "literal_error":
        message = f"{message[0].lower()}{message[1:]} (got {err.get('input')!r})"
    return InputError(message, source=source, field=_field_path(loc))


def parse_model(model: type[M], data: dict[str, Any], source: str | None = None) -> M:
    """Validate ``data`` against a file model, raising a one-line :class:`InputError`."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_to_input_error(exc, source, model) from None


def load_document(path: str | Path) -> tuple[str, BaseModel]:
    """Read a scenario or instance file and validate it by its ``schema`` tag.

    Returns
    -------
    kind : {"scenario", "instance", "result"}
    model : the validated pydantic model
    """
    data = read_document(path)
    tag = data.get("schema")
    kinds = {f"jcaco.{k}/1": k for k in SCHEMAS}
    if tag not in kinds:
        allowed = ", ".join(f'"{t}"' for t in kinds)
        raise InputError(
            f"must be one of {allowed} (got {tag!r})", source=str(path), field="schema"
        )
    kind = kinds[tag]
    return kind, parse_model(SCHEMAS[kind], data, source=str(path))


def load_assignment(path: str | Path) -> AssignmentModel:
    """Read an assignment file ``{"ap": [...], "server": [...], "steps": [...]?}``."""
    return parse_model(AssignmentModel, read_document(path), source=str(path))


def write_json(path: str | Path, document: dict[str, Any]) -> None:
    """Write ``document`` atomically: a temporary file in the same folder, then a rename.

    An existing file is only replaced once the new one is complete, so an interrupted write
    never leaves a half-written or emptied file behind.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=2, allow_nan=False)
            handle.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
