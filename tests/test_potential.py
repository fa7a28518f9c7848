"""The potential decreases on every improving unilateral move (Theorems 1–4, docs/model.md §4.5).

Times are whole ticks (δ = 1 ms in the complete-information game; θ quantised to Δθ = 0.01 so
the stochastic game's weights are whole ticks of Δθ·δ, option O18). Improving moves are found
here in exact integer arithmetic; the library computes the loads and the potential key.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from jcaco.game import resource

DELTA_S = 1e-3  # δ, the minimum time scale
RHO = Fraction(21, 10)  # ρ^δ = 2.1 > 2, eq. (48)
QUANTUM = 0.01  # Δθ


@st.composite
def games(draw: st.DrawFn, stochastic: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Integer tick times [N, R], θ in hundredths [N] and a profile [N]."""
    n = draw(st.integers(2, 5))
    r = draw(st.integers(2, 4))
    ticks = np.array(draw(st.lists(st.integers(1, 30), min_size=n * r, max_size=n * r)))
    levels = st.integers(0, 100) if stochastic else st.sampled_from([0, 100])
    theta_q = np.array(draw(st.lists(levels, min_size=n, max_size=n)))
    choice = np.array(draw(st.lists(st.integers(0, r - 1), min_size=n, max_size=n)))
    return ticks.reshape(n, r), theta_q, choice


def _check_every_improving_move(ticks: np.ndarray, theta_q: np.ndarray, choice: np.ndarray):
    stochastic = bool(((theta_q > 0) & (theta_q < 100)).any())
    tick_s = QUANTUM * DELTA_S if stochastic else DELTA_S
    time_s = ticks * DELTA_S
    w = resource.player_weights(time_s, theta_q * QUANTUM)
    # exact integer weights in units of tick_s
    w_int = theta_q[:, None] * ticks if stochastic else (theta_q[:, None] // 100) * ticks
    load_int = np.bincount(
        choice, weights=w_int[np.arange(len(choice)), choice], minlength=w.shape[1]
    )
    key = resource.potential_key(resource.loads(w, choice), tick_s)
    assert key == tuple(sorted(load_int.astype(int).tolist(), reverse=True))
    improving = 0
    for i in np.flatnonzero(theta_q > 0):
        now = load_int[choice[i]]
        for r in range(w.shape[1]):
            if r == choice[i] or load_int[r] + w_int[i, r] >= now:
                continue
            improving += 1
            moved = choice.copy()
            moved[i] = r
            new_key = resource.potential_key(resource.loads(w, moved), tick_s)
            assert new_key < key, (i, r, key, new_key)
            if not stochastic:  # Theorem 1 itself, Φ = Σ ρ^L with ρ^δ = 2.1 > 2 (48)
                new_int = load_int.copy()
                new_int[choice[i]] -= w_int[i, choice[i]]
                new_int[r] += w_int[i, r]
                # exact rational arithmetic: in floats ρ^51 + ρ and ρ^51 + 2 can tie
                assert _phi(new_int) < _phi(load_int)
    return improving


@settings(max_examples=150, deadline=None)
@given(games(stochastic=False))
def test_potential_decreases_complete_information(game) -> None:
    _check_every_improving_move(*game)


@settings(max_examples=150, deadline=None)
@given(games(stochastic=True))
def test_potential_decreases_stochastic(game) -> None:
    _check_every_improving_move(*game)


def test_the_property_is_exercised() -> None:
    rng = np.random.default_rng(3)
    moves = 0
    for _ in range(50):
        n, r = 4, 3
        moves += _check_every_improving_move(
            rng.integers(1, 30, (n, r)), rng.integers(0, 101, n), rng.integers(0, r, n)
        )
    assert moves > 50


def _phi(loads_in_ticks: np.ndarray) -> Fraction:
    """Φ = Σ_r ρ^{L_r} exactly (eq. (21) with loads in ticks)."""
    return sum((RHO ** int(v) for v in loads_in_ticks), Fraction(0))
