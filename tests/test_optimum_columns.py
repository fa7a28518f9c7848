"""The column model of the optimum (game/optimum/partition_columns.py,
game/optimum/column_pricing.py)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from jcaco.game.optimum.column_pricing import cheapest_sets, greedy_sets
from jcaco.game.optimum.count_model import subgame_cost
from jcaco.game.optimum.partition_columns import set_cost


def all_sets(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> list[tuple[float, tuple[int, ...]]]:
    """f(S) = a(S) + b(S) c(S) of every nonempty set of usable items, by brute force."""
    usable = np.flatnonzero(np.isfinite(a))
    out = []
    for k in range(1, len(usable) + 1):
        for s in itertools.combinations(usable.tolist(), k):
            idx = list(s)
            out.append((float(a[idx].sum() + b[idx].sum() * c[idx].sum()), s))
    return out


def random_pricing(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """1-9 items, a of both signs (some unusable), b in [0.5, 0.9], c spread over a decade."""
    n = int(rng.integers(1, 10))
    a = rng.normal(0.0, 1.0, n)
    a[rng.random(n) < 0.2] = np.inf
    return a, rng.uniform(0.5, 0.9, n), np.exp(rng.uniform(np.log(0.1), np.log(2.0), n))


def test_cheapest_sets_finds_the_brute_force_minimum() -> None:
    """mode="min": the minimum below the cut <= 0 (or the cut itself) and its set, exactly."""
    rng = np.random.default_rng(21)
    for _ in range(200):
        a, b, c = random_pricing(rng)
        sets = all_sets(a, b, c)
        cut = float(rng.uniform(-1.0, 0.0))
        got = cheapest_sets(a, b, c, cut, keep=2)
        low = min([v for v, _ in sets], default=np.inf)
        assert got.finished
        assert got.minimum == pytest.approx(min(low, cut), abs=1e-12)
        if low < cut:
            assert got.values[0] == pytest.approx(low, abs=1e-12)
            members = np.flatnonzero(got.members[0])
            assert a[members].sum() + b[members].sum() * c[members].sum() == pytest.approx(low)


def test_cheapest_sets_enumerates_every_set_below_the_cut() -> None:
    """mode="all": exactly the brute-force sets with f < cut, none missing, none extra."""
    rng = np.random.default_rng(22)
    for _ in range(200):
        a, b, c = random_pricing(rng)
        cut = float(rng.uniform(-1.5, 1.0))
        want = sorted(s for v, s in all_sets(a, b, c) if v < cut)
        got = cheapest_sets(a, b, c, cut, mode="all")
        assert sorted(tuple(np.flatnonzero(m).tolist()) for m in got.members) == want
        assert (np.diff(got.values) >= 0).all()


def test_greedy_sets_are_below_the_cut_and_priced_right() -> None:
    rng = np.random.default_rng(23)
    for _ in range(100):
        a, b, c = random_pricing(rng)
        members, values = greedy_sets(a, b, c, 0.0, 3)
        assert len(values) <= 3 and (values < 0).all()
        for m, v in zip(members, values, strict=True):
            assert np.isfinite(a[m]).all()
            assert a[m].sum() + b[m].sum() * c[m].sum() == pytest.approx(v)


def test_set_cost_is_the_subgame_cost_of_one_resource() -> None:
    rng = np.random.default_rng(24)
    time_s = rng.uniform(0.1, 3.0, (6, 1))
    theta = rng.uniform(0.5, 0.9, 6)
    member = rng.random((20, 6)) < 0.5
    for m, cost in zip(member, set_cost(theta * time_s[:, 0], theta, member), strict=True):
        on = np.flatnonzero(m)
        choice = np.zeros(len(on), dtype=np.int64)
        assert cost == pytest.approx(float(subgame_cost(time_s[on], theta[on], choice)))
