"""Marginal-cost pricing (game/pricing.py): the priced game's exact potential is the social cost.

Brute force on random tiny subgames, both objectives (θ in (0, 1] and θ in {0, 1}), with
infeasible pairs and non-players: every unilateral move changes the mover's priced cost by
exactly the change of the social cost (14)/(15); the priced game's pure equilibria are exactly
the profiles no single move improves the social cost (its local optima), and the optimum is
one of them. The payoff-based price a learner computes from its feedback equals the
full-information one, and ``br`` with ``price=True`` ends at such a local optimum.
"""

from __future__ import annotations

import numpy as np
import pytest

from jcaco import kernels
from jcaco.game import pricing, resource
from jcaco.game.equilibria import enumerate_profiles
from jcaco.game.optimum.count_model import subgame_cost
from jcaco.game.profile import Profile
from jcaco.jobs.solve import solve
from jcaco.learners.bandit import CostBandit
from jcaco.learners.base import Feedback, measured_costs
from jcaco.learners.best_response import BestResponse
from jcaco.learners.checks import check_learner
from jcaco.learners.loglinear import LogLinear
from jcaco.learners.masl import MASL
from jcaco.model.instance import GameInstance
from test_optimum import random_subgame

#: Brute force over every profile and move: games of at most this many users.
MAX_USERS = 5


def moves(time_s: np.ndarray, choice: np.ndarray):  # type: ignore[no-untyped-def]
    """Every unilateral move (user, resource) to a feasible other resource."""
    for i in range(time_s.shape[0]):
        for r in np.flatnonzero(np.isfinite(time_s[i])):
            if r != choice[i]:
                yield i, int(r)


@pytest.mark.parametrize("kind", ["stochastic", "complete"])
def test_priced_potential_is_the_social_cost(kind: str) -> None:
    """Δ priced cost of the mover == Δ social cost, on every move of every profile."""
    rng = np.random.default_rng(21 if kind == "stochastic" else 22)
    checked = 0
    for _ in range(60):
        time_s, theta = random_subgame(rng, kind)
        if time_s.shape[0] > MAX_USERS:
            continue
        w = resource.player_weights(time_s, theta)
        for choice in enumerate_profiles(np.isfinite(time_s)):
            cost = pricing.priced_deviation_costs(w, theta, choice)
            before = float(subgame_cost(time_s, theta, choice))
            for i, r in moves(time_s, choice):
                after_choice = choice.copy()
                after_choice[i] = r
                change = float(subgame_cost(time_s, theta, after_choice)) - before
                priced = cost[i, r] - cost[i, choice[i]]
                assert priced == pytest.approx(change, abs=1e-9), (time_s, theta, choice, i, r)
                checked += 1
    assert checked > 500


@pytest.mark.parametrize("kind", ["stochastic", "complete"])
def test_priced_equilibria_are_the_local_optima(kind: str) -> None:
    """Brute force: priced equilibrium ⇔ no single move lowers the social cost; the optimum
    is a priced equilibrium."""
    rng = np.random.default_rng(31 if kind == "stochastic" else 32)
    for _ in range(60):
        time_s, theta = random_subgame(rng, kind)
        if time_s.shape[0] > MAX_USERS:
            continue
        w = resource.player_weights(time_s, theta)
        profiles = enumerate_profiles(np.isfinite(time_s))
        social = [float(subgame_cost(time_s, theta, p)) for p in profiles]
        index = {tuple(p): k for k, p in enumerate(profiles)}
        equilibria = []
        for k, choice in enumerate(profiles):
            _, gain = pricing.priced_best_responses(w, theta, choice)
            is_equilibrium = not np.any(gain > 0)
            neighbours = []
            for i, r in moves(time_s, choice):
                other = choice.copy()
                other[i] = r
                if theta[i] > 0:  # a non-player's move changes nothing
                    neighbours.append(social[index[tuple(other)]])
            local_optimum = all(v >= social[k] - resource.DEFAULT_ATOL_S for v in neighbours)
            assert is_equilibrium == local_optimum, (time_s, theta, choice)
            if is_equilibrium:
                equilibria.append(social[k])
        assert min(equilibria) == pytest.approx(min(social), abs=1e-12)


def test_broadcast_counts_count_the_users_of_each_resource() -> None:
    rng = np.random.default_rng(5)
    theta = rng.uniform(0.1, 1.0, (3, 7))  # [seeds, users]
    active = (rng.random((3, 7)) < 0.6).astype(float)
    profile = Profile(rng.integers(0, 2, (3, 7)), rng.integers(0, 4, (3, 7)))
    counts = pricing.broadcast_counts(theta, active, profile, 2, 4)
    for s in range(3):
        for i in range(7):
            on_ap = profile.ap[s] == profile.ap[s, i]
            on_server = profile.server[s] == profile.server[s, i]
            assert counts["ap_users_expected"][s, i] == pytest.approx(theta[s, on_ap].sum())
            assert counts["ap_users_measured"][s, i] == active[s, on_ap].sum()
            assert counts["server_users_expected"][s, i] == pytest.approx(theta[s, on_server].sum())
            assert counts["server_users_measured"][s, i] == active[s, on_server].sum()


@pytest.mark.skipif(kernels.load("jcaco.game._pricing_numba") is None, reason="no numba")
@pytest.mark.parametrize("case", range(12))
def test_broadcast_counts_compiled_equals_numpy(case: int) -> None:
    """The compiled counts are numpy's bincount sums, to the bit (θ of many digits, so the
    order of the additions shows); a choice out of range falls back to the numpy form."""
    rng = np.random.default_rng(case)
    seeds, users, m, k = int(rng.integers(1, 5)), int(rng.integers(1, 40)), 3, 5
    theta = rng.uniform(0.0, 1.0, (seeds, users)) * (rng.random((seeds, users)) < 0.8)
    active = rng.random((seeds, users)) < 0.6  # bool, as the slot loop passes floats of it
    profile = Profile(rng.integers(0, m, (seeds, users)), rng.integers(0, k, (seeds, users)))
    if case == 11:  # out of range: no kernel result is trusted
        profile.server[0, 0] = k
    runs = []
    for engine in ("numpy", "numba"):
        with kernels.use(engine):
            runs.append(pricing.broadcast_counts(theta, active.astype(float), profile, m, k))
    assert runs[0].keys() == runs[1].keys() == set(pricing.BROADCAST_FIELDS)
    for field in pricing.BROADCAST_FIELDS:
        assert runs[0][field].dtype == runs[1][field].dtype
        assert np.array_equal(runs[0][field], runs[1][field]), field


def test_payoff_based_price_equals_the_full_information_price() -> None:
    """What a user computes from its delay, its own time and the broadcast count is the
    priced cost at its choice, for the expected (θ) and the realised (a) game."""
    rng = np.random.default_rng(9)
    s, n, m, k = 2, 6, 3, 2
    theta = rng.integers(1, 101, (s, n)) / 100
    active = rng.random((s, n)) < 0.6
    tx = rng.uniform(0.1, 3.0, (s, n, m))
    compute = rng.uniform(0.1, 3.0, (s, n, k))
    profile = Profile(rng.integers(0, m, (s, n)), rng.integers(0, k, (s, n)))
    delays = []
    for weight in (theta, active.astype(float)):
        for times, choice in ((tx, profile.ap), (compute, profile.server)):
            load = resource.chosen_loads(times, weight, choice)
            delays.append(np.take_along_axis(load, choice, axis=-1))
    counts = pricing.broadcast_counts(theta, active.astype(float), profile, m, k)
    feedback = Feedback(active, delays[0], delays[1], delays[2], delays[3], **counts)
    for signal, weight in (("expected", theta), ("measured", active.astype(float))):
        ap, server = measured_costs(
            feedback, profile, signal, price=True, theta=theta, own_times=(tx, compute)
        )
        for got, times, choice in ((ap, tx, profile.ap), (server, compute, profile.server)):
            full = pricing.priced_deviation_costs(
                resource.player_weights(times, weight), weight, choice
            )
            want = np.take_along_axis(full, choice[..., None], axis=-1)[..., 0]
            players = weight > 0
            np.testing.assert_allclose(got[players], want[players], rtol=1e-12)


def test_priced_best_response_ends_at_a_local_optimum() -> None:
    """``br`` with ``price=True`` on the static game: no single move lowers (15)."""
    rng = np.random.default_rng(3)
    for _ in range(5):
        n, m, k = 8, 3, 3
        theta = rng.integers(30, 101, n) / 100
        game = GameInstance(
            theta=theta,
            tx_time_s=rng.uniform(0.1, 3.0, (n, m)),
            compute_time_s=rng.uniform(0.1, 3.0, (n, k)),
            steps=np.full((n, k), 10),
        )
        result = solve(game, "br", params={"price": True, "activity": "own"}, iterations=500)
        assert result.converged
        for times, choice in (
            (game.tx_time_s, result.profile.ap),
            (game.compute_time_s, result.profile.server),
        ):
            base = float(subgame_cost(times, theta, choice))
            for i, r in moves(times, choice):
                other = choice.copy()
                other[i] = r
                assert float(subgame_cost(times, theta, other)) >= base - 1e-9


@pytest.mark.parametrize(
    "factory",
    [
        lambda: MASL(price=True),
        lambda: MASL(price=True, reward_signal="measured"),
        lambda: BestResponse(price=True),
        lambda: LogLinear(price=True),
        lambda: LogLinear(price=True, reward_signal="measured", proposal="own-time"),
        lambda: CostBandit(price=True),
        lambda: CostBandit(price=True, reward_signal="measured", trials="own-time"),
    ],
    ids=[
        "masl",
        "masl-measured",
        "br",
        "loglinear",
        "loglinear-measured-own-time",
        "bandit",
        "bandit-measured-own-time",
    ],
)
def test_priced_learners_conform(factory) -> None:  # type: ignore[no-untyped-def]
    check_learner(factory)
    assert factory().declares().at_least("others", "loads")
