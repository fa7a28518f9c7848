"""Score a given assignment (``jcaco evaluate``): same certificates as ``jcaco solve``."""

from __future__ import annotations

import numpy as np

from jcaco.errors import InputError
from jcaco.game import metrics
from jcaco.game.profile import Profile
from jcaco.model.instance import GameInstance
from jcaco.scenario.schema import AssignmentModel
from jcaco.sim.solve import SolveResult


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


def evaluate_assignment(instance: GameInstance, assignment: AssignmentModel) -> SolveResult:
    """Score ``assignment`` on the expected game and return an ``algorithm: "given"`` result."""
    profile = check_assignment(instance, assignment)
    if assignment.steps is not None:
        instance = with_steps(instance, profile.server, np.array(assignment.steps))
    return SolveResult(
        algorithm="given",
        seed=None,
        profile=profile,
        evaluation=metrics.evaluate(instance, profile),
        iterations=0,
        converged=True,
        wall_time_s=0.0,
        meta={},
    )
