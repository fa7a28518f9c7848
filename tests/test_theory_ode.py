"""The mean ODE of MASL (docs/model.md (40)–(41), §4.6) and check (d) of ``jcaco theory``."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from jcaco.game import resource
from jcaco.game.equilibria import enumerate_profiles, subgame_equilibria
from jcaco.learners.masl import MASL
from jcaco.learners.views import build_setup
from jcaco.model.instance import stack_instances
from jcaco.sim.loop import StaticEnvironment, make_view, score
from jcaco.theory import mean_ode as ode
from jcaco.theory.ode_check import check_ode, ode_game, subgames


def _random_game(seed: int, num_users: int = 3, num_resources: int = 3):
    rng = np.random.default_rng(seed)
    time = rng.integers(1, 10, size=(num_users, num_resources)).astype(float)
    theta = rng.integers(10, 101, size=num_users) / 100.0
    probs = rng.random((num_users, num_resources)) + 0.05
    return time, theta, probs / probs.sum(axis=1, keepdims=True)


def _brute_rewards(probs, w, max_delay_s):
    """h_{i,r} by an explicit loop over the others' pure actions (independent of mean_ode.py)."""
    n, r = w.shape
    h = np.zeros((n, r))
    for i in range(n):
        others = [j for j in range(n) if j != i]
        for rest in itertools.product(range(r), repeat=n - 1):
            weight = np.prod([probs[j, x] for j, x in zip(others, rest, strict=True)])
            for mine in range(r):
                load = w[i, mine] + sum(
                    w[j, x] for j, x in zip(others, rest, strict=True) if x == mine
                )
                h[i, mine] += weight * min(max(1.0 - load / max_delay_s[i], 0.0), 1.0)
    return h


@pytest.mark.parametrize("seed", range(4))
def test_expected_rewards_match_brute_force_with_clipping(seed: int) -> None:
    time, theta, probs = _random_game(seed)
    w = resource.player_weights(time, theta)
    # a small normaliser makes the clip at 0 bind on some profiles
    for max_delay in (np.full(3, (theta * time.max(1)).sum()), np.full(3, 6.0)):
        np.testing.assert_allclose(
            ode.expected_rewards(probs, w, max_delay),
            _brute_rewards(probs, w, max_delay),
            atol=1e-12,
        )


def test_drift_is_tangent_and_vanishes_at_corners_and_for_non_players() -> None:
    time, theta, probs = _random_game(7, num_users=4)
    theta[2] = 0.0
    w = resource.player_weights(time, theta)
    f = ode.drift(probs, w, theta, 20.0)
    np.testing.assert_allclose(f.sum(axis=1), 0.0, atol=1e-15)
    assert np.all(f[2] == 0.0)
    corner = np.eye(3)[[0, 2, 1, 1]]
    np.testing.assert_allclose(ode.drift(corner, w, theta, 20.0), 0.0, atol=1e-15)


def test_one_masl_step_has_mean_b_times_the_drift() -> None:
    """E[p(n+1) - p(n) | p(n)] = b f(p(n)) for MASL's own update (the heart of Lemma 2)."""
    game = ode_game()
    ap, _ = subgames(game)
    paths, rate = 20_000, 0.5
    batch = stack_instances([game] * paths)
    rng = np.random.default_rng(11)
    learner = MASL(
        learning_rate_ap=rate, learning_rate_server=rate, sampling="all", normaliser="o9"
    )
    learner.reset(build_setup(learner.declares(), batch), rng)
    start = np.array([[0.7, 0.3], [0.4, 0.6], [0.5, 0.5]])
    learner.probs_ap_[...] = start
    slot = StaticEnvironment(batch, rng).slot(0)
    profile = learner.act(make_view(learner, slot, None))
    learner.observe(profile, score(slot, profile))
    # [paths, users, resources]
    step = (learner.probs_ap_ - start) / rate
    expected = ode.drift(start, ap.w, game.theta, ap.max_delay_s)
    standard_error = step.std(axis=0) / np.sqrt(paths)
    assert np.all(np.abs(step.mean(axis=0) - expected) < 4.5 * standard_error + 1e-12)


def test_integrated_flow_stays_on_the_simplex_and_reaches_a_pure_equilibrium() -> None:
    time, theta, _ = _random_game(3)
    w = resource.player_weights(time, theta)
    max_delay = float((theta * time.max(1)).sum())
    path = ode.integrate(np.full((3, 3), 1 / 3), w, theta, max_delay, np.linspace(0, 50, 6))
    np.testing.assert_allclose(path.sum(axis=2), 1.0, atol=1e-6)
    assert path.min() > -1e-6
    ap, _ = subgames(ode_game())
    theta = ode_game().theta
    end = ode.integrate(ap.uniform(), ap.w, theta, ap.max_delay_s, np.array([0.0, 60.0]))[-1]
    assert end.max(axis=1).min() > 0.99
    equilibria = {tuple(e) for e in subgame_equilibria(ode_game().tx_time_s, theta)}
    assert tuple(end.argmax(axis=1)) in equilibria


@pytest.mark.parametrize("seed", range(6))
def test_stable_corners_are_exactly_the_strict_equilibria(seed: int) -> None:
    """Lemma 4 at the corners: linearly stable iff every deviation is strictly worse."""
    time, theta, _ = _random_game(seed, num_users=3, num_resources=3)
    w = resource.player_weights(time, theta)
    max_delay = float((theta * time.max(1)).sum())
    stable, strict = set(), set()
    for choice in enumerate_profiles(np.ones(w.shape, dtype=bool)):
        rates = ode.corner_rates(choice, w, theta, max_delay)
        if np.all(rates[np.isfinite(rates)] < 0):
            stable.add(tuple(choice))
        cost = resource.deviation_costs(w, choice, resource.loads(w, choice))
        own = cost[np.arange(3), choice][:, None]
        cost[np.arange(3), choice] = np.inf
        if np.all(cost > own + 1e-12):
            strict.add(tuple(choice))
    assert stable == strict
    assert strict <= {tuple(e) for e in subgame_equilibria(time, theta)}


def test_check_ode_mean_path_follows_the_ode_closer_at_smaller_rates() -> None:
    """Lemma 2: at b = 0.01, 100 paths, horizon t = 20, the sample mean stays within 0.1 of
    the ODE (measured: 0.046), and closer than at b = 0.05 (measured: 0.17)."""
    check, traces = check_ode(rates=(0.05, 0.01), paths=100, horizon_t=20.0, run_t=20.0, seed=0)
    coarse, fine = check.rates
    assert fine.max_deviation < 0.1
    assert fine.max_deviation < coarse.max_deviation
    assert check.ode_limit_is_nash
    assert all(c.stable_equals_strict_equilibria for c in check.corners)
    # the ODE's limit is an equilibrium, so the closer paths end there more often (measured:
    # 0.87 of the paths at b = 0.01, 0.57 at b = 0.05)
    assert fine.nash_share > coarse.nash_share and fine.nash_share >= 0.8
    assert fine.compared_until_t == pytest.approx(20.0)
    assert len(traces.times) == 2 and traces.ode[1].shape == traces.mean[1].shape
