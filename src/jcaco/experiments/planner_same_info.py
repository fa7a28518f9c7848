"""The same-information planner: the fair yardstick of an own-information learner.

The central planner of :mod:`jcaco.experiments.planner` knows each slot's activity a(t) and
every fading draw, which no user that sees only its own delays can know (activity is redrawn
every slot). A planner with the *same* information as such a learner knows θ and the mean
fading, not a(t) and the draws: at a slot it plays the exact optimum of the expected game (15)
at the slot's positions and the mean fading (weights θ), and that profile is then scored on
the slot's realised activity and fading, Σ over the active users of U_i (13), exactly as the
algorithms are. Its distance to the full-information planner is what information buys; a
learner's distance to it is what learning loses.

Sampling as the full-information planner's (same seeds, same sampled slots of the measurement
window, the dynamics replayed with common random numbers: :func:`sample_slots`). Each MILP of
(15) stops at the series' ``node_limit`` (deterministic, :mod:`jcaco.game.optimum.social_optimum`);
a slot
whose MILP did not prove optimality is counted in ``slot_proven`` and the row's
``converged`` is False (its profile is then the best found, at most the reported gap above
the optimum of (15)).

Row columns as the full-information planner's (``total_service_time_s``: the mean realised
total over the sampled slots; ``details``: per-slot totals, the (15) objective and bound).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from jcaco.experiments.planner import reference_row, sample_slots
from jcaco.experiments.tasks import Task, row_identity
from jcaco.game.optimum.count_model import subgame_cost
from jcaco.game.optimum.social_optimum import Optimum, solve_optimum
from jcaco.model.instance import GameInstance
from jcaco.scenario.network import Network
from jcaco.sim.environment import DynamicEnvironment

if TYPE_CHECKING:
    from collections.abc import Callable

#: The series' ``learner`` column (not a registered learner: a runner of its own).
SAME_INFO_ALGORITHM = "planner-same-info"


def expected_optimum(
    slot_game: GameInstance, mean_tx_time_s: np.ndarray, s: int, node_limit: int
) -> Optimum:
    """Optimum of (15) for seed ``s`` of a slot: θ weights, the slot's mean-fading times."""
    instance = replace(slot_game[s], tx_time_s=mean_tx_time_s[s])
    return solve_optimum(instance, node_limit=node_limit, time_limit_s=None)


def realised_total_s(slot_game: GameInstance, active: np.ndarray, s: int, opt: Optimum) -> float:
    """Σ over the active users of U_i (13) of ``opt``'s profile in seed ``s``'s slot [s]."""
    weight = np.asarray(active[s], dtype=float)
    ap = subgame_cost(slot_game.tx_time_s[s], weight, opt.profile.ap)
    server = subgame_cost(slot_game.compute_time_s[s], weight, opt.profile.server)
    return float(ap + server)


def same_information_rows(
    task: Task, networks: Sequence[Network], simulator: Callable[..., Any] | None = None
) -> list[dict[str, Any]]:
    """The ``planner-same-info`` runner (:class:`jcaco.experiments.sweep.SeriesRunner`)."""
    params = task.series.params
    window = min(task.window, task.slots)
    sampled = sample_slots(task.slots, window, int(params["sampled_slots"]))
    node_limit = int(params["node_limit"])
    env = DynamicEnvironment(networks, task.seeds, reuse_buffers=True)  # used at once
    per_seed: list[list[tuple[float, Optimum, float]]] = [[] for _ in task.seeds]
    for t in range(max(sampled) + 1):
        if t not in sampled:
            env.advance(t)  # the dynamics only: no game is built for a slot not solved
            continue
        slot = env.slot(t)
        mean_tx = slot.mean_tx_time_s()  # [S, N, M]
        for s in range(len(task.seeds)):
            opt = expected_optimum(slot.game, mean_tx, s, node_limit)
            total = realised_total_s(slot.game, slot.active, s, opt)
            per_seed[s].append((total, opt, float(np.count_nonzero(slot.active[s]))))
    rows = []
    for j, solved in enumerate(per_seed):
        totals = [total for total, _, _ in solved]
        proven = [bool(opt.proven) for _, opt, _ in solved]
        details = {
            "sampled_slots": list(sampled),
            "slot_totals_s": totals,
            "slot_expected_s": [opt.objective_s for _, opt, _ in solved],
            "slot_expected_lower_bounds_s": [opt.lower_bound_s for _, opt, _ in solved],
            "slot_proven": proven,
            "node_limit": node_limit,
        }
        rows.append(
            reference_row(
                row_identity(task, j, networks[j].num_users, window),
                float(np.mean(totals)),
                float(np.mean([n for _, _, n in solved])),
                all(proven),
                details,
            )
        )
    return rows


__all__ = ["SAME_INFO_ALGORITHM", "same_information_rows"]
