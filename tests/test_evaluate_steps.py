"""Given steps above s*: cutting them back is an improving move, so the Nash gap counts it."""

from __future__ import annotations

import numpy as np

from jcaco.game import metrics
from jcaco.game.equilibria import pure_equilibria
from jcaco.jobs.evaluate import evaluate_assignment
from jcaco.model.instance import GameInstance
from jcaco.sim.schema import AssignmentModel


def _game() -> GameInstance:
    steps = np.array([[20, 30], [25, 10]])
    per_step_s = np.array([[0.1, 0.05], [0.1, 0.05]])
    return GameInstance(
        theta=np.array([0.5, 0.8]),
        tx_time_s=np.array([[1.0, 2.0], [3.0, 1.5]]),
        compute_time_s=steps * per_step_s,
        steps=steps,
    )


def test_extra_steps_break_the_equilibrium_by_exactly_their_cost() -> None:
    game = _game()
    eq = pure_equilibria(game)[0]
    base = AssignmentModel(ap=eq.ap.tolist(), server=eq.server.tolist())
    assert evaluate_assignment(game, base).evaluation.is_nash
    star = game.steps[np.arange(2), eq.server]
    extra = 4
    given = AssignmentModel(
        ap=eq.ap.tolist(), server=eq.server.tolist(), steps=(star + [extra, 0]).tolist()
    )
    ev = evaluate_assignment(game, given).evaluation
    per_step = game.compute_time_s[0, eq.server[0]] / star[0]
    # user 0 can at least cut its extra steps: gain θ_0 · extra · φ/f (docs/model.md (73))
    assert not ev.is_nash
    assert ev.nash_gap_s >= game.theta[0] * extra * per_step - 1e-12
    # and the objective grows by θ_0 · extra · φ/f · (1 + θ on the same server)
    base_total = metrics.expected_total_service_time(game, eq)
    assert ev.expected_total_service_time_s > base_total
