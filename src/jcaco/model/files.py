"""Load a scenario or instance file as a game (what ``jcaco solve`` and friends accept)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from jcaco.errors import InputError
from jcaco.model.build import FadingMode, build_instance, check_feasible, instance_from_model
from jcaco.model.instance import GameInstance
from jcaco.scenario.io import load_document
from jcaco.scenario.network import Network, network_from_model
from jcaco.scenario.schema import InstanceModel, ScenarioModel


def load_network(path: str | Path) -> Network:
    """Read a ``jcaco.scenario/1`` file (JSON or TOML)."""
    kind, model = load_document(path)
    if not isinstance(model, ScenarioModel):
        raise InputError(
            f'must be "jcaco.scenario/1" here (got a {kind} file)', source=str(path), field="schema"
        )
    return network_from_model(model)


def load_game(
    path: str | Path,
    *,
    fading: FadingMode = "mean",
    rng: np.random.Generator | None = None,
    drop_infeasible: bool = False,
) -> GameInstance:
    """Read a scenario (built into its game) or an instance file.

    A scenario user that no server can serve raises :class:`jcaco.errors.InfeasibleError`
    naming the file and the user, unless ``drop_infeasible``.
    """
    kind, model = load_document(path)
    if isinstance(model, InstanceModel):
        instance = instance_from_model(model)
        bad = np.flatnonzero(~instance.feasible.any(axis=1))
        if bad.size:
            raise InputError(
                "no server is feasible for this user (every entry is null); allowed: at least "
                "one non-null step count",
                source=str(path),
                field=f"steps[{bad[0]}]",
            )
        return instance
    if isinstance(model, ScenarioModel):
        try:
            net, dropped = check_feasible(network_from_model(model), drop_infeasible)
        except InputError as exc:
            raise exc.with_source(str(path)) from None
        instance = build_instance(net, fading, rng)
        meta = {"source": str(path), "fading": fading, "dropped_users": dropped.tolist()}
        return GameInstance(**{**instance.__dict__, "meta": meta})
    raise InputError(f"cannot solve a {kind} file", source=str(path), field="schema")
