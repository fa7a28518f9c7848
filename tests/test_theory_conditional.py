"""Check (c) of ``jcaco theory`` and what the theorems do not establish (docs/model.md §3, §4.2)."""

from __future__ import annotations

import numpy as np
import pytest

from jcaco.game.equilibria import enumerate_profiles
from jcaco.theory.conditional import (
    _has_improvement_cycle,
    conditional_costs,
    counter_example,
    joint_sum_counterexample,
    not_exact_potential,
    search_cycles,
)


def test_counter_example_behaves_as_model_md_states() -> None:
    ce = counter_example()
    assert ce.conditional_cost_before_s == pytest.approx(10.0)
    assert ce.conditional_cost_after_s == pytest.approx(6.0)  # the user moves ...
    assert ce.sorted_expected_loads_before_s == pytest.approx((5.0, 0.1))
    assert ce.sorted_expected_loads_after_s == pytest.approx((5.01, 0.0))  # ... Φ̄ rises
    assert ce.expected_cost_after_s > ce.expected_cost_before_s  # (25) would not move


def test_conditional_costs_match_the_definition() -> None:
    rng = np.random.default_rng(3)
    time = rng.integers(1, 10, size=(4, 3)).astype(float)
    theta = rng.integers(1, 101, size=4) / 100
    choice = np.array([0, 2, 2, 1])
    cost = conditional_costs(time, theta, choice)
    for i in range(4):
        for r in range(3):
            others = sum(theta[j] * time[j, r] for j in range(4) if j != i and choice[j] == r)
            assert cost[i, r] == pytest.approx(time[i, r] + others)


def test_cycle_detector_finds_a_matching_pennies_cycle() -> None:
    profiles = enumerate_profiles(np.ones((2, 2), dtype=bool))
    cost = np.zeros((4, 2, 2))
    for p, (x0, x1) in enumerate(profiles):
        cost[p, 0] = [0.0 if r == x1 else 1.0 for r in range(2)]  # user 0 wants to match
        cost[p, 1] = [1.0 if r == x0 else 0.0 for r in range(2)]  # user 1 wants to differ
    assert _has_improvement_cycle(cost, profiles, 2)
    assert not _has_improvement_cycle(np.zeros((4, 2, 2)), profiles, 2)


def test_cycle_search_reports_what_it_searched() -> None:
    found = search_cycles(60, np.random.default_rng(1))
    assert found.instances == 60
    assert found.unconditional_games_with_cycle == 0  # FIP of the game (25): Theorem 3
    assert found.conditional_moves > 0
    # improving conditional moves that raise the sorted expected loads exist: Φ̄ is no
    # potential of the conditional game, whatever the cycle count says
    assert found.conditional_moves_raising_potential > 0


def test_not_an_exact_or_weighted_potential_game() -> None:
    ne = not_exact_potential()
    assert ne.cycle_sums_s[0] == pytest.approx(-1.0)  # docs/model.md §4.2 item 3, (3, 5, 2, 7)
    assert all(abs(s) > 0 for s in ne.cycle_sums_s)
    assert max(ne.weight_ratios) - min(ne.weight_ratios) > 0.1


def test_sum_of_potentials_is_not_a_joint_potential() -> None:
    js = joint_sum_counterexample(100, np.random.default_rng(4))
    assert js.counter_moves_server_cost_rises > 0
    assert js.example_delta_cost_ticks < 0
    assert js.example_delta_server_cost_ticks > 0
    assert js.example_delta_phi_ap + js.example_delta_phi_server > 0
