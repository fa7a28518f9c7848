"""Check (c) and what the theorems do not establish (docs/model.md §3, §4.2 items 3 and 5).

* The conditional reading of the expected delay, ``E[U_i | i active] = T_{i,m} + Σ_{j≠i} θ_j
  x_{j,m} T_{j,m}``, is not covered by the potential: the counter-example of §3, and a
  search for better-reply cycles (the finite improvement property) in small random games.
* The game is not an exact or weighted potential game (§4.2 item 3): 4-cycles of unilateral
  moves with a non-zero sum of cost changes.
* Φc + Φo is not a potential of the joint game (§4.2 item 5): a joint move that lowers the
  mover's cost while raising the sum of the two potentials.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from jcaco.game import metrics, resource
from jcaco.game.equilibria import enumerate_profiles
from jcaco.game.profile import Profile
from jcaco.model.instance import GameInstance
from jcaco.theory.potential import PAPER_RHO
from jcaco.types import FloatArray, IntArray


def conditional_costs(time: FloatArray, theta: FloatArray, choice: IntArray) -> FloatArray:
    """``E[T^tr_i | i active]`` if user i alone moved to r, shape ``(..., users, resources)``.

    The expected (unconditional) deviation cost (25) with the user's own term θ_i T_{i,r]
    replaced by T_{i,r} (docs/model.md §3).
    """
    w = resource.player_weights(time, theta)
    load = resource.loads(w, choice)
    return resource.deviation_costs(w, choice, load) + (1.0 - theta[..., None]) * time


@dataclass(frozen=True)
class CounterExample:
    """docs/model.md §3: the conditional cost falls while the sorted expected loads rise."""

    conditional_cost_before_s: float
    conditional_cost_after_s: float
    expected_cost_before_s: float
    expected_cost_after_s: float
    sorted_expected_loads_before_s: tuple[float, ...]
    sorted_expected_loads_after_s: tuple[float, ...]


def counter_example() -> CounterExample:
    """θ_i = 0.01 alone on AP a (T = 10 s); AP b carries expected load 5 s, T_{i,b} = 1 s.

    Built as a :class:`GameInstance` (user 1 has θ = 1 and sits on b; one server with zero
    compute time, so the service time is the AP part) and scored with :mod:`jcaco.game.metrics`.
    """
    game = GameInstance(
        theta=np.array([0.01, 1.0]),
        tx_time_s=np.array([[10.0, 1.0], [5.0, 5.0]]),
        compute_time_s=np.zeros((2, 1)),
        steps=np.ones((2, 1), dtype=np.int64),
    )
    before = Profile(np.array([0, 1]), np.zeros(2, dtype=np.int64))
    after = Profile(np.array([1, 1]), np.zeros(2, dtype=np.int64))

    def sorted_loads(profile: Profile) -> tuple[float, ...]:
        ap_load, _ = metrics.expected_loads(game, profile)
        return tuple(float(v) for v in np.sort(ap_load)[::-1])

    def conditional(profile: Profile) -> float:
        return float(metrics.expected_service_time(game, profile)[0])

    def expected(profile: Profile) -> float:
        ap_load, _ = metrics.expected_loads(game, profile)
        return float(ap_load[profile.ap[0]])

    return CounterExample(
        conditional(before),
        conditional(after),
        expected(before),
        expected(after),
        sorted_loads(before),
        sorted_loads(after),
    )


def _has_improvement_cycle(cost: FloatArray, profiles: IntArray, num_resources: int) -> bool:
    """Whether the better-reply graph of a game has a cycle (so it lacks the FIP).

    ``cost[p, i, r]`` is user i's cost if it alone moved to r from profile ``p``;
    ``profiles`` is the enumeration of :func:`enumerate_profiles` (last user fastest).
    """
    num_profiles, num_users = profiles.shape
    current = np.take_along_axis(cost, profiles[..., None], axis=-1)
    source, user, target = np.nonzero(cost < current - resource.DEFAULT_ATOL_S)
    stride = num_resources ** (num_users - 1 - user)
    head = source + (target - profiles[source, user]) * stride
    graph = csr_matrix((np.ones(len(source)), (source, head)), shape=(num_profiles, num_profiles))
    count, _ = connected_components(graph, directed=True, connection="strong")
    return bool(count < num_profiles)


@dataclass(frozen=True)
class CycleSearch:
    """Better-reply cycles found by exhaustive search over small random AP games."""

    instances: int
    max_users: int
    max_resources: int
    conditional_games_with_cycle: int
    unconditional_games_with_cycle: int
    conditional_moves: int
    conditional_moves_raising_potential: int


def search_cycles(instances: int, rng: np.random.Generator) -> CycleSearch:
    """Enumerate every profile of ``instances`` random games (2–4 users, 2–3 resources).

    Times are 1–10 ticks and θ a multiple of 0.01 in [0.01, 1], so all costs are exact in
    floating point. Counts the games whose conditional (resp. unconditional, (25)) better-reply
    graph has a cycle, and the conditional improving moves that raise the sorted expected
    loads (the potential of Theorem 3).
    """
    with_cycle = [0, 0]
    moves = raising = 0
    tick_s = 0.01
    for _ in range(instances):
        num_users, num_resources = int(rng.integers(2, 5)), int(rng.integers(2, 4))
        time = rng.integers(1, 11, size=(num_users, num_resources)).astype(float)
        theta = rng.integers(1, 101, size=num_users) / 100.0
        # [profiles, users]
        profiles = enumerate_profiles(np.ones((num_users, num_resources), dtype=bool))
        batch_time = np.broadcast_to(time, (len(profiles), *time.shape))
        batch_theta = np.broadcast_to(theta, profiles.shape)
        cond = conditional_costs(batch_time, batch_theta, profiles)
        w = resource.player_weights(batch_time, batch_theta)
        load = resource.loads(w, profiles)
        uncond = resource.deviation_costs(w, profiles, load)
        with_cycle[0] += _has_improvement_cycle(cond, profiles, num_resources)
        with_cycle[1] += _has_improvement_cycle(uncond, profiles, num_resources)
        current = np.take_along_axis(cond, profiles[..., None], axis=-1)
        for p, i, r in zip(*np.nonzero(cond < current - resource.DEFAULT_ATOL_S), strict=True):
            moved = load[p].copy()
            moved[profiles[p, i]] -= w[p, i, profiles[p, i]]
            moved[r] += w[p, i, r]
            moves += 1
            key_before = resource.potential_key(load[p], tick_s)
            raising += int(resource.potential_key(moved, tick_s) > key_before)
    return CycleSearch(instances, 4, 3, with_cycle[0], with_cycle[1], moves, raising)


@dataclass(frozen=True)
class NotExact:
    """§4.2 item 3: 4-cycles of unilateral moves in a 2-user game with 3 APs.

    ``cycle_sums[k]`` is the sum of the movers' cost changes around the 4-cycle on the AP pair
    ``pairs[k]`` (0 for every cycle in an exact potential game); ``weight_ratios[k]`` is the
    ratio w_0 / w_1 a weighted potential (ΔΦ = ΔU_i / w_i) would need on that pair.
    """

    time_s: tuple[tuple[float, ...], ...]
    pairs: tuple[tuple[int, int], ...]
    cycle_sums_s: tuple[float, ...]
    weight_ratios: tuple[float, ...]


def not_exact_potential(time_s: FloatArray | None = None) -> NotExact:
    """Walk (A,A) → (B,A) → (B,B) → (A,B) → (A,A) on every AP pair, complete information.

    The default times extend docs/model.md's (T_iA, T_iB, T_jA, T_jB) = (3, 5, 2, 7) by a third AP.
    """
    time = np.array([[3.0, 5.0, 4.0], [2.0, 7.0, 6.0]]) if time_s is None else time_s
    w = resource.player_weights(time, np.ones(2))
    pairs, sums, ratios = [], [], []
    for a in range(time.shape[1]):
        for b in range(a + 1, time.shape[1]):
            path = [(a, a), (b, a), (b, b), (a, b), (a, a)]
            change = [0.0, 0.0]
            for (x0, y0), (x1, y1) in zip(path[:-1], path[1:], strict=True):
                mover = 0 if x0 != x1 else 1
                before, after = np.array([x0, y0]), np.array([x1, y1])
                cost = resource.payoffs(w, after)[mover] - resource.payoffs(w, before)[mover]
                change[mover] += float(cost)
            pairs.append((a, b))
            sums.append(change[0] + change[1])
            ratios.append(-change[0] / change[1])
    return NotExact(
        tuple(tuple(float(t) for t in row) for row in time),
        tuple(pairs),
        tuple(sums),
        tuple(ratios),
    )


@dataclass(frozen=True)
class JointSum:
    """§4.2 item 5: a joint move lowering the mover's cost while Φc + Φo rises (ρ^δ = 2.1)."""

    instances_searched: int
    joint_moves: int
    counter_moves: int
    counter_moves_server_cost_rises: int
    example_delta_cost_ticks: float
    example_delta_ap_cost_ticks: float
    example_delta_server_cost_ticks: float
    example_delta_phi_ap: float
    example_delta_phi_server: float


def _phi_changes(time: FloatArray, choice: IntArray, rho: float) -> tuple[FloatArray, FloatArray]:
    """Cost change and ΔΦ = Σ_r ρ^{L_r} change of each unilateral move, ``[users, resources]``."""
    w = resource.player_weights(time, np.ones(len(choice)))
    load = resource.loads(w, choice)
    cost = resource.deviation_costs(w, choice, load)
    users = np.arange(len(choice))
    old = load[choice][:, None]
    # [users, resources]: exponents of (44), 0 change where the user stays
    phi = (
        rho ** (old - w[users, choice][:, None])
        + rho ** (load[None, :] + w)
        - rho**old
        - rho ** load[None, :]
    )
    stay = np.arange(time.shape[1])[None, :] == choice[:, None]
    return cost - old, np.where(stay, 0.0, phi)


def joint_sum_counterexample(instances: int, rng: np.random.Generator) -> JointSum:
    """Search random complete-information games (times in ticks, ρ per tick = 2.1)."""
    rho = float(PAPER_RHO)
    moves = found = 0
    example = (0.0, 0.0, 0.0, 0.0, 0.0)
    strict_found = 0
    for _ in range(instances):
        num_users = int(rng.integers(2, 5))
        ap_time = rng.integers(1, 11, size=(num_users, int(rng.integers(2, 4)))).astype(float)
        server_time = rng.integers(1, 31, size=(num_users, int(rng.integers(2, 4)))).astype(float)
        ap_choice = rng.integers(0, ap_time.shape[1], num_users)
        server_choice = rng.integers(0, server_time.shape[1], num_users)
        d_ap, phi_ap = _phi_changes(ap_time, ap_choice, rho)
        d_sv, phi_sv = _phi_changes(server_time, server_choice, rho)
        # [users, aps, servers]: every joint move (at least one part changes)
        d_cost = d_ap[:, :, None] + d_sv[:, None, :]
        d_phi = phi_ap[:, :, None] + phi_sv[:, None, :]
        users = np.arange(num_users)
        moved = np.ones(d_cost.shape, dtype=bool)
        moved[users, ap_choice, server_choice] = False
        bad = moved & (d_cost < 0) & (d_phi > 0)
        moves += int(moved.sum())
        # Prefer an example that trades a strict server loss for a larger AP gain.
        strict = bad & (d_sv[:, None, :] > 0)
        if strict.any() and example[2] <= 0:
            i, m, k = (int(v) for v in np.argwhere(strict)[0])
            example = (float(d_cost[i, m, k]), float(d_ap[i, m]), float(d_sv[i, k]),
                       float(phi_ap[i, m]), float(phi_sv[i, k]))  # fmt: skip
        found += int(bad.sum())
        strict_found += int(strict.sum())
    return JointSum(instances, moves, found, strict_found, *example)
