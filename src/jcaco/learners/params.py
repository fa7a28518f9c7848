"""Each learner parameter's default, type and allowed range, for ``jcaco list`` and the checks.

Defaults and types come from ``__init__``'s signature alone (a ``Literal`` annotation names the
allowed values of an option); numeric ranges from :data:`RANGES` (by registered name), or a
class's own ``param_ranges`` (a plug-in may set it). A learner that checks a range itself in
``reset`` checks the one written here: MASL calls :func:`check_ranges`, and
``tests/test_readings.py`` drives every other registered learner with a value just
outside each range and requires it to refuse.
"""

from __future__ import annotations

import inspect
import math
import typing
from dataclasses import dataclass
from typing import Any, Literal, get_args, get_origin


@dataclass(frozen=True)
class Interval:
    """An allowed numeric range: ``low < x`` or ``low <= x``, likewise at ``high``.

    ``high`` may name another parameter (its value is the bound). ``integer`` asks for an
    integer value.
    """

    low: float = -math.inf
    high: float | str = math.inf
    low_open: bool = False
    high_open: bool = False
    integer: bool = False

    def text(self) -> str:
        """``(0, 1]``, ``>= 1``, ``> 0``, ... (what ``jcaco list`` prints)."""
        if self.high == math.inf:
            sign = ">" if self.low_open else ">="
            return f"{'integer ' if self.integer else ''}{sign} {self.low:g}"
        left = "(" if self.low_open else "["
        right = ")" if self.high_open else "]"
        high = self.high if isinstance(self.high, str) else f"{self.high:g}"
        return f"{left}{self.low:g}, {high}{right}"

    def holds(self, value: Any, params: dict[str, Any]) -> bool:
        """Whether ``value`` lies in the range (``params``: the learner's other values)."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        if self.integer and int(value) != value:
            return False
        high = float(params[self.high]) if isinstance(self.high, str) else self.high
        above = value > self.low if self.low_open else value >= self.low
        below = value < high if self.high_open else value <= high
        return bool(above and below)


UNIT = Interval(0.0, 1.0, low_open=True)  # (0, 1]
POSITIVE = Interval(0.0, low_open=True)  # > 0
AT_LEAST_ONE = Interval(1, integer=True)  # integer >= 1
SHARE = Interval(0.0, 1.0, high_open=True)  # [0, 1)

#: Numeric ranges by registered learner name (the options a learner checks in ``reset``).
RANGES: dict[str, dict[str, Interval]] = {
    "masl": {
        "learning_rate_ap": UNIT,
        "learning_rate_server": UNIT,
        "convergence_threshold": UNIT,
        "scale": POSITIVE,
        "delta": Interval(0.0, 1.0, low_open=True, high_open=True),
    },
    "br": {"moves_per_slot": AT_LEAST_ONE},
    "br-oracle": {"max_rounds": AT_LEAST_ONE},
    "mxfp": {"inertia": SHARE, "patience": AT_LEAST_ONE},
    "fp-empirical": {"inertia": SHARE, "patience": AT_LEAST_ONE, "prior_weight": POSITIVE},
    "optimum": {"node_limit": Interval(0, integer=True), "rel_gap": SHARE},
    "loglinear": {
        "exploration": UNIT,
        "exploration_min": Interval(0.0, "exploration", low_open=True),
        "temperature": POSITIVE,
        "temperature_min": POSITIVE,
        "cooling_slots": POSITIVE,
        "patience": AT_LEAST_ONE,
    },
    "bandit": {
        "exploration": UNIT,
        "exploration_min": Interval(0.0, "exploration", low_open=True),
        "cooling_slots": POSITIVE,
        "memory_slots": POSITIVE,
        "step": UNIT,
        "switch_rate": UNIT,
        "patience": AT_LEAST_ONE,
    },
}


@dataclass(frozen=True)
class ParamSpec:
    """One parameter of a learner: name, default, type and what is allowed."""

    name: str
    default: Any
    type: str
    choices: tuple[Any, ...] | None
    interval: Interval | None

    @property
    def allowed(self) -> str:
        """What the parameter accepts, as ``jcaco list`` prints it."""
        if self.choices is not None:
            return " | ".join(_text(c) for c in self.choices)
        if self.interval is not None:
            return self.interval.text()
        return "true | false" if self.type == "bool" else "any"

    def as_dict(self) -> dict[str, Any]:
        """JSON-able (``jcaco list --json``): name, default, type, allowed and, for an
        option, its choices."""
        out = {"name": self.name, "default": self.default, "type": self.type}
        out["allowed"] = self.allowed
        if self.choices is not None:
            out["choices"] = list(self.choices)
        return out


def _text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) or value is None else str(value)


def _type_name(annotation: Any, default: Any) -> tuple[str, tuple[Any, ...] | None]:
    """The type's name and, for a ``Literal``, its values."""
    if get_origin(annotation) is Literal:
        return "choice", get_args(annotation)
    args = [a for a in get_args(annotation) if a is not type(None)]
    if args:  # e.g. int | None: the first non-None member
        return _type_name(args[0], default)
    if isinstance(annotation, type):
        return annotation.__name__, None
    if default is not inspect.Parameter.empty and default is not None:
        return type(default).__name__, None
    return "any", None


def param_specs(cls: type) -> list[ParamSpec]:
    """Every keyword parameter of ``cls.__init__`` with its default, type and range."""
    init = getattr(cls, "__init__", None)
    if init is None or init is object.__init__:
        return []
    try:
        hints = typing.get_type_hints(init)
    except Exception:  # an annotation that does not resolve: fall back on the defaults
        hints = {}
    name = str(getattr(cls, "name", ""))
    ranges = dict(RANGES.get(name, {}))
    ranges.update(getattr(cls, "param_ranges", None) or {})
    specs = []
    for param in inspect.signature(init).parameters.values():
        if param.name == "self" or param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        default = None if param.default is param.empty else param.default
        kind, choices = _type_name(hints.get(param.name, param.annotation), param.default)
        specs.append(ParamSpec(param.name, default, kind, choices, ranges.get(param.name)))
    return specs


def check_ranges(learner: Any) -> None:
    """Raise ``ValueError`` naming the option and its range unless each option of ``learner``
    with a range (:func:`param_specs`) lies in it."""
    values = learner.get_params()
    for spec in param_specs(type(learner)):
        if spec.interval is not None and not spec.interval.holds(values[spec.name], values):
            raise ValueError(
                f"{spec.name} must be {spec.interval.text()}, got {values[spec.name]!r}"
            )


__all__ = ["Interval", "ParamSpec", "RANGES", "check_ranges", "param_specs"]
