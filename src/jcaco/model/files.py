"""Load a scenario or instance file as a game (what ``jcaco solve`` and friends accept).

JSON or TOML files go through their pydantic models; ``.parquet`` files through the columnar
readers (:mod:`jcaco.scenario.scenario_parquet`, :mod:`jcaco.model.instance_parquet`).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from jcaco.errors import InfeasibleError, InputError
from jcaco.io import parquet as parquet_io
from jcaco.io.read import load_document
from jcaco.io.schema import MAX_TIME_S
from jcaco.model.build import (
    FadingMode,
    build_instance,
    check_feasible,
    instance_from_model,
    network_steps,
)
from jcaco.model.instance import GameInstance
from jcaco.model.instance_parquet import read_instance_parquet
from jcaco.model.schema import INSTANCE_SCHEMA, InstanceModel
from jcaco.scenario.network import Network, network_from_model
from jcaco.scenario.scenario_parquet import read_network_parquet
from jcaco.scenario.schema import SCENARIO_SCHEMA, ScenarioModel


def load_network(path: str | Path) -> Network:
    """Read a ``jcaco.scenario/1`` file (JSON, TOML or Parquet)."""
    if parquet_io.is_parquet(path):
        return read_network_parquet(path)
    model = load_document(path, {SCENARIO_SCHEMA: ScenarioModel})
    assert isinstance(model, ScenarioModel)
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
    if parquet_io.is_parquet(path):
        tag = parquet_io.parquet_tag(path)
        if tag == INSTANCE_SCHEMA:
            return checked_instance(read_instance_parquet(path), path)
        if tag == SCENARIO_SCHEMA:
            return _scenario_game(read_network_parquet(path), path, fading, rng, drop_infeasible)
        allowed = f'"{SCENARIO_SCHEMA}", "{INSTANCE_SCHEMA}"'
        raise InputError(
            f"must be one of {allowed} (got {tag!r})", source=str(path), field="schema"
        )
    model = load_document(path, {SCENARIO_SCHEMA: ScenarioModel, INSTANCE_SCHEMA: InstanceModel})
    if isinstance(model, InstanceModel):
        try:
            return checked_instance(instance_from_model(model), path)
        except InputError as exc:
            raise exc if exc.source else exc.with_source(str(path)) from None
    assert isinstance(model, ScenarioModel)
    return _scenario_game(network_from_model(model), path, fading, rng, drop_infeasible)


def checked_instance(instance: GameInstance, path: str | Path | None = None) -> GameInstance:
    """``instance`` (one game), or :class:`InfeasibleError` naming the first user that no
    server can serve (and the file ``path``, if it came from one): such a user has no finite
    cost, and every total with it would be NaN."""
    bad = np.flatnonzero(~instance.feasible.any(axis=-1))
    if bad.size:
        raise InfeasibleError(
            "no server is feasible for this user (every entry is null); allowed: at least "
            "one non-null step count",
            source=None if path is None else str(path),
            field=f"steps[{bad[0]}]",
        )
    return instance


def _check_link_times(tx_time_s: np.ndarray, path: str | Path) -> None:
    """Refuse a link whose rate (6) is so small that its transmission time (7) is not finite
    or exceeds :data:`MAX_TIME_S` (a far user, a tiny power or bandwidth)."""
    bad = ~(tx_time_s <= MAX_TIME_S)  # [users, aps]; NaN and inf included
    if bad.any():
        user, ap = np.unravel_index(int(np.argmax(bad)), bad.shape)
        raise InputError(
            f"the link to aps[{ap}] carries almost no rate (transmission time "
            f"{tx_time_s[user, ap]:g} s); allowed: at most {MAX_TIME_S:g} s, e.g. a nearer "
            "AP, a larger radio.tx_power_w or bandwidth_hz, or a smaller path_loss_exponent",
            source=str(path),
            field=f"users[{user}]",
        )


def _scenario_game(
    net: Network,
    path: str | Path,
    fading: FadingMode,
    rng: np.random.Generator | None,
    drop_infeasible: bool,
) -> GameInstance:
    """The game of a scenario's network (infeasible users refused or dropped)."""
    steps = network_steps(net)  # once, for both
    try:
        net, dropped = check_feasible(net, drop_infeasible, steps=steps)
    except InputError as exc:
        raise exc.with_source(str(path)) from None
    if dropped.size:
        steps = np.delete(steps, dropped, axis=0)  # the kept users' rows
    with np.errstate(over="ignore", divide="ignore"):  # a dead link: refused just below
        instance = build_instance(net, fading, rng, steps=steps)
    _check_link_times(instance.tx_time_s, path)
    # a file name that is not UTF-8 is kept readable (\xff) so that JSON can hold it
    source = os.fsencode(path).decode("utf-8", "backslashreplace")
    meta = {"source": source, "fading": fading, "dropped_users": dropped.tolist()}
    return GameInstance(**{**instance.__dict__, "meta": meta})
