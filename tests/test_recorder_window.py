"""The recorder computes the Nash gap only where it is read (issue 19, item 3).

``simulate(..., nash_gap_from=t0)`` leaves the gaps of the slots before ``t0`` NaN and every
other metric, and the gaps from ``t0`` on, as with every slot's gap; the reproduction's
learner runner asks only for its measurement window, so its rows are those of a trace with
every gap.
"""

from __future__ import annotations

import numpy as np
import pytest

from jcaco import kernels
from jcaco.experiments.paper import select
from jcaco.experiments.sweep import learner_rows
from jcaco.experiments.tasks import draw_network, plan
from jcaco.game import metrics, resource
from jcaco.game.profile import Profile
from jcaco.model.build import check_feasible
from jcaco.model.instance import GameInstance
from jcaco.rng import stream
from jcaco.scenario.generator import PRESETS, generate_network
from jcaco.sim import recorder
from jcaco.sim.recorder import METRICS
from jcaco.sim.simulate import simulate


@pytest.mark.parametrize("algorithm", ["masl", "br", "mxfp"])
def test_gap_from_a_slot_leaves_every_other_number_unchanged(algorithm: str) -> None:
    seeds = [2, 8]
    nets = [
        check_feasible(generate_network(PRESETS["small"], stream(s, "scenario")), True)[0]
        for s in seeds
    ]
    every = simulate(nets, algorithm, seeds, 30, record_users=True)
    late = simulate(nets, algorithm, seeds, 30, record_users=True, nash_gap_from=21)
    assert np.isnan(late.nash_gap_s[:21]).all()
    assert late.nash_gap_s[21:].tobytes() == every.nash_gap_s[21:].tobytes()
    assert not np.isnan(every.nash_gap_s).any()
    for name in [m for m in METRICS if m != "nash_gap_s"] + ["user_service_time_s"]:
        assert getattr(late, name).tobytes() == getattr(every, name).tobytes(), name


def test_learner_rows_equal_those_of_a_trace_with_every_gap() -> None:
    tasks, _ = plan(select(["fig4"], seeds=2, slots=40), root_seed=0)
    task = next(t for t in tasks if t.series.runner == "learner")
    assert task.window < task.slots  # so the runner leaves some gaps out
    networks = [draw_network(task.config, s, task.figure, task.network_point) for s in task.seeds]

    def every_gap(*args, nash_gap_from: int = 0, **kwargs):
        assert nash_gap_from == task.slots - min(task.window, task.slots)
        return simulate(*args, **kwargs)  # nash_gap_from left at 0

    assert learner_rows(task, networks) == learner_rows(task, networks, every_gap)


@pytest.mark.parametrize("engine", ["numpy", "numba"])
@pytest.mark.parametrize("block", [1, 7, 10**6])
def test_largest_gap_by_blocks_equals_one_call(
    engine: str, block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The numpy form by blocks of users, and its compiled twin, equal one call of
    :func:`jcaco.game.resource.nash_gaps` over all users, to the bit."""
    monkeypatch.setattr(recorder, "GAP_BLOCK_USERS", block)
    rng = np.random.default_rng(block)
    s, n, m, k = 3, 23, 4, 5
    theta = rng.random((s, n))
    theta[0, :4] = 0.0  # non-players
    compute = rng.random((s, n, k))
    compute[1, :, 0] = np.inf  # an infeasible server
    game = GameInstance(theta, rng.random((s, n, m)), compute, np.ones((s, n, k)))
    profile = Profile(rng.integers(0, m, (s, n)), rng.integers(1, k, (s, n)))
    ap_load, server_load = metrics.expected_loads(game, profile)
    gap = resource.nash_gaps(
        game.tx_time_s, profile.ap, game.players, load=ap_load, theta=theta
    ) + resource.nash_gaps(
        game.compute_time_s, profile.server, game.players, load=server_load, theta=theta
    )
    expected = gap.max(axis=-1, initial=0.0)
    with kernels.use(engine):
        got = recorder.largest_gap_s(game, profile, ap_load, server_load)
    assert got.tobytes() == expected.tobytes()
    assert (got > 0).all()  # some player can improve: the comparison is not of zeros
