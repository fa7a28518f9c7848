"""Mutations of scenario and assignment documents that every one is invalid, for the fuzz test
(``tests/test_fuzz_inputs.py``) and the standalone driver (``tests/fuzz/run_fuzz.py``).

A mutation picks one place of a valid document (a number, a string, a list, a key) and makes it
wrong in one of the ways users and tools get it wrong: a boolean or a numeric string where a
number is due, a float where an integer is due, a number beyond every physical range, NaN,
a missing or an unknown key, a wrong length, deep nesting, bytes that are not UTF-8. Each
mutated document must be refused with one line (exit 2); exit 0 is a silent acceptance.
"""

from __future__ import annotations

import copy
import json
from typing import Any

#: Values no numeric field accepts: booleans, numeric strings, beyond any range, non-finite.
BAD_NUMBERS: tuple[Any, ...] = (
    True,
    False,
    "500",
    "1e3",
    1e308,
    -1e308,
    float("nan"),
    float("inf"),
    [],
    {},
)
#: Where an integer is due (steps, indices): floats, and integers beyond int64.
INT_ONLY_BAD: tuple[Any, ...] = (1.0, 2.5, 1e18, 2**63, -(2**63) - 1)
#: Kinds of mutation (the first element of a mutation).
KINDS = ("value", "delete", "unknown", "nest", "bytes", "length")

Path = tuple[Any, ...]


def leaves(doc: Any, path: Path = ()) -> list[tuple[Path, Any]]:
    """Every place in ``doc`` with its value, ``meta`` (free-form) left out, parents first."""
    out: list[tuple[Path, Any]] = [(path, doc)] if path else []
    if isinstance(doc, dict):
        for key, value in doc.items():
            if key != "meta":
                out += leaves(value, (*path, key))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            out += leaves(value, (*path, index))
    return out


def _parent(doc: Any, path: Path) -> Any:
    node = doc
    for part in path[:-1]:
        node = node[part]
    return node


def mutate(doc: dict[str, Any], kind: str, place: int, choice: int) -> tuple[bytes, str] | None:
    """The bytes of ``doc`` mutated, and a label; None where the mutation does not apply.

    Parameters
    ----------
    kind : str
        One of :data:`KINDS`.
    place, choice : int
        Which place (modulo the number of places) and which bad value (modulo their number).
    """
    doc = copy.deepcopy(doc)
    places = leaves(doc)
    path, value = places[place % len(places)]
    parent = _parent(doc, path)
    label = f"{kind} at {'.'.join(map(str, path))}"
    if kind == "value":
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            return None
        if isinstance(value, str):
            if path[-1] == "schema" or path[-1] == "form":
                bad: Any = BAD_NUMBERS[choice % len(BAD_NUMBERS)]
            else:
                bad = [1.5, True, None, []][choice % 4]  # a name must be a string
        elif isinstance(value, int):
            pool = BAD_NUMBERS + INT_ONLY_BAD
            bad = pool[choice % len(pool)]
        else:
            bad = BAD_NUMBERS[choice % len(BAD_NUMBERS)]
        parent[path[-1]] = bad
        label += f" = {bad!r}"
    elif kind == "delete":
        if not isinstance(parent, dict) or not _required(path):
            return None
        del parent[path[-1]]
    elif kind == "unknown":
        if not isinstance(value, dict):
            return None
        value["colour"] = "red"
    elif kind == "nest":
        depth = [50, 1_000, 100_000][choice % 3]
        text = json.dumps(doc)
        return text[:-1].encode() + b', "deep": ' + b"[" * depth + b"]" * depth + b"}", label
    elif kind == "bytes":
        text = json.dumps(doc)
        cut = len(text) // 2 + choice % 7
        return text[:cut].encode() + b"\xff\xfe" + text[cut:].encode(), label
    elif kind == "length":
        if not isinstance(value, list) or not value:
            return None
        if choice % 2:
            value.append(copy.deepcopy(value[-1]))
        else:
            value.pop()
        if path == ("aps",) or path == ("servers",) or path == ("users",):
            return None  # one more or fewer entity is a valid network
        label += " (one entry more or fewer)"
    else:
        raise ValueError(f"unknown kind {kind!r}")
    return json.dumps(doc).encode(), label


#: Keys that may be left out (they have defaults).
OPTIONAL = {
    "area_m",
    "radio",
    "aec",
    "time",
    "path_loss_exponent",
    "noise_dbm_per_hz",
    "tx_power_w",
    "min_distance_m",
    "form",
    "max_steps",
    "min_time_scale_s",
    "activity_quantum",
    "name",
    "error_floor",
    "min_steps",
    "fixed_time_s",
    "steps",
}


def _required(path: Path) -> bool:
    return path[-1] not in OPTIONAL
