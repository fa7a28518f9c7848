"""Oracle tests on seeded tiny random games: every certificate of the library against a
brute force written here from the definitions (docs/model.md (8)–(15), (17), (24)–(28))."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from jcaco.game import metrics
from jcaco.game.equilibria import pure_equilibria
from jcaco.game.profile import Profile
from jcaco.jobs.evaluate import evaluate_assignment
from jcaco.jobs.solve import solve
from jcaco.model.instance import GameInstance
from jcaco.sim.schema import AssignmentModel

ATOL_S = 1e-9


def _actions(game: GameInstance) -> list[list[tuple[int, int]]]:
    """Each user's joint actions (AP, feasible server)."""
    return [
        [(m, k) for m in range(game.num_aps) for k in np.flatnonzero(game.feasible[i])]
        for i in range(game.num_users)
    ]


def _payoff_table(game: GameInstance) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every profile (ap, server) and its payoffs Ū_i from (24)–(28), written out plainly.

    Returns ap, server of shape (P, N) and payoffs of shape (P, N), with profiles in the
    mixed-radix order of :func:`itertools.product` over each user's actions.
    """
    theta = game.theta
    rows = list(itertools.product(*_actions(game)))
    ap = np.array([[a for a, _ in row] for row in rows])
    server = np.array([[s for _, s in row] for row in rows])
    n = game.num_users
    payoff = np.zeros(ap.shape)
    for p in range(len(rows)):
        for i in range(n):
            for j in range(n):
                if theta[j] == 0:
                    continue
                if ap[p, j] == ap[p, i]:
                    payoff[p, i] += theta[j] * game.tx_time_s[j, ap[p, j]]
                if server[p, j] == server[p, i]:
                    payoff[p, i] += theta[j] * game.compute_time_s[j, server[p, j]]
    return ap, server, payoff


def _brute_force_nash(game: GameInstance) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Profiles and a mask of those where no player gains by a unilateral joint move."""
    ap, server, payoff = _payoff_table(game)
    shape = tuple(len(a) for a in _actions(game))
    nash = np.ones(len(ap), dtype=bool)
    for i in range(game.num_users):
        if game.theta[i] == 0:
            continue
        own = payoff[:, i].reshape(shape)
        best = own.min(axis=i, keepdims=True)
        nash &= (own <= best + ATOL_S).reshape(-1)
    return ap, server, nash


def _batched(game: GameInstance, count: int) -> GameInstance:
    def rep(a: np.ndarray) -> np.ndarray:
        return np.broadcast_to(a, (count, *a.shape))

    return GameInstance(
        rep(game.theta), rep(game.tx_time_s), rep(game.compute_time_s), rep(game.steps)
    )


def test_is_nash_equals_brute_force(tiny_games: list[GameInstance]) -> None:
    total_equilibria = 0
    for game in tiny_games:
        ap, server, nash = _brute_force_nash(game)
        library = metrics.is_nash(_batched(game, len(ap)), Profile(ap, server))
        assert np.array_equal(library, nash)
        total_equilibria += int(nash.sum())
        assert nash.any(), "a pure equilibrium always exists (Lemma 1)"
    assert total_equilibria > len(tiny_games)


def test_enumerated_equilibria_equal_brute_force(tiny_games: list[GameInstance]) -> None:
    for game in tiny_games:
        ap, server, nash = _brute_force_nash(game)
        # non-players are pinned to AP 0 and their first feasible server by the enumeration
        pinned = np.ones(len(ap), dtype=bool)
        for i in np.flatnonzero(game.theta == 0):
            pinned &= (ap[:, i] == 0) & (server[:, i] == np.argmax(game.feasible[i]))
        keep = nash & pinned
        expected = {(tuple(a), tuple(s)) for a, s in zip(ap[keep], server[keep], strict=True)}
        found = {(tuple(p.ap.tolist()), tuple(p.server.tolist())) for p in pure_equilibria(game)}
        assert found == expected


def test_nash_gap_is_the_largest_unilateral_gain(tiny_games: list[GameInstance]) -> None:
    for game in tiny_games[:15]:
        ap, server, payoff = _payoff_table(game)
        shape = tuple(len(a) for a in _actions(game))
        gaps = np.zeros(len(ap))
        for i in np.flatnonzero(game.theta > 0):
            own = payoff[:, i].reshape(shape)
            gaps = np.maximum(gaps, (own - own.min(axis=i, keepdims=True)).reshape(-1))
        library = metrics.nash_gap(_batched(game, len(ap)), Profile(ap, server))
        np.testing.assert_allclose(library, gaps, atol=1e-12)


@pytest.mark.parametrize("start", ["random", "greedy"])
def test_best_response_ends_at_equilibrium(tiny_games: list[GameInstance], start: str) -> None:
    for index, game in enumerate(tiny_games):
        ap, server, nash = _brute_force_nash(game)
        equilibria = {(tuple(a), tuple(s)) for a, s in zip(ap[nash], server[nash], strict=True)}
        result = solve(game, "br", seed=index, params={"start": start})
        assert result.evaluation.is_nash
        players = game.theta > 0
        key = (tuple(result.profile.ap.tolist()), tuple(result.profile.server.tolist()))
        # a non-player's choice is irrelevant: match the equilibria on the players only
        assert any(
            np.array_equal(np.array(a)[players], np.array(key[0])[players])
            and np.array_equal(np.array(s)[players], np.array(key[1])[players])
            for a, s in equilibria
        )


def _direct_evaluation(
    game: GameInstance, ap: np.ndarray, server: np.ndarray, steps: np.ndarray
) -> dict[str, np.ndarray | float]:
    """(8)–(15), (24) by enumerating every activity vector a in {0, 1}^N."""
    n = game.num_users
    users = np.arange(n)
    theta = game.theta
    own_compute = game.compute_time_s[users, server] / game.steps[users, server] * steps
    cost = np.zeros(n)
    conditional = np.zeros(n)
    total = 0.0
    for a in itertools.product([0, 1], repeat=n):
        a = np.array(a)
        prob = np.prod(np.where(a == 1, theta, 1 - theta))
        ap_load = np.zeros(game.num_aps)
        server_load = np.zeros(game.num_servers)
        for j in range(n):
            if a[j]:
                ap_load[ap[j]] += game.tx_time_s[j, ap[j]]  # (8)
                server_load[server[j]] += own_compute[j]  # (11)
        u = ap_load[ap] + server_load[server]  # (9) + (12) = (13)
        cost += prob * u  # (24): E_a of the chosen loads
        total += prob * float((a * u).sum())  # (15)
        for i in range(n):  # E[U_i | a_i = 1]: P(a_-i) with a_i forced on
            if a[i]:
                others = np.prod(np.where(a == 1, theta, 1 - theta)[users != i])
                conditional[i] += others * u[i]
    return {"cost": cost, "conditional": conditional, "total": total}


def test_evaluate_agrees_with_definitions(tiny_games: list[GameInstance]) -> None:
    rng = np.random.default_rng(5)
    extra_seen = 0
    for game in tiny_games:
        n = game.num_users
        ap = rng.integers(0, game.num_aps, n)
        server = np.array([rng.choice(np.flatnonzero(row)) for row in game.feasible])
        need = game.steps[np.arange(n), server]
        extra = np.where(rng.random(n) < 0.5, rng.integers(1, 20, n), 0)
        extra_seen += int(extra.sum() > 0)
        steps = need + extra
        assignment = AssignmentModel(ap=ap.tolist(), server=server.tolist(), steps=steps.tolist())
        result = evaluate_assignment(game, assignment)
        direct = _direct_evaluation(game, ap, server, steps)
        ev = result.evaluation
        assert result.algorithm == "given"
        assert np.array_equal(ev.steps, steps)
        np.testing.assert_allclose(ev.expected_cost_s, direct["cost"], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(
            ev.expected_service_time_s, direct["conditional"], rtol=1e-12, atol=1e-12
        )
        assert ev.expected_total_service_time_s == pytest.approx(direct["total"], rel=1e-12)
    assert extra_seen > 10


def test_expected_total_equals_enumeration(tiny_games: list[GameInstance]) -> None:
    rng = np.random.default_rng(6)
    for game in tiny_games:
        n = game.num_users
        ap = rng.integers(0, game.num_aps, n)
        server = np.array([rng.choice(np.flatnonzero(row)) for row in game.feasible])
        direct = _direct_evaluation(game, ap, server, game.steps[np.arange(n), server])
        library = metrics.expected_total_service_time(game, Profile(ap, server))
        assert float(library) == pytest.approx(direct["total"], rel=1e-12)
