"""How often MASL ends at a pure equilibrium on small random games (docs/model.md §4.6).

For every learning rate b (used for both b_c and b_o) and every iteration budget T, this runs
``masl`` with the semantics of :func:`jcaco.jobs.solve.solve` (seed s: learner stream
``stream(s, "learner")``, activity stream ``stream(s, "activity")``, stop once converged by
O10, recommend argmax p) on the game of every seed, and reports

* the share of seeds whose recommendation is a pure Nash equilibrium (17) of G_s;
* the mean ratio of its expected total service time (15) to that of the equilibrium ``br``
  reaches from its default (random) start on the same seed, and to the best pure equilibrium
  (brute force);
* the mean Nash gap [s] and the share of seeds that converged (O10) within the budget.

All seeds run as one batch (:class:`jcaco.rng.SeedBatch`), which draws exactly the numbers each
seed would draw alone, and one run serves every budget: a seed's outcome at budget T is its
recommendation when it converged, or after T slots if it had not converged by then. Run it as
``jcaco study masl-equilibria [--seeds 100] [--activity 0.5,0.9]`` (docs/algorithms.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from jcaco.game import metrics
from jcaco.game.equilibria import pure_equilibria
from jcaco.game.profile import Profile
from jcaco.jobs.solve import DEFAULT_ITERATIONS
from jcaco.learners.base import Feedback, Learner
from jcaco.learners.best_response import BestResponse
from jcaco.learners.masl.core import MASL, both_rates
from jcaco.model.build import build_instance, check_feasible
from jcaco.model.instance import GameInstance, stack_instances
from jcaco.rng import SeedBatch, stream
from jcaco.scenario.generator import PRESETS, GeneratorConfig, generate_network
from jcaco.sim.loop import Slot, StaticEnvironment, run_loop
from jcaco.types import BoolArray, FloatArray, IntArray

LEARNING_RATES = (0.001, 0.003, 0.01, 0.03, 0.1)
BUDGETS = (1_000, 3_000, 10_000, 30_000, 100_000)


@dataclass(frozen=True)
class StudyRow:
    """One (learning rate, budget) cell of the table; means are over the seeds."""

    learning_rate: float
    budget: int
    seeds: int
    ne_share: float
    converged_share: float
    mean_iterations: float
    ratio_to_br: float
    ratio_to_best_ne: float
    mean_nash_gap_s: float


def study_games(seeds: Sequence[int], config: GeneratorConfig) -> GameInstance:
    """The games of ``seeds`` (scenario stream of each seed, fading at its mean), stacked."""
    games = []
    for seed in seeds:
        net, _ = check_feasible(generate_network(config, stream(seed, "scenario")))
        games.append(build_instance(net))
    return stack_instances(games)


def run_batch(
    game: GameInstance,
    seeds: Sequence[int],
    learner: Learner,
    budgets: Sequence[int],
) -> tuple[dict[int, Profile], dict[int, BoolArray], dict[int, IntArray]]:
    """Run ``learner`` on the batch ``game`` with solve semantics for every budget.

    Returns, per budget T: the recommendation of every seed (the one at the slot it
    converged, or after T slots), whether it had converged, and the slots it used.
    """
    budgets = sorted(budgets)
    num_seeds = len(seeds)
    frozen_at = np.zeros(num_seeds, dtype=np.int64)  # 0: not converged yet
    frozen_ap = np.zeros(game.theta.shape, dtype=np.int64)
    frozen_server = np.zeros_like(frozen_ap)
    out: tuple[dict[int, Profile], dict[int, BoolArray], dict[int, IntArray]] = ({}, {}, {})

    def snapshot(slots: int, current: Profile) -> None:
        done = frozen_at > 0
        out[0][slots] = Profile(
            np.where(done[:, None], frozen_ap, current.ap),
            np.where(done[:, None], frozen_server, current.server),
        )
        out[1][slots] = done.copy()
        out[2][slots] = np.where(done, frozen_at, slots)

    def callback(slot: Slot, profile: Profile, feedback: Feedback, lrn: Learner) -> None:
        slots = slot.index + 1
        new = lrn.converged & (frozen_at == 0)
        if new.any():
            rec = lrn.recommendation()
            frozen_ap[new], frozen_server[new] = rec.ap[new], rec.server[new]
            frozen_at[new] = slots
        if slots in budgets:
            snapshot(slots, lrn.recommendation())

    env = StaticEnvironment(game, SeedBatch.from_seeds(list(seeds), "activity"))
    learner_rng = SeedBatch.from_seeds(list(seeds), "learner")
    outcome = run_loop(
        env, learner, learner_rng, budgets[-1], stop_when_converged=True, callback=callback
    )
    for budget in budgets:  # budgets past the stop: every seed had converged
        if budget not in out[0]:
            snapshot(budget, outcome.profile)
    return out


def best_equilibrium_total_s(game: GameInstance) -> FloatArray:
    """Objective (15) of the best pure equilibrium of every game in the batch (brute force)."""
    best = []
    for s in range(game.theta.shape[0]):
        single = game[s]
        totals = [
            float(metrics.expected_total_service_time(single, p)) for p in pure_equilibria(single)
        ]
        best.append(min(totals))
    return np.array(best)


def masl_study(
    seeds: Sequence[int] = tuple(range(100)),
    learning_rates: Sequence[float] = LEARNING_RATES,
    budgets: Sequence[int] = BUDGETS,
    config: GeneratorConfig = PRESETS["small"],
) -> list[StudyRow]:
    """The table of the module docstring, one row per (learning rate, budget)."""
    game = study_games(seeds, config)
    # br with solve's default budget (it converges after a couple of slots)
    br_profile = run_batch(game, seeds, BestResponse(), [DEFAULT_ITERATIONS])[0][DEFAULT_ITERATIONS]
    br_total = metrics.expected_total_service_time(game, br_profile)
    best_total = best_equilibrium_total_s(game)
    rows = []
    for rate in learning_rates:
        learner = MASL(**both_rates(rate))
        profiles, converged, used = run_batch(game, seeds, learner, budgets)
        for budget in sorted(budgets):
            profile = profiles[budget]
            total = metrics.expected_total_service_time(game, profile)
            rows.append(
                StudyRow(
                    learning_rate=rate,
                    budget=budget,
                    seeds=len(seeds),
                    ne_share=float(metrics.is_nash(game, profile).mean()),
                    converged_share=float(converged[budget].mean()),
                    mean_iterations=float(used[budget].mean()),
                    ratio_to_br=float((total / br_total).mean()),
                    ratio_to_best_ne=float((total / best_total).mean()),
                    mean_nash_gap_s=float(metrics.nash_gap(game, profile).mean()),
                )
            )
    return rows
