"""Shared fixtures: seeded tiny random games and an in-process CLI runner."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest

from jcaco.model.instance import GameInstance


def tiny_game(rng: np.random.Generator) -> GameInstance:
    """A random single game: 2–4 users, 2–3 APs and servers, θ in {0, 1} ∪ (0, 1) (quantised
    to 0.01), about a quarter of the servers infeasible (every user keeps one)."""
    n = int(rng.integers(2, 5))
    m = int(rng.integers(2, 4))
    k = int(rng.integers(2, 4))
    kind = rng.integers(0, 4, n)  # 0: θ = 0, 1: θ = 1, else θ in (0, 1)
    activity = np.where(kind == 0, 0.0, np.where(kind == 1, 1.0, rng.integers(1, 100, n) / 100))
    steps = rng.integers(5, 60, (n, k))
    per_step_s = rng.uniform(0.01, 0.1, k)
    infeasible = rng.random((n, k)) < 0.25
    infeasible[np.arange(n), rng.integers(0, k, n)] = False
    return GameInstance(
        theta=activity,
        tx_time_s=rng.uniform(0.1, 3.0, (n, m)),
        compute_time_s=np.where(infeasible, np.inf, steps * per_step_s),
        steps=np.where(infeasible, 0, steps).astype(np.int64),
    )


@pytest.fixture(scope="session")
def tiny_games() -> list[GameInstance]:
    """Forty seeded tiny games (the same every run)."""
    rng = np.random.default_rng(20260530)
    return [tiny_game(rng) for _ in range(40)]


@dataclass
class CliResult:
    """Exit status and captured streams of one in-process ``jcaco`` call."""

    code: int
    out: str
    err: str


@pytest.fixture
def jcaco(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run ``jcaco ARGS...`` in-process and return its exit status, stdout and stderr."""
    from jcaco.cli import main

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
