"""Checks (a) and (b) of ``jcaco theory``: Theorems 1–4 and the exponential potential."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from jcaco.theory.potential import (
    DELTA_S,
    DELTA_THETA,
    check_potential,
    phi_change_sign,
    random_tick_game,
    tie_example,
)


@pytest.fixture(scope="module")
def potential():
    return check_potential(60, np.random.default_rng(2026))


def test_random_games_live_on_the_tick_grid() -> None:
    rng = np.random.default_rng(5)
    for infeasible in (False, True):
        time_s, theta = random_tick_game(rng, infeasible)
        finite = time_s[np.isfinite(time_s)]
        np.testing.assert_allclose(finite / DELTA_S, np.rint(finite / DELTA_S), atol=1e-9)
        assert np.isfinite(time_s).any(axis=1).all()
        np.testing.assert_allclose(theta / DELTA_THETA, np.rint(theta / DELTA_THETA), atol=1e-9)


def test_every_improving_move_lowers_the_sorted_load_potential(potential) -> None:
    """Theorems 1-4: 0 violations, on a few thousand moves in every game kind."""
    assert [row.theorem for row in potential.rows] == [f"Theorem {k}" for k in range(1, 5)]
    for row in potential.rows:
        assert row.improving_moves > 500
        assert row.lex_violations == 0
        assert row.instances_with_pure_ne == row.instances  # Lemma 1


def test_exponential_potential_holds_above_the_threshold_and_fails_below(potential) -> None:
    rows = {(r.game, r.rho_per_tick): r for r in potential.rho_rows}
    for (game, rho), row in rows.items():
        if rho >= 2:  # rho^tick > 2 is sufficient (48); rho^tick = 2 still gives dPhi < 0
            assert row.violations == 0, (game, rho)
    for game in ("complete/ap", "complete/server"):
        assert rows[(game, 1.1)].violations > 0
        assert rows[(game, 1.5)].violations > 0
    # the paper's literal threshold on the stochastic game's finer Δθ·δ grid (§4.4 caveat)
    literal = [r for r in potential.rho_rows if r.rho_per_delta == 2.1 and r.rho_per_tick < 2]
    assert len(literal) == 2 and all(r.violations > 0 for r in literal)


def test_ties_change_phi_so_it_is_only_a_generalized_ordinal_potential(potential) -> None:
    assert tie_example() == (0, 1)
    assert 0 < potential.ties.tied_moves_changing_phi <= potential.ties.tied_moves


def test_phi_change_sign_is_exact() -> None:
    rows = np.array(
        [
            [1, 2, 2, 1],  # the same multiset: exactly 0
            [3, 1, 2, 2],  # 8 + 2 - 4 - 4 > 0 at rho = 2
            [0, -60, 0, -61],  # 2^-60 - 2^-61: below float resolution of the sum, > 0
            [5000, 4998, 5001, 0],  # huge exponents never overflow
        ],
        dtype=np.int64,
    )
    assert phi_change_sign(rows, "2").tolist() == [0, 1, 1, -1]
    a, b, c, d = (int(v) for v in rows[1])
    rho = Fraction(3, 2)
    assert phi_change_sign(rows[1:2], "1.5")[0] == np.sign(float(rho**a + rho**b - rho**c - rho**d))
