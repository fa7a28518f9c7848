"""Reading and writing jcaco files (JSON or TOML in, JSON out) with one-line errors.

Every failure raises :class:`jcaco.errors.InputError` whose message names the file, the field
(with the entity index, e.g. ``aps[2].bandwidth_hz``) and what is allowed. JSON is parsed and
written by orjson (compiled); NaN and infinity, which JSON cannot hold, are rejected on
writing by numpy over the numeric arrays and lists of a document, and on reading by orjson's
parser (the standard library's then names the field). Parquet files of the same kinds live in
:mod:`jcaco.scenario.parquet_io`.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import tomllib
from pathlib import Path
from typing import Any, TypeVar, get_args

import numpy as np
import orjson
from pydantic import BaseModel, ValidationError

from jcaco.errors import InputError
from jcaco.scenario.schema import SCHEMAS, AssignmentModel, _FieldError

M = TypeVar("M", bound=BaseModel)


#: A document whose compact JSON is larger than this is written without indentation [bytes].
INDENT_LIMIT_BYTES = 1 << 20

Path_ = tuple[int | str, ...]


def _array_non_finite(array: np.ndarray, path: Path_) -> Path_ | None:
    """Path of the first NaN or infinity of a numeric array (None if all are finite)."""
    if array.dtype.kind not in "fc":
        return None
    bad = ~np.isfinite(array)
    if not bad.any():
        return None
    return (*path, *(int(i) for i in np.unravel_index(int(np.argmax(bad)), array.shape)))


def _non_finite_path(value: Any, path: Path_ = ()) -> Path_ | None:
    """Path of the first NaN or infinity in a document (None if all are finite).

    Arrays, and lists that numpy reads as one numeric array, are checked by numpy at once;
    a list of records with the same keys is checked column by column; the rest (nested
    settings, ``meta``) item by item.
    """
    if isinstance(value, float):
        return None if math.isfinite(value) else path
    if isinstance(value, np.ndarray):
        return _array_non_finite(value, path)
    if isinstance(value, dict):
        for key, item in value.items():
            found = _non_finite_path(item, (*path, key))
            if found is not None:
                return found
        return None
    if not isinstance(value, list | tuple) or not value:
        return None
    first = value[0]
    if isinstance(first, dict):
        keys = first.keys()
        if all(isinstance(v, dict) and v.keys() == keys for v in value):
            for key in keys:  # [records]: one column at a time
                found = _non_finite_path([v[key] for v in value], path)
                if found is not None:
                    return (*found[: len(path) + 1], key, *found[len(path) + 1 :])
            return None
    elif isinstance(first, float | int | list) and not isinstance(first, bool):
        try:
            array = np.asarray(value)  # no dtype: a None must not become NaN
        except (TypeError, ValueError):  # ragged: item by item
            pass
        else:
            if array.dtype.kind in "biuf":
                return _array_non_finite(array, path)
    for index, item in enumerate(value):
        found = _non_finite_path(item, (*path, index))
        if found is not None:
            return found
    return None


def read_document(path: str | Path) -> dict[str, Any]:
    """Parse a JSON or TOML file into a dict (TOML by the ``.toml`` suffix)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", source=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.__class__.__name__})", source=str(path)) from None
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
    except UnicodeDecodeError:
        raise InputError("cannot read file (UnicodeDecodeError)", source=str(path)) from None
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


def dumps_json(document: dict[str, Any], *, indent: bool | None = None) -> bytes:
    """Serialise ``document`` to JSON bytes (with a final newline); numpy arrays allowed.

    Raises ``ValueError`` naming the field of a NaN or infinity (JSON cannot hold them) and
    ``TypeError`` for a value JSON cannot represent. ``indent``: two-space indentation
    (default: only when the compact form is at most :data:`INDENT_LIMIT_BYTES`).
    """
    bad = _non_finite_path(document)
    if bad is not None:
        raise ValueError(f"{_field_path(bad)}: NaN or infinity cannot be written to JSON")
    options = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_APPEND_NEWLINE
    try:
        text = orjson.dumps(document, option=options)
        if indent or (indent is None and len(text) <= INDENT_LIMIT_BYTES):
            text = orjson.dumps(document, option=options | orjson.OPT_INDENT_2)
    except orjson.JSONEncodeError as exc:
        raise TypeError(str(exc)) from None
    return text


def write_json(path: str | Path, document: dict[str, Any]) -> None:
    """Write ``document`` atomically: a temporary file in the same folder, then a rename.

    An existing file is only replaced once the new one is complete, so an interrupted write
    never leaves a half-written or emptied file behind. Indented when small, compact when
    large (:func:`dumps_json`).
    """
    text = dumps_json(document)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
