"""Theorems 1–4 and Lemma 1 checked on random tick-quantised games (docs/model.md §4.1–4.5).

Times are whole multiples of the minimum time scale δ (46a)–(46b), and for the stochastic game
θ is quantised to Δθ = 0.01 (footnote 4), so expected loads are multiples of Δθ·δ (O18). Every
improving unilateral move of every sampled profile is checked against

* the ρ-free potential: the descending-sorted load vector, compared lexicographically
  (:func:`jcaco.game.resource.potential_key`, O16) — Theorems 1–4;
* the exponential potential Φ = Σ_r ρ^{L_r} (21), (22), (31), (32) at several ρ, evaluated
  exactly (never ``rho**L`` on raw loads): the change (44) divided by ρ^{L_m} has only
  non-positive exponents, and near-zero values are settled with fractions.

Both subgames are the same resource game; the "server" kind has infeasible resources.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from jcaco.game import resource
from jcaco.game.equilibria import subgame_equilibria
from jcaco.types import FloatArray, IntArray

#: Minimum time scale δ (a 1 ms 5G NR slot) [s] and the θ quantum Δθ (footnote 4).
DELTA_S = 1e-3
DELTA_THETA = 0.01

#: (game kind, theorem): complete information is weight a ∈ {0,1}, stochastic is weight θ.
KINDS = (
    ("complete/ap", "Theorem 1"),
    ("complete/server", "Theorem 2"),
    ("stochastic/ap", "Theorem 3"),
    ("stochastic/server", "Theorem 4"),
)

#: ρ^δ values tried by the exponential check; the sufficient threshold is ρ^δ > 2 (48).
DEFAULT_RHOS = ("1.1", "1.5", "1.9", "2", "2.1", "3")

#: ρ^δ just above the paper's threshold 2^(1/δ), used for the caveat row and the examples.
PAPER_RHO = "2.1"


def random_tick_game(
    rng: np.random.Generator, infeasible: bool, max_users: int = 5, max_ticks: int = 10
) -> tuple[FloatArray, FloatArray]:
    """One random small game on the δ grid.

    Returns
    -------
    time_s : ndarray, shape (num_users, num_resources)
        Standalone times, whole multiples of :data:`DELTA_S` in ``[δ, max_ticks·δ]`` [s];
        ``inf`` on some entries when ``infeasible`` (at least one finite per row).
    theta : ndarray, shape (num_users,)
        Activity probabilities, multiples of :data:`DELTA_THETA` in ``[0.01, 1]``.
    """
    num_users = int(rng.integers(2, max_users + 1))
    num_resources = int(rng.integers(2, 5))
    # [users, resources]
    ticks = rng.integers(1, max_ticks + 1, size=(num_users, num_resources))
    time_s = ticks * DELTA_S
    if infeasible:
        drop = rng.random((num_users, num_resources)) < 0.25
        drop[np.arange(num_users), rng.integers(0, num_resources, num_users)] = False
        time_s = np.where(drop, np.inf, time_s)
    theta = rng.integers(1, 101, size=num_users) * DELTA_THETA
    return time_s.astype(float), theta.astype(float)


def random_choice(rng: np.random.Generator, time_s: FloatArray) -> IntArray:
    """A uniformly random feasible pure profile, shape ``(num_users,)``."""
    allowed = np.isfinite(time_s)
    scores = np.where(allowed, rng.random(time_s.shape), -1.0)
    return scores.argmax(axis=1).astype(np.int64)


@dataclass(frozen=True)
class Moves:
    """Improving (and tied) unilateral moves of one game kind, loads in integer ticks.

    For a move of user i from resource m to m' the four exponents of (44) are ``a = L_m -
    w_{i,m}``, ``b = L_{m'} + w_{i,m'}``, ``c = L_m``, ``d = L_{m'}``.
    """

    instances: int
    instances_with_pure_ne: int
    lex_violations: int
    improving: IntArray  # [moves, 4] exponents a, b, c, d
    ties: IntArray  # [ties, 4] exponents of zero-gain moves


def collect_moves(
    kind: str, instances: int, rng: np.random.Generator, profiles_per_instance: int = 10
) -> Moves:
    """Every improving and every tied unilateral move on random games of one ``kind``."""
    stochastic, infeasible = kind.startswith("stochastic"), kind.endswith("server")
    tick_s = DELTA_THETA * DELTA_S if stochastic else DELTA_S
    improving: list[tuple[int, int, int, int]] = []
    ties: list[tuple[int, int, int, int]] = []
    violations = with_ne = 0
    for _ in range(instances):
        time_s, theta = random_tick_game(rng, infeasible)
        for p in range(profiles_per_instance):
            weight = theta if stochastic else (rng.random(theta.shape) < theta).astype(float)
            if p == 0:
                with_ne += int(len(subgame_equilibria(time_s, weight)) > 0)
            w = resource.player_weights(time_s, weight)
            choice = random_choice(rng, time_s)
            load = resource.loads(w, choice)
            cost = resource.deviation_costs(w, choice, load)
            current = resource.chosen(cost, choice)[:, None]
            player = (weight > 0)[:, None] & np.isfinite(cost)
            gain = current - cost
            key = resource.potential_key(load, tick_s)
            load_ticks = np.rint(load / tick_s).astype(np.int64)
            w_ticks = np.rint(np.where(np.isfinite(w), w, 0.0) / tick_s).astype(np.int64)
            for i, r in zip(*np.nonzero(player & (gain > resource.DEFAULT_ATOL_S)), strict=True):
                m = choice[i]
                moved = load.copy()
                moved[m] -= w[i, m]
                moved[r] += w[i, r]
                violations += int(resource.potential_key(moved, tick_s) >= key)
                improving.append(_exponents(load_ticks, w_ticks, i, m, r))
            tied = player & (np.abs(gain) <= resource.DEFAULT_ATOL_S)
            tied[np.arange(len(choice)), choice] = False
            ties.extend(
                _exponents(load_ticks, w_ticks, i, choice[i], r)
                for i, r in zip(*np.nonzero(tied), strict=True)
            )
    return Moves(
        instances,
        with_ne,
        violations,
        np.array(improving, dtype=np.int64).reshape(-1, 4),
        np.array(ties, dtype=np.int64).reshape(-1, 4),
    )


def _exponents(load: IntArray, w: IntArray, i: int, m: int, r: int) -> tuple[int, int, int, int]:
    return (int(load[m] - w[i, m]), int(load[r] + w[i, r]), int(load[m]), int(load[r]))


def phi_change_sign(exponents: IntArray, rho: str) -> IntArray:
    """Sign of ΔΦ = ρ^a + ρ^b - ρ^c - ρ^d (44) for every row ``(a, b, c, d)`` of ticks.

    ``rho`` is ρ^δ (per tick) as a decimal string, so that it is exact as a fraction. The
    value is divided by ρ^{max exponent} first, so no power overflows; results within 1e-9
    of 0 are recomputed exactly with :class:`fractions.Fraction`.
    """
    if len(exponents) == 0:
        return np.zeros(0, dtype=np.int64)
    top = exponents.max(axis=1, keepdims=True)
    # [moves, 4], all exponents <= 0 after the shift
    powers = float(rho) ** (exponents - top).astype(float)
    value = powers[:, 0] + powers[:, 1] - powers[:, 2] - powers[:, 3]
    sign = np.sign(value).astype(np.int64)
    exact_rho = Fraction(rho)
    for row in np.flatnonzero(np.abs(value) < 1e-9):
        a, b, c, d = (int(e) for e in exponents[row] - top[row])
        exact = exact_rho**a + exact_rho**b - exact_rho**c - exact_rho**d
        sign[row] = (exact > 0) - (exact < 0)
    return sign


@dataclass(frozen=True)
class PotentialRow:
    """Theorem check on one game kind: improving moves that failed to lower the potential."""

    game: str
    theorem: str
    instances: int
    instances_with_pure_ne: int
    improving_moves: int
    lex_violations: int


@dataclass(frozen=True)
class RhoRow:
    """Exponential potential at one ρ: improving moves with ΔΦ ≥ 0 (violations).

    ``rho_per_tick`` is ρ raised to the load quantum (δ, or Δθ·δ in the stochastic game);
    ``rho_per_delta`` is ρ^δ, the quantity the paper's threshold ρ^δ > 2 speaks of.
    """

    game: str
    rho_per_delta: float
    rho_per_tick: float
    improving_moves: int
    violations: int


@dataclass(frozen=True)
class TieCheck:
    """§4.2 item 2: zero-gain moves that still change Φ (generalized ordinal, not ordinal)."""

    tied_moves: int
    tied_moves_changing_phi: int
    example_delta_cost_ticks: int
    example_delta_phi_sign: int


@dataclass(frozen=True)
class PotentialCheck:
    """Checks (a) and (b): the sorted-load potential, the exponential one, and ties."""

    delta_s: float
    delta_theta: float
    rows: tuple[PotentialRow, ...]
    rho_rows: tuple[RhoRow, ...]
    ties: TieCheck


def tie_example(rho: str = PAPER_RHO) -> tuple[int, int]:
    """§4.2 item 2: L_m = 5, T_{i,m} = 3, L_{m'} = 1, T_{i,m'} = 4 (ticks).

    Returns ``(ΔU_i, sign ΔΦ)``: the mover's cost does not change, Φ does.
    """
    load_m, t_im, load_m2, t_im2 = 5, 3, 1, 4
    delta_cost = (load_m2 + t_im2) - load_m
    row = np.array([[load_m - t_im, load_m2 + t_im2, load_m, load_m2]], dtype=np.int64)
    return delta_cost, int(phi_change_sign(row, rho)[0])


def check_potential(
    instances: int, rng: np.random.Generator, rhos: tuple[str, ...] = DEFAULT_RHOS
) -> PotentialCheck:
    """Run checks (a) and (b) on ``instances`` random games of each of the four kinds."""
    rows, rho_rows = [], []
    tied = tied_changing = 0
    for kind, theorem in KINDS:
        moves = collect_moves(kind, instances, rng)
        rows.append(
            PotentialRow(
                kind,
                theorem,
                moves.instances,
                moves.instances_with_pure_ne,
                len(moves.improving),
                moves.lex_violations,
            )
        )
        per_delta = 1.0 / DELTA_THETA if kind.startswith("stochastic") else 1.0
        tried = [(float(rho) ** per_delta, rho) for rho in rhos]
        if per_delta != 1.0:
            # The paper's literal reading (caveat of §4.4): ρ^δ = 2.1 on loads in Δθ·δ ticks.
            tried.append((float(PAPER_RHO), repr(float(PAPER_RHO) ** DELTA_THETA)))
        for rho_delta, rho in tried:
            signs = phi_change_sign(moves.improving, rho)
            rho_rows.append(
                RhoRow(kind, rho_delta, float(rho), len(signs), int((signs >= 0).sum()))
            )
        tied += len(moves.ties)
        tied_changing += int((moves.ties[:, 0] != moves.ties[:, 3]).sum())
    delta_cost, sign = tie_example()
    return PotentialCheck(
        DELTA_S,
        DELTA_THETA,
        tuple(rows),
        tuple(rho_rows),
        TieCheck(tied, tied_changing, delta_cost, sign),
    )
