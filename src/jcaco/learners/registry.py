"""The algorithm registry: a plain dict from name to learner class (DESIGN.md §4.3)."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

from jcaco.errors import InputError, UnknownNameError
from jcaco.learners.base import Learner
from jcaco.learners.best_response import BestResponse
from jcaco.learners.best_response_oracle import BestResponseOracle
from jcaco.learners.best_response_sync import BestResponseSync
from jcaco.learners.fictitious_play import FictitiousPlay
from jcaco.learners.fp_empirical import EmpiricalFictitiousPlay
from jcaco.learners.loglinear import LogLinear
from jcaco.learners.masl import MASL
from jcaco.learners.optimum import Optimum
from jcaco.learners.random_assignment import RandomAssignment
from jcaco.learners.selfish import Selfish

LEARNERS: dict[str, type[Learner]] = {
    "masl": MASL,
    "br": BestResponse,
    "br-sync": BestResponseSync,
    "mxfp": FictitiousPlay,
    "selfish": Selfish,
    "raro": RandomAssignment,
    "br-oracle": BestResponseOracle,
    "fp-empirical": EmpiricalFictitiousPlay,
    "optimum": Optimum,
    "loglinear": LogLinear,
}


def role_of(name: str) -> str:
    """The role (``competitor``, ``variant`` or ``reference``) of a registered learner."""
    if name not in LEARNERS:
        valid = ", ".join(sorted(LEARNERS))
        raise UnknownNameError(f"unknown algorithm {name!r}; allowed: {valid}", field="algorithm")
    return LEARNERS[name].role


def register(name: str, cls: type[Learner]) -> None:
    """Add a learner class under ``name`` (e.g. the ``optimum`` planner or a user's own)."""
    LEARNERS[name] = cls


def _coerce(value: Any, default: Any) -> Any:
    """Convert a CLI string to the type of the parameter's default."""
    if not isinstance(value, str) or isinstance(default, str) or default is None:
        return value
    if isinstance(default, bool):
        if value.lower() in ("1", "true", "yes", "on"):
            return True
        if value.lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError("expected true or false")
    if isinstance(default, int):
        return int(value)
    if isinstance(default, float):
        return float(value)
    return value


def make_learner(
    name_or_factory: str | Callable[..., Learner], params: Mapping[str, Any] | None = None
) -> Learner:
    """Build a learner from a registered name (or a class/factory) and hyperparameters.

    String values are converted to the type of the parameter's default, so CLI
    ``--param name=value`` pairs can be passed as they are. An unknown name or parameter
    raises :class:`InputError` listing the valid ones.
    """
    params = dict(params or {})
    if isinstance(name_or_factory, str):
        if name_or_factory not in LEARNERS:
            valid = ", ".join(sorted(LEARNERS))
            raise UnknownNameError(
                f"unknown algorithm {name_or_factory!r}; allowed: {valid}", field="algorithm"
            )
        factory: Callable[..., Learner] = LEARNERS[name_or_factory]
    else:
        factory = name_or_factory
    signature = inspect.signature(factory)
    converted = {}
    for key, value in params.items():
        if key not in signature.parameters:
            valid = ", ".join(p for p in signature.parameters) or "(none)"
            raise InputError(f"unknown parameter {key!r}; allowed: {valid}", field="param")
        default = signature.parameters[key].default
        try:
            converted[key] = _coerce(value, default)
        except ValueError as exc:
            raise InputError(f"{key}={value!r}: {exc}", field="param") from None
    return factory(**converted)
