"""Best and worst pure equilibria (game/optimum/equilibrium_bounds.py) against brute force."""

from __future__ import annotations

import numpy as np
import pytest

from jcaco.game import metrics, resource
from jcaco.game.equilibria import pure_equilibria, subgame_equilibria
from jcaco.game.optimum.count_model import subgame_cost
from jcaco.game.optimum.equilibrium_bounds import equilibrium_bounds, solve_subgame_equilibrium
from jcaco.game.optimum.social_optimum import solve_optimum
from test_optimum import random_instance, random_subgame


@pytest.mark.parametrize("kind", ["stochastic", "complete"])
def test_milp_best_and_worst_equal_brute_force(kind: str) -> None:
    """60 tiny games per objective, MILP forced (no enumeration): min/max over the equilibria."""
    rng = np.random.default_rng(21 if kind == "stochastic" else 22)
    for _ in range(60):
        time_s, theta = random_subgame(rng, kind)
        eq = subgame_equilibria(time_s, theta)
        batch = (len(eq), *time_s.shape)
        costs = subgame_cost(np.broadcast_to(time_s, batch), np.broadcast_to(theta, eq.shape), eq)
        best = solve_subgame_equilibrium(time_s, theta, enumerate_limit=0)
        worst = solve_subgame_equilibrium(time_s, theta, worst=True, enumerate_limit=0)
        assert best.proven and worst.proven
        assert best.objective_s == pytest.approx(costs.min(), rel=1e-7, abs=1e-12)
        assert worst.objective_s == pytest.approx(costs.max(), rel=1e-7, abs=1e-12)
        assert best.bound_s <= best.objective_s + 1e-12
        assert worst.bound_s >= worst.objective_s - 1e-12


def test_instance_bounds_are_equilibria_and_match_enumeration() -> None:
    """Joint game: best ≤ worst, both pass is_nash, equal the brute-force min/max; PoS, PoA ≥ 1."""
    rng = np.random.default_rng(23)
    for _ in range(25):
        game = random_instance(rng, int(rng.integers(2, 6)), 2, 3)
        got = equilibrium_bounds(game)
        assert got.proven
        assert bool(metrics.is_nash(game, got.best)) and bool(metrics.is_nash(game, got.worst))
        totals = [
            float(metrics.expected_total_service_time(game, p)) for p in pure_equilibria(game)
        ]
        assert got.best_s == pytest.approx(min(totals), rel=1e-9)
        assert got.worst_s == pytest.approx(max(totals), rel=1e-9)
        assert got.best_s <= got.worst_s
        optimum = solve_optimum(game).objective_s
        assert optimum <= got.best_s * (1 + 1e-9)


def test_larger_game_uses_the_milp_and_returns_equilibria() -> None:
    """9 users × 4 APs (4^9 profiles, beyond enumeration): certified equilibria and bounds,
    whether or not the node limit lets HiGHS prove them (no wall-clock limit: the same
    answer under any load)."""
    rng = np.random.default_rng(29)
    time_s = rng.uniform(0.2, 3.0, (9, 4))
    theta = rng.integers(50, 91, 9) / 100
    best = solve_subgame_equilibrium(time_s, theta, time_limit_s=None, node_limit=200)
    worst = solve_subgame_equilibrium(time_s, theta, worst=True, time_limit_s=None, node_limit=200)
    w = theta[:, None] * time_s
    for got in (best, worst):
        gaps = resource.nash_gaps(w, got.choice, np.ones(9, dtype=bool))
        assert gaps.max() <= resource.DEFAULT_ATOL_S
    assert best.bound_s <= best.objective_s <= worst.objective_s <= worst.bound_s
