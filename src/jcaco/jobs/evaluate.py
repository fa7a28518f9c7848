"""Score a given assignment (``jcaco evaluate``): same certificates as ``jcaco solve``."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from jcaco.errors import InputError
from jcaco.game import metrics, resource
from jcaco.game.profile import Profile
from jcaco.io.read import parse_model, read_document
from jcaco.jobs.solve import SolveResult
from jcaco.model.instance import GameInstance
from jcaco.sim.schema import RESULT_SCHEMA, AssignmentModel, ResultModel


def with_steps(instance: GameInstance, server: np.ndarray, steps: np.ndarray) -> GameInstance:
    """The instance with user i running ``steps[i]`` (>= s*) on its server ``server[i]``.

    The computation time scales linearly with the steps (5), (10); only the chosen entries
    change, so a deviation to another server still uses that server's optimal steps.
    """
    users = np.arange(instance.num_users)
    compute = instance.compute_time_s.copy()
    new_steps = instance.steps.copy()
    per_step_s = compute[users, server] / instance.steps[users, server]
    compute[users, server] = per_step_s * steps
    new_steps[users, server] = steps
    return GameInstance(**{**instance.__dict__, "compute_time_s": compute, "steps": new_steps})


def assignment_of(doc: dict[str, Any], source: str | None = None) -> AssignmentModel:
    """An assignment ``{"ap": [...], "server": [...], "steps": [...]?}``, or the ``ap``,
    ``server`` and ``steps`` of a ``jcaco.result/1`` document (a saved ``jcaco solve``
    result, scored again), each validated by its model (errors name ``source``)."""
    if doc.get("schema") == RESULT_SCHEMA:
        result = parse_model(ResultModel, doc, source=source)
        chosen = {"ap": result.ap, "server": result.server, "steps": result.steps}
        return parse_model(AssignmentModel, chosen, source=source)
    return parse_model(AssignmentModel, doc, source=source)


def load_assignment(path: str | Path) -> AssignmentModel:
    """Read an assignment file, or a result file (:func:`assignment_of`)."""
    return assignment_of(read_document(path), source=str(path))


def check_assignment(instance: GameInstance, assignment: AssignmentModel) -> Profile:
    """Validate lengths, index ranges, feasibility and steps against ``instance``."""
    n = instance.num_users
    for name, size in (("ap", instance.num_aps), ("server", instance.num_servers)):
        values = getattr(assignment, name)
        if len(values) != n:
            raise InputError(f"needs one entry per user ({n}), got {len(values)}", field=name)
        for i, v in enumerate(values):
            if not 0 <= v < size:
                raise InputError(
                    f"must be an index in [0, {size - 1}], got {v}", field=f"{name}[{i}]"
                )
    profile = Profile(np.array(assignment.ap), np.array(assignment.server))
    for i, k in enumerate(assignment.server):
        if not instance.feasible[i, k]:
            raise InputError(
                f"server {k} cannot meet user {i}'s accuracy limit; allowed: "
                f"{np.flatnonzero(instance.feasible[i]).tolist()}",
                field=f"server[{i}]",
            )
    if assignment.steps is not None:
        if len(assignment.steps) != n:
            raise InputError(
                f"needs one entry per user ({n}), got {len(assignment.steps)}", field="steps"
            )
        need = instance.steps[np.arange(n), profile.server]
        for i, (s, lo) in enumerate(zip(assignment.steps, need, strict=True)):
            if s < lo:
                raise InputError(
                    f"{s} steps miss the accuracy limit (14a); allowed: >= {int(lo)}",
                    field=f"steps[{i}]",
                )
    return profile


def server_gaps_with_steps(
    optimal: GameInstance, given: GameInstance, profile: Profile
) -> np.ndarray:
    """Server-subgame gain of every player when its steps may exceed s* (docs/model.md (56)-(58)).

    A user may move to another server (at that server's optimal steps) or stay and cut its
    steps to s* (Case 2 of Theorem 2): both are unilateral deviations under (17).
    """
    w_given = resource.player_weights(given.compute_time_s, given.theta)
    w_star = resource.player_weights(optimal.compute_time_s, optimal.theta)
    load = resource.loads(w_given, profile.server)
    # [users, servers] cost of moving to each server at s*, staying included
    cost = load[None, :] + w_star
    users = np.arange(optimal.num_users)
    current = load[profile.server]
    cost[users, profile.server] = (
        current - w_given[users, profile.server] + w_star[users, profile.server]
    )
    gain = current - cost.min(axis=1)
    return np.where(optimal.players, np.maximum(gain, 0.0), 0.0)


def evaluate_assignment(instance: GameInstance, assignment: AssignmentModel) -> SolveResult:
    """Score ``assignment`` on the expected game and return an ``algorithm: "given"`` result.

    With given steps above s*, cutting them is an improving move, so it counts in the Nash
    gap (17).
    """
    profile = check_assignment(instance, assignment)
    evaluation = metrics.evaluate(instance, profile)
    if assignment.steps is not None:
        given = with_steps(instance, profile.server, np.array(assignment.steps))
        ap_gap = resource.nash_gaps(metrics.ap_weights(given), profile.ap, given.players)
        gap = float((ap_gap + server_gaps_with_steps(instance, given, profile)).max(initial=0.0))
        evaluation = replace(
            metrics.evaluate(given, profile),
            nash_gap_s=gap,
            is_nash=gap <= resource.DEFAULT_ATOL_S,
        )
    return SolveResult(
        algorithm="given",
        seed=None,
        profile=profile,
        evaluation=evaluation,
        iterations=0,
        converged=True,
        wall_time_s=0.0,
        meta={},
    )
