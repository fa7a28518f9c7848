"""Reading jcaco files (JSON or TOML) with one-line errors.

Every failure raises :class:`jcaco.errors.InputError` whose message names the file, the field
(with the entity index, e.g. ``aps[2].bandwidth_hz``) and what is allowed. JSON is parsed by
orjson (compiled); NaN and infinity, which JSON cannot hold, are rejected by orjson's parser
(the standard library's then names the field). Writing lives in :mod:`jcaco.io.files`; Parquet
files of the same kinds in :mod:`jcaco.io.parquet`.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar, get_args

import orjson
from pydantic import BaseModel, ValidationError

from jcaco.errors import InputError
from jcaco.io.files import field_path, non_finite_path
from jcaco.io.schema import FieldError

M = TypeVar("M", bound=BaseModel)


def read_document(path: str | Path) -> dict[str, Any]:
    """Parse a JSON or TOML file into a dict (TOML by the ``.toml`` suffix).

    Every failure (unreadable file, text that is not UTF-8, malformed or too deeply nested
    content, NaN or infinity) raises a one-line :class:`InputError` naming the file.
    """
    try:
        return _read_document(Path(path))
    except RecursionError:
        raise InputError(
            "is nested too deeply; allowed: the nesting of the file's schema (a few levels)",
            source=str(path),
        ) from None


def _read_document(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", source=str(path)) from None
    except OSError as exc:
        raise InputError(
            f"cannot read file ({exc.__class__.__name__}: {exc.strerror or exc})", source=str(path)
        ) from None
    if path.suffix.lower() != ".toml":
        try:
            data = orjson.loads(raw)  # rejects NaN and infinity: never walked on success
        except orjson.JSONDecodeError:
            pass  # the standard parser below names the line, or the non-finite field
        else:
            if not isinstance(data, dict):
                raise InputError("the top level must be an object", source=str(path))
            return data
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"is not UTF-8 text (byte {exc.start}); allowed: UTF-8 JSON or TOML",
            source=str(path),
        ) from None
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
    bad = non_finite_path(data)
    if bad is not None:  # NaN/Infinity parse in JSON and TOML; name the field they sit in
        raise InputError(
            "must be a finite number (no NaN or infinity)", source=str(path), field=field_path(bad)
        )
    return data


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


#: pydantic's range errors, as the comparison the value must meet.
_RANGE_TEXT = {
    "greater_than": "greater than",
    "greater_than_equal": "greater than or equal to",
    "less_than": "less than",
    "less_than_equal": "less than or equal to",
}
#: pydantic's strict type errors, as what the field takes.
_TYPE_TEXT = {
    "int_type": "must be a JSON integer (no boolean, string or float such as 3.0)",
    "float_type": "must be a number (no boolean or string)",
    "string_type": "must be a string",
    "list_type": "must be a list",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "bool_type": "must be true or false",
}


def _shown(value: Any) -> str:
    """A bad input value for a message: numbers as ``%g``, the rest by ``repr`` (shortened)."""
    if isinstance(value, float):
        text = repr(value)  # 1.0 stays 1.0 (a float where an integer is due)
        return text if len(text) <= 12 else f"{value:g}"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**12:
        return f"{float(value):g}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def validation_to_input_error(
    exc: ValidationError, source: str | None, model: type[BaseModel] | None = None
) -> InputError:
    """Turn the first pydantic error into one :class:`InputError` line."""
    err = exc.errors()[0]
    cause = (err.get("ctx") or {}).get("error")
    if isinstance(cause, FieldError):
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
    elif kind in _RANGE_TEXT:
        ctx = err.get("ctx") or {}
        limit = next(iter(ctx.values()))
        message = f"must be {_RANGE_TEXT[kind]} {limit:g} (got {_shown(err.get('input'))})"
    elif kind in _TYPE_TEXT:
        message = f"{_TYPE_TEXT[kind]} (got {_shown(err.get('input'))})"
    elif "input" in err and kind != "literal_error":
        message = f"{message[0].lower()}{message[1:]} (got {_shown(err['input'])})"
    elif kind == "literal_error":
        message = f"{message[0].lower()}{message[1:]} (got {_shown(err.get('input'))})"
    return InputError(message, source=source, field=field_path(loc))


def parse_model(model: type[M], data: dict[str, Any], source: str | None = None) -> M:
    """Validate ``data`` against a file model, raising a one-line :class:`InputError`."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_to_input_error(exc, source, model) from None


def load_document(path: str | Path, kinds: Mapping[str, type[BaseModel]]) -> BaseModel:
    """Read a file and validate it by its ``schema`` tag against the model of that tag.

    ``kinds`` maps each accepted tag (``"jcaco.scenario/1"``, ...) to its model; any other tag
    raises :class:`jcaco.errors.InputError` naming the ``schema`` field and the accepted tags.
    """
    data = read_document(path)
    tag = data.get("schema")
    if not isinstance(tag, str) or tag not in kinds:
        allowed = ", ".join(f'"{t}"' for t in kinds)
        raise InputError(
            f"must be one of {allowed} (got {tag!r})", source=str(path), field="schema"
        )
    return parse_model(kinds[tag], data, source=str(path))
