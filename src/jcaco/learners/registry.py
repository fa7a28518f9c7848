"""The algorithm registry: a plain dict from name to learner class (docs/extending.md)."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

from jcaco.errors import InputError, UnknownNameError
from jcaco.learners import plugins
from jcaco.learners.bandit import CostBandit
from jcaco.learners.base import Learner
from jcaco.learners.best_response import BestResponse
from jcaco.learners.best_response_oracle import BestResponseOracle
from jcaco.learners.best_response_round import BestResponseRound
from jcaco.learners.best_response_sync import BestResponseSync
from jcaco.learners.fictitious_play import FictitiousPlay
from jcaco.learners.fp_empirical import EmpiricalFictitiousPlay
from jcaco.learners.loglinear import LogLinear
from jcaco.learners.masl.core import MASL
from jcaco.learners.optimum import Optimum
from jcaco.learners.policy import POLICY_PREFIX, PolicyLearner, bound_policy, sidecar_of
from jcaco.learners.random_assignment import RandomAssignment
from jcaco.learners.selfish import Selfish

LEARNERS: dict[str, type[Learner]] = {
    "masl": MASL,
    "br": BestResponse,
    "br-sync": BestResponseSync,
    "br-round": BestResponseRound,
    "mxfp": FictitiousPlay,
    "selfish": Selfish,
    "raro": RandomAssignment,
    "br-oracle": BestResponseOracle,
    "fp-empirical": EmpiricalFictitiousPlay,
    "optimum": Optimum,
    "loglinear": LogLinear,
    "bandit": CostBandit,
}

#: Named configurations: a label -> (registered learner, its parameters). The learners with
#: marginal-cost pricing (docs/algorithms.md): ``jcaco analyze`` runs them after the registered
#: learners (its ``--algorithms`` accepts the labels) and the beyond series of
#: :mod:`jcaco.experiments.paper` are made from them.
PRICED: dict[str, tuple[str, dict[str, Any]]] = {
    "masl price": ("masl", {"price": True}),
    "br price": ("br", {"price": True}),
    "loglinear price": ("loglinear", {"price": True}),
    "bandit price": ("bandit", {"price": True}),
}


#: Learners that run from a file (``--param path=...``): resolvable by name, but not in
#: :data:`LEARNERS`, whose every entry runs with its default parameters. ``policy@PATH`` names
#: the ``policy`` learner with that file (where no ``--param`` can be given: ``--algorithms``).
FROM_FILES: dict[str, type[Learner]] = {"policy": PolicyLearner}


def resolve(name: str) -> type[Learner]:
    """The learner class of ``name``: a registered name, ``package.module:ClassName``, or
    the name of an installed ``jcaco.learners`` entry point (:mod:`jcaco.learners.plugins`).

    Raises
    ------
    InputError
        An unknown name (listing the valid ones), or a path that does not import or is not a
        learner class.
    """
    if name in LEARNERS:
        return LEARNERS[name]
    if name in FROM_FILES:
        return FROM_FILES[name]
    if name.startswith(POLICY_PREFIX):
        return bound_policy(name.removeprefix(POLICY_PREFIX))
    if plugins.is_import_path(name):
        return plugins.load_class(name)
    installed = plugins.entry_points()
    if name in installed:
        return plugins.load_class(installed[name])
    valid = ", ".join(sorted([*LEARNERS, *installed]))
    raise UnknownNameError(
        f"unknown algorithm {name!r}; allowed: {valid}, or package.module:ClassName",
        field="algorithm",
    )


def runnable(name: str) -> type[Learner]:
    """The learner class of ``name`` (:func:`resolve`) where the name alone runs it, with its
    default parameters (``--algorithms`` of ``jcaco reproduce`` and ``jcaco analyze``, which
    pass no ``--param``).

    Raises
    ------
    InputError
        As :func:`resolve`, and for a learner that runs from a file (:data:`FROM_FILES`),
        naming the ``NAME@FILE`` form that gives it one.
    """
    if name in FROM_FILES:
        raise InputError(
            f"{name!r} runs from a saved file, which a name alone does not give; "
            f"allowed: {name}@FILE.npz (the file saved by training, its sidecar beside it)",
            field="algorithm",
        )
    return resolve(name)


def input_files(name: str, params: Mapping[str, Any] | None = None) -> list[str]:
    """The files that learner ``name`` with ``params`` reads: a saved policy's weights and its
    sidecar (``policy@PATH``, or ``policy`` with ``path=PATH``); none for the other learners.

    The commands' output check (:func:`jcaco.cli.output.guard_outputs`) treats them as inputs,
    so that ``-o`` never overwrites the policy a run reads.
    """
    path: Any = None
    if name.startswith(POLICY_PREFIX):
        path = name.removeprefix(POLICY_PREFIX)
    elif FROM_FILES.get(name) is PolicyLearner:
        path = dict(params or {}).get("path")
    if not path:
        return []
    return [str(path), str(sidecar_of(path))]


def available() -> dict[str, type[Learner]]:
    """The registered learners and the installed plug-ins (entry points) by name."""
    out = dict(LEARNERS)
    for name, path in plugins.entry_points().items():
        out.setdefault(name, plugins.load_class(path, field=f"entry point {name}"))
    return out


def role_of(name: str) -> str:
    """The role (``competitor``, ``variant`` or ``reference``) of a learner (see
    :func:`resolve`; a user's own learner is a ``competitor`` unless its class says else)."""
    return resolve(name).role


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
    """Build a learner from a name (see :func:`resolve`) or a class/factory, and hyperparameters.

    String values are converted to the type of the parameter's default, so CLI
    ``--param name=value`` pairs can be passed as they are. An unknown name or parameter
    raises :class:`InputError` listing the valid ones.
    """
    params = dict(params or {})
    if isinstance(name_or_factory, str):
        factory: Callable[..., Learner] = resolve(name_or_factory)
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
