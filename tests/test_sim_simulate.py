"""``simulate``: the slot loop over the dynamic environment, batched over seeds (issue 3)."""

from __future__ import annotations

import numpy as np
import pytest

from jcaco.game import metrics, resource
from jcaco.jobs.solve import solve
from jcaco.learners.registry import LEARNERS, make_learner
from jcaco.model.build import build_instance, check_feasible
from jcaco.rng import SeedBatch, stream
from jcaco.scenario.generator import PRESETS, generate_network
from jcaco.sim.dynamics import STATIC, DynamicsConfig
from jcaco.sim.environment import DynamicEnvironment
from jcaco.sim.loop import run_loop
from jcaco.sim.recorder import METRICS, Trace
from jcaco.sim.simulate import provenance, simulate

SEEDS = (3, 11, 42)


def _networks(seeds=SEEDS, preset: str = "small"):
    return [
        check_feasible(generate_network(PRESETS[preset], stream(s, "scenario")), True)[0]
        for s in seeds
    ]


def _trace_bytes(trace: Trace, row: int) -> list[bytes]:
    out = [np.ascontiguousarray(getattr(trace, name)[:, row]).tobytes() for name in METRICS]
    assert trace.user_service_time_s is not None and trace.recommendation is not None
    out.append(np.ascontiguousarray(trace.user_service_time_s[:, row]).tobytes())
    out += [trace.recommendation.ap[row].tobytes(), trace.recommendation.server[row].tobytes()]
    return out


@pytest.mark.parametrize("algorithm", sorted(LEARNERS))
def test_batched_seeds_equal_seeds_run_one_by_one(algorithm: str) -> None:
    nets = _networks()
    slots = 5 if algorithm == "optimum" else 25  # the planner solves a MILP every slot
    batch = simulate(nets, algorithm, SEEDS, slots, record_users=True)
    assert batch.total_service_time_s.shape == (slots, len(SEEDS))
    for row, (net, seed) in enumerate(zip(nets, SEEDS, strict=True)):
        alone = simulate([net], algorithm, [seed], slots, record_users=True)
        assert _trace_bytes(alone, 0) == _trace_bytes(batch, row), f"{algorithm} seed {seed}"


def _record_slots(algorithm: str, nets, seeds):
    seen = []
    env = DynamicEnvironment(nets, seeds, DynamicsConfig(step_radius_m=20.0))

    def keep(slot, profile, feedback, learner) -> None:
        seen.append((slot.active.copy(), slot.game.tx_time_s.copy(), env.state.user_xy_m.copy()))

    run_loop(
        env,
        make_learner(algorithm),
        SeedBatch.from_seeds(list(seeds), "learner"),
        15,
        callback=keep,
    )
    return seen


def test_common_random_numbers_across_algorithms() -> None:
    nets = _networks()
    masl, br = _record_slots("masl", nets, SEEDS), _record_slots("br", nets, SEEDS)
    for (a1, t1, x1), (a2, t2, x2) in zip(masl, br, strict=True):
        assert np.array_equal(a1, a2) and np.array_equal(t1, t2) and np.array_equal(x1, x2)
    # and the draws really change from slot to slot
    assert not np.array_equal(masl[0][1], masl[1][1]) and not np.array_equal(masl[0][2], masl[1][2])
    # the activity is the same for every algorithm through ``simulate`` too
    counts = {simulate(nets, a, SEEDS, 10).num_active.tobytes() for a in ("masl", "raro", "mxfp")}
    assert len(counts) == 1


def test_slot_game_is_build_instance_math() -> None:
    nets = _networks()
    env = DynamicEnvironment(nets, SEEDS)
    for t in range(3):
        slot = env.slot(t)
        for row, net in enumerate(nets):
            ref = build_instance(
                net, user_xy_m=env.state.user_xy_m[row], fading_gain=env.state.fading_gain[row]
            )
            assert np.allclose(slot.game.tx_time_s[row], ref.tx_time_s, rtol=1e-13, atol=0)
            assert np.array_equal(slot.game.compute_time_s[row], ref.compute_time_s)
            assert np.array_equal(slot.game.theta[row], ref.theta)
        assert np.array_equal(slot.weight, slot.active.astype(float))
    initial = env.initial()
    for row, net in enumerate(nets):  # the mean-fading game at the initial positions
        assert np.array_equal(initial.tx_time_s[row], build_instance(net).tx_time_s)


@pytest.mark.parametrize("budget", [40, 20_000])
def test_static_masl_equals_solve(budget: int) -> None:
    """With the dynamics off, ``simulate`` is ``solve``'s loop: same final recommendation.

    ``solve`` stops as soon as MASL has converged, ``simulate`` runs a fixed number of slots;
    running ``simulate`` for exactly the slots ``solve`` used makes the comparison exact. Both
    draw the activity and the learner's samples from the same named streams of the seed.
    """
    nets = _networks()
    params = {"learning_rate_ap": 0.2, "learning_rate_server": 0.2}
    for net, seed in zip(nets, SEEDS, strict=True):
        solved = solve(build_instance(net), "masl", seed=seed, iterations=budget, params=params)
        trace = simulate([net], "masl", [seed], solved.iterations, params=params, dynamics=STATIC)
        assert trace.recommendation is not None
        assert np.array_equal(trace.recommendation.ap[0], solved.profile.ap)
        assert np.array_equal(trace.recommendation.server[0], solved.profile.server)
        assert bool(trace.converged[-1, 0]) == solved.converged
        if budget == 40:
            assert solved.iterations == 40


def test_metrics_match_the_game_functions() -> None:
    nets = _networks()
    env = DynamicEnvironment(nets, SEEDS)
    rows = []

    def keep(slot, profile, feedback, learner) -> None:
        rows.append(
            (
                metrics.realised_service_time(slot.game, profile, slot.active).sum(axis=-1),
                metrics.nash_gap(slot.game, profile),
                slot.active.sum(axis=-1),
            )
        )

    run_loop(
        env, make_learner("raro"), SeedBatch.from_seeds(list(SEEDS), "learner"), 12, callback=keep
    )
    trace = simulate(nets, "raro", SEEDS, 12, record_users=True)
    for t, (total, gap, active) in enumerate(rows):
        assert np.allclose(trace.total_service_time_s[t], total, rtol=1e-12)
        assert np.array_equal(trace.nash_gap_s[t], gap)  # the same numbers, computed leaner
        assert np.array_equal(trace.num_active[t], active)
    users = trace.user_service_time_s
    assert users is not None
    assert np.array_equal(np.isnan(users).sum(axis=-1), nets[0].num_users - trace.num_active)
    assert np.allclose(np.nansum(users, axis=-1), trace.total_service_time_s)
    assert np.all(trace.switches[0] == 0) and trace.switches[1:].max() > 0  # raro redraws
    assert np.all(trace.max_load_s > 0)


def test_trace_frame_and_tail_mean() -> None:
    nets = _networks()
    trace = simulate(nets, "selfish", SEEDS, 30, record_users=True)
    assert np.allclose(trace.tail_mean(10), trace.total_service_time_s[-10:].mean(axis=0))
    table = trace.to_frame({"note": "x"})
    assert table.num_rows == 30 * len(SEEDS)
    assert table.column_names[:3] == ["algorithm", "seed", "slot"]
    frame = table.to_pydict()
    row = 30 + 7  # second seed, slot 7
    assert frame["seed"][row] == SEEDS[1] and frame["slot"][row] == 7
    assert frame["total_service_time_s"][row] == trace.total_service_time_s[7, 1]
    assert len(frame["user_service_time_s"][row]) == nets[0].num_users
    assert b"jcaco" in table.schema.metadata
    assert set(provenance(SEEDS)) == {"root_seeds", "version", "git_revision"}
    with pytest.raises(ValueError):
        trace.tail_mean(0)


def test_bad_arguments() -> None:
    nets = _networks()
    with pytest.raises(ValueError, match="slots"):
        simulate(nets, "masl", SEEDS, 0)
    with pytest.raises(ValueError, match="one network per seed"):
        simulate(nets[:2], "masl", SEEDS, 5)
    bigger = _networks(SEEDS[:1], "paper")
    with pytest.raises(ValueError, match="N, M, K"):
        simulate(nets[:1] + bigger, "masl", SEEDS[:2], 5)
    with pytest.raises(ValueError, match="algorithm"):
        simulate(nets, "nope", SEEDS, 5)


def _brute_force_gaps(w: np.ndarray, choice: np.ndarray, players: np.ndarray) -> np.ndarray:
    """Oracle: each player's best gain by moving alone, from the definition, in plain Python."""
    gaps = np.zeros(choice.shape)
    for s in range(w.shape[0]):
        load = [0.0] * w.shape[2]
        for i in range(w.shape[1]):
            load[choice[s, i]] += w[s, i, choice[s, i]]
        for i in range(w.shape[1]):
            if players[s, i]:
                others = [load[r] + w[s, i, r] for r in range(w.shape[2]) if r != choice[s, i]]
                gaps[s, i] = max(0.0, load[choice[s, i]] - min(others))
    return gaps


def test_nash_gaps_match_brute_force() -> None:
    """The one Nash gap, with and without the caller's loads and θ, against the definition."""
    rng = stream(5, "scenario")
    for _ in range(20):
        w = rng.exponential(1.0, (4, 7, 3))
        w[rng.random(w.shape) < 0.2] = np.inf  # infeasible resources
        w[:, :, 0] = rng.exponential(1.0, (4, 7))  # every user has one feasible resource
        players = rng.random((4, 7)) < 0.8
        w[~players] = 0.0
        choice = np.argmin(np.where(np.isfinite(w), rng.random(w.shape), 2.0), axis=-1)
        expected = resource.nash_gaps(w, choice, players)
        np.testing.assert_allclose(expected, _brute_force_gaps(w, choice, players), atol=1e-12)
        given = resource.nash_gaps(w, choice, players, load=resource.loads(w, choice))
        assert np.array_equal(given, expected)
        # from θ and the times: the same products as player_weights, so the same gaps
        theta = np.where(players, rng.integers(1, 100, players.shape) / 100, 0.0)
        time = np.where(np.isfinite(w), rng.exponential(1.0, w.shape), np.inf)
        w = resource.player_weights(time, theta)
        load = resource.loads(w, choice)
        expected = resource.nash_gaps(w, choice, players)
        np.testing.assert_allclose(expected, _brute_force_gaps(w, choice, players), atol=1e-12)
        from_theta = resource.nash_gaps(time, choice, players, load=load, theta=theta)
        assert np.array_equal(from_theta, expected)
