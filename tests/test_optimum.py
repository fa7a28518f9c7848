"""The exact social optimum (game/optimum/social_optimum.py) against brute force and the metrics."""

from __future__ import annotations

import numpy as np
import pytest

from jcaco.game import metrics
from jcaco.game.equilibria import enumerate_profiles
from jcaco.game.optimum import partition_columns as optimum_columns
from jcaco.game.optimum.count_model import count_bounds, subgame_cost
from jcaco.game.optimum.social_optimum import SubgameOptimum, solve_optimum, solve_subgame
from jcaco.game.profile import Profile
from jcaco.jobs.solve import solve
from jcaco.model.instance import GameInstance


def random_subgame(rng: np.random.Generator, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """1–6 users, 1–3 resources, ~20 % infeasible pairs (each user keeps one), θ = 0 users.

    ``kind``: "stochastic" (θ in {0} ∪ (0, 1], quantised to 0.01) or "complete" (θ in {0, 1}).
    """
    n, r = int(rng.integers(1, 7)), int(rng.integers(1, 4))
    time_s = rng.uniform(0.1, 3.0, (n, r))  # [users, resources]
    time_s[rng.random((n, r)) < 0.2] = np.inf
    time_s[np.arange(n), rng.integers(0, r, n)] = rng.uniform(0.1, 3.0, n)
    if kind == "complete":
        theta = (rng.random(n) < 0.75).astype(float)
    else:
        theta = np.where(rng.random(n) < 0.15, 0.0, rng.integers(1, 101, n) / 100)
    return time_s, theta


def brute_force_costs(time_s: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Cost of every feasible profile (non-players range over their options too)."""
    profiles = enumerate_profiles(np.isfinite(time_s))
    batch = (len(profiles), *time_s.shape)
    return subgame_cost(
        np.broadcast_to(time_s, batch), np.broadcast_to(theta, profiles.shape), profiles
    )


def random_instance(rng: np.random.Generator, n: int, m: int, k: int) -> GameInstance:
    """A single game: θ = 0 for ~20 % of users, ~25 % infeasible servers."""
    theta = np.where(rng.random(n) < 0.2, 0.0, rng.integers(1, 101, n) / 100)
    compute = rng.uniform(0.5, 3.0, (n, k))
    compute[rng.random((n, k)) < 0.25] = np.inf
    compute[np.arange(n), rng.integers(0, k, n)] = rng.uniform(0.5, 3.0, n)
    return GameInstance(
        theta=theta,
        tx_time_s=rng.uniform(0.1, 3.0, (n, m)),
        compute_time_s=compute,
        steps=np.where(np.isfinite(compute), 10, 0).astype(np.int64),
    )


def near_rank_one(rng: np.random.Generator, n: int, r: int, noise: float) -> np.ndarray:
    """Times ``a_i b_r`` (user size x resource speed) with ±``noise`` relative jitter [s]: the
    near-rank-one structure of the paper's networks, which makes (15) hard for the count model."""
    time_s = rng.uniform(1, 5, (n, 1)) * rng.uniform(0.3, 1.5, (1, r))
    return time_s * rng.uniform(1 - noise, 1 + noise, (n, r))


def assert_same_run(first: SubgameOptimum, second: SubgameOptimum) -> None:
    """Two solves of one game agree bit for bit: profile, objective, bound, nodes, proof."""
    assert np.array_equal(first.choice, second.choice)
    assert (first.objective_s, first.lower_bound_s, first.nodes, first.proven) == (
        second.objective_s,
        second.lower_bound_s,
        second.nodes,
        second.proven,
    )


def test_closed_form_is_the_metrics_objective() -> None:
    """AP part + server part of subgame_cost == metrics.expected_total_service_time (15)."""
    rng = np.random.default_rng(11)
    for _ in range(20):
        game = random_instance(rng, int(rng.integers(1, 8)), 3, 3)
        ap = rng.integers(0, 3, (50, game.num_users))
        server = np.argmax(rng.random((50, game.num_users, 3)) * game.feasible, axis=-1)
        batch = GameInstance(
            theta=np.broadcast_to(game.theta, ap.shape),
            tx_time_s=np.broadcast_to(game.tx_time_s, (50, *game.tx_time_s.shape)),
            compute_time_s=np.broadcast_to(game.compute_time_s, (50, *game.compute_time_s.shape)),
            steps=np.broadcast_to(game.steps, (50, *game.steps.shape)),
        )
        expected = metrics.expected_total_service_time(batch, Profile(ap, server))
        ours = subgame_cost(batch.tx_time_s, batch.theta, ap) + subgame_cost(
            batch.compute_time_s, batch.theta, server
        )
        np.testing.assert_allclose(ours, expected, rtol=1e-12)


@pytest.mark.parametrize("kind", ["stochastic", "complete"])
def test_subgame_optimum_equals_brute_force(kind: str) -> None:
    """100 tiny games per objective: the MILP finds the brute-force minimum, proven."""
    rng = np.random.default_rng(7 if kind == "stochastic" else 8)
    for _ in range(100):
        time_s, theta = random_subgame(rng, kind)
        best = brute_force_costs(time_s, theta).min()
        got = solve_subgame(time_s, theta)
        assert got.proven
        assert got.objective_s == pytest.approx(best, rel=1e-7, abs=1e-12)
        assert got.lower_bound_s <= got.objective_s + 1e-12
        assert got.lower_bound_s >= best * (1 - 1e-6) - 1e-12
        assert subgame_cost(time_s, theta, got.choice) == pytest.approx(got.objective_s)
        assert np.isfinite(time_s[np.arange(len(theta)), got.choice]).all()


def test_count_bounds_never_exceed_the_true_cost() -> None:
    """The pruning bound for 'r holds c players' is below every profile with that count."""
    rng = np.random.default_rng(3)
    for _ in range(60):
        time_s, theta = random_subgame(rng, "stochastic")
        players = theta > 0
        if not players.any():
            continue
        t, th = time_s[players], theta[players]
        profiles = enumerate_profiles(np.isfinite(t))
        batch = (len(profiles), *t.shape)
        costs = subgame_cost(
            np.broadcast_to(t, batch), np.broadcast_to(th, profiles.shape), profiles
        )
        bound = count_bounds(th[:, None] * np.where(np.isfinite(t), t, 0.0), th, np.isfinite(t))
        for r in range(t.shape[1]):
            counts = (profiles == r).sum(axis=1)
            assert (bound[r, counts] <= costs + 1e-9).all()


def test_non_players_stay_where_kept() -> None:
    time_s = np.array([[1.0, 2.0], [2.0, np.inf], [3.0, 1.0]])
    got = solve_subgame(time_s, np.array([0.0, 0.0, 0.5]), keep=np.array([1, 1, 0]))
    # user 0 keeps AP 1; user 1's kept choice is infeasible, so its fastest feasible one
    assert got.choice[:2].tolist() == [1, 0]
    assert got.choice[2] == 1 and got.objective_s == pytest.approx(0.5)
    nobody = solve_subgame(time_s, np.zeros(3))
    assert nobody.objective_s == 0.0 and nobody.proven


def test_realisation_gives_problem_14() -> None:
    """With weight = a in {0, 1}: the optimum of the realised total Σ_active U_i, by brute force."""
    rng = np.random.default_rng(5)
    for _ in range(20):
        game = random_instance(rng, int(rng.integers(2, 6)), 2, 3)
        active = rng.random(game.num_users) < 0.7
        got = solve_optimum(game, weight=active.astype(float))
        realised = metrics.realised_service_time(game, got.profile, active).sum()
        assert got.objective_s == pytest.approx(realised)
        brute = []
        for time_s in (game.tx_time_s, game.compute_time_s):
            brute.append(brute_force_costs(time_s, active.astype(float)).min())
        assert got.objective_s == pytest.approx(sum(brute), rel=1e-7)


@pytest.mark.slow
def test_optimum_is_below_every_algorithm() -> None:
    """No registered algorithm beats the proven optimum (on 3 small games, all algorithms)."""
    from jcaco.learners.registry import LEARNERS

    rng = np.random.default_rng(17)
    for _ in range(3):
        game = random_instance(rng, 8, 3, 3)
        best = solve_optimum(game)
        assert best.proven and best.gap < 1e-6
        total = float(metrics.expected_total_service_time(game, best.profile))
        assert total == pytest.approx(best.objective_s)
        for name in LEARNERS:
            got = solve(game, name, seed=1, iterations=1500).evaluation
            assert got.expected_total_service_time_s >= best.objective_s * (1 - 1e-7), name


def test_node_limit_gives_the_same_numbers_twice() -> None:
    """A node limit (not wall time) stops HiGHS at the same place on every run: the profile,
    the objective, the bound and the node count are bit for bit the same."""
    rng = np.random.default_rng(12)
    time_s = near_rank_one(rng, 16, 4, 0.05)
    theta = rng.integers(50, 91, 16) / 100
    first, second = [solve_subgame(time_s, theta, node_limit=2, time_limit_s=None) for _ in "ab"]
    assert first.nodes <= 2
    assert_same_run(first, second)


@pytest.mark.parametrize("limited", [False, True])
def test_column_model_equals_brute_force_on_mid_size_games(
    limited: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """9-10 players x 3 resources, near rank one (the paper's structure): the proven optimum
    is the brute-force minimum, through the column model and through its fallback (pricing
    limited to a few states, so the compact model takes over)."""
    if limited:
        monkeypatch.setattr(optimum_columns, "MAX_PRICING_STATES", 3)
    rng = np.random.default_rng(25)
    for _ in range(6):
        n, r = int(rng.integers(9, 11)), 3
        time_s = near_rank_one(rng, n, r, 0.1)
        time_s[rng.random((n, r)) < 0.1] = np.inf
        time_s[np.arange(n), rng.integers(0, r, n)] = rng.uniform(1.0, 3.0, n)
        theta = rng.integers(50, 91, n) / 100
        best = brute_force_costs(time_s, theta).min()
        got = solve_subgame(time_s, theta)
        assert got.proven
        assert got.objective_s == pytest.approx(best, rel=1e-9)
        assert best * (1 - 1e-6) <= got.lower_bound_s <= got.objective_s


def test_column_model_under_tight_limits_gives_the_same_numbers_twice(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """24 players x 4 resources, near rank one, unequal θ, one node per MILP: the column model
    proves the optimum; with its pricing capped (the count model takes over and stops
    unproven) two runs still agree bit for bit, and bracket the optimum."""
    rng = np.random.default_rng(26)
    time_s = near_rank_one(rng, 24, 4, 0.1)
    theta = rng.integers(50, 91, 24) / 100
    exact = [solve_subgame(time_s, theta, node_limit=1) for _ in range(2)]
    monkeypatch.setattr(optimum_columns, "MAX_PRICING_STATES", 5)
    capped = [solve_subgame(time_s, theta, node_limit=1) for _ in range(2)]
    for first, second in (exact, capped):
        assert_same_run(first, second)
    assert exact[0].proven and not capped[0].proven
    assert capped[0].lower_bound_s <= exact[0].objective_s <= capped[0].objective_s


def test_expired_wall_clock_safety_still_brackets_the_optimum() -> None:
    """time_limit_s already spent: the column model hands over at once and the count model
    stops; the profile is feasible and the bound and objective bracket the brute-force min."""
    rng = np.random.default_rng(27)
    time_s = near_rank_one(rng, 9, 3, 0.0)
    theta = rng.integers(50, 91, 9) / 100
    best = brute_force_costs(time_s, theta).min()
    got = solve_subgame(time_s, theta, time_limit_s=1e-9)
    assert got.lower_bound_s <= best * (1 + 1e-9)
    assert got.objective_s >= best * (1 - 1e-9)
    assert subgame_cost(time_s, theta, got.choice) == pytest.approx(got.objective_s)
