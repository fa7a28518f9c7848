"""How good is each algorithm's outcome? The library side of ``jcaco analyze``.

On one static instance: the exact social optimum of objective (15) (with its proven lower
bound and gap, :mod:`jcaco.game.optimum.social_optimum`), the best and the worst pure equilibria
(:mod:`jcaco.game.optimum.equilibrium_bounds`), what every registered algorithm reaches through
:func:`jcaco.jobs.solve.solve`, and the ratios: algorithm / optimum, price of stability
(best equilibrium / optimum) and price of anarchy (worst equilibrium / optimum).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from jcaco.game.metrics import Evaluation
from jcaco.game.optimum.equilibrium_bounds import EquilibriumBounds, equilibrium_bounds
from jcaco.game.optimum.social_optimum import DEFAULT_NODE_LIMIT, Optimum, solve_optimum
from jcaco.game.profile import Profile
from jcaco.io.files import provenance
from jcaco.jobs.solve import DEFAULT_ITERATIONS, solve
from jcaco.learners.registry import LEARNERS, PRICED, runnable
from jcaco.model.instance import GameInstance

#: Default wall-clock limit per subgame problem in an analysis: none. The optimum and the
#: equilibria stop on their node limits (deterministic: the same instance gives the same
#: answer on any machine, under any load); a time limit is opt-in (``--time-limit``).
DEFAULT_ANALYZE_TIME_LIMIT_S: float | None = None

#: How a reported number relates to the true one: ``"="`` proven; ``">="`` the true value is
#: at least this (a bound stopped at a limit); ``"<="`` at most this; ``"not proven"`` no
#: direction is known.
Relation = str


def _relation(proven: bool, direction: str) -> Relation:
    return "=" if proven else direction


@dataclass(frozen=True)
class AlgorithmOutcome:
    """What one algorithm reached on the instance.

    Attributes
    ----------
    name : str
    total_s : float
        Expected total service time (15) of its recommended profile [s].
    ratio : float
        ``total_s`` over the optimum's objective (>= 1 up to the optimum's gap).
    is_nash : bool
    nash_gap_s : float
    iterations : int
    converged : bool
    wall_time_s : float
    """

    name: str
    total_s: float
    ratio: float
    is_nash: bool
    nash_gap_s: float
    iterations: int
    converged: bool
    wall_time_s: float


@dataclass(frozen=True)
class Analysis:
    """Optimum, equilibrium bounds and every algorithm's outcome on one instance."""

    optimum: Optimum
    bounds: EquilibriumBounds
    algorithms: list[AlgorithmOutcome]
    optimum_wall_time_s: float
    bounds_wall_time_s: float
    seed: int
    num_users: int
    num_aps: int
    num_servers: int
    node_limit: int | None = DEFAULT_NODE_LIMIT
    time_limit_s: float | None = None

    @property
    def proven(self) -> bool:
        """Whether the optimum and both equilibria are proven (every ratio exact)."""
        return bool(self.optimum.proven and self.bounds.proven)

    def relations(self) -> dict[str, Relation]:
        """How each reported ratio relates to the true one (see :data:`Relation`).

        The optimum found is at least the true optimum and the worst equilibrium found at
        most the true worst, so an unproven ratio to the optimum and price of anarchy are
        lower bounds (``>=``); the best equilibrium found is at least the true best, so the
        price of stability is an upper bound when only the equilibria are unproven, a lower
        bound when only the optimum is, and without direction when both are.
        """
        opt, eq = self.optimum.proven, self.bounds.proven
        stability = {(True, True): "=", (True, False): "<=", (False, True): ">="}
        return {
            "ratio_to_optimum": _relation(opt, ">="),
            "price_of_anarchy": _relation(opt and eq, ">="),
            "price_of_stability": stability.get((opt, eq), "not proven"),
            "optimum": _relation(opt, "<="),
            "best_equilibrium": _relation(eq, "<="),
            "worst_equilibrium": _relation(eq, ">="),
        }

    @property
    def price_of_stability(self) -> float:
        """Best equilibrium over the optimum (objective (15))."""
        return _ratio(self.bounds.best_s, self.optimum.objective_s)

    @property
    def price_of_anarchy(self) -> float:
        """Worst equilibrium over the optimum (objective (15))."""
        return _ratio(self.bounds.worst_s, self.optimum.objective_s)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready document (``jcaco analyze --json``)."""
        opt, eq = self.optimum, self.bounds
        return {
            "schema": "jcaco.analysis/1",
            **provenance(revision=False),
            "seed": self.seed,
            "num_users": self.num_users,
            "num_aps": self.num_aps,
            "num_servers": self.num_servers,
            "proven": self.proven,
            "limits": {"node_limit": self.node_limit, "time_limit_s": self.time_limit_s},
            "relations": self.relations(),
            "optimum": {
                "objective_s": opt.objective_s,
                "lower_bound_s": opt.lower_bound_s,
                "gap": opt.gap,
                "proven": opt.proven,
                "ap": opt.profile.ap.tolist(),
                "server": opt.profile.server.tolist(),
                "wall_time_s": self.optimum_wall_time_s,
            },
            "equilibria": {
                "best_s": eq.best_s,
                "best_lower_bound_s": _finite(eq.best_bound_s),
                "worst_s": eq.worst_s,
                "worst_upper_bound_s": _finite(eq.worst_bound_s),
                "proven": eq.proven,
                "best": {"ap": eq.best.ap.tolist(), "server": eq.best.server.tolist()},
                "worst": {"ap": eq.worst.ap.tolist(), "server": eq.worst.server.tolist()},
                "price_of_stability": _finite(self.price_of_stability),
                "price_of_anarchy": _finite(self.price_of_anarchy),
                "wall_time_s": self.bounds_wall_time_s,
            },
            "algorithms": [
                {
                    "algorithm": a.name,
                    "expected_total_service_time_s": a.total_s,
                    "ratio_to_optimum": _finite(a.ratio),
                    "is_nash": a.is_nash,
                    "nash_gap_s": a.nash_gap_s,
                    "iterations": a.iterations,
                    "converged": a.converged,
                    "wall_time_s": a.wall_time_s,
                }
                for a in self.algorithms
            ],
        }


def _widen(bounds: EquilibriumBounds, profile: Profile, ev: Evaluation) -> EquilibriumBounds:
    """An algorithm that ends at an equilibrium outside [best, worst] (possible when a MILP
    stopped at its time limit) improves the reported best or worst equilibrium."""
    total = ev.expected_total_service_time_s
    if ev.is_nash and total > bounds.worst_s:
        bounds = replace(bounds, worst=profile, worst_s=total)
    if ev.is_nash and total < bounds.best_s:
        bounds = replace(bounds, best=profile, best_s=total)
    return bounds


def _finite(value: float) -> float | None:
    """JSON has no inf/nan: an unknown bound or an undefined ratio is written as null."""
    return float(value) if math.isfinite(value) else None


def _ratio(value: float, reference: float) -> float:
    return value / reference if reference > 0 else float("nan")


def analyze(
    instance: GameInstance,
    *,
    seed: int = 0,
    time_limit_s: float | None = DEFAULT_ANALYZE_TIME_LIMIT_S,
    iterations: int = DEFAULT_ITERATIONS,
    algorithms: Sequence[str] | None = None,
    node_limit: int | None = DEFAULT_NODE_LIMIT,
    progress: Callable[[str], None] | None = None,
) -> Analysis:
    """:func:`jcaco.api.analyze` on one :class:`GameInstance` (the parameters are documented
    there): the optimum, the equilibria, then each algorithm through :func:`solve`."""
    names = list(algorithms) if algorithms is not None else [*LEARNERS, *PRICED]
    for name in names:  # every name checked before the first solve
        runnable(PRICED.get(name, (name, None))[0])
    steps = len(names) + 2
    say = progress or (lambda line: None)
    say(f"[1/{steps}] social optimum (2 MILPs, node limit {node_limit})")
    start = time.perf_counter()
    optimum = solve_optimum(instance, time_limit_s=time_limit_s, node_limit=node_limit)
    optimum_wall = time.perf_counter() - start
    say(f"[2/{steps}] best and worst equilibria (4 MILPs, node limit {node_limit})")
    start = time.perf_counter()
    bounds = equilibrium_bounds(instance, time_limit_s=time_limit_s, node_limit=node_limit)
    bounds_wall = time.perf_counter() - start
    outcomes = []
    for index, name in enumerate(names):
        say(f"[{index + 3}/{steps}] {name} (at most {iterations} slots)")
        learner, params = PRICED.get(name, (name, None))  # optimum: its default node limit
        result = solve(instance, learner, seed=seed, iterations=iterations, params=params)
        ev = result.evaluation
        bounds = _widen(bounds, result.profile, ev)
        outcomes.append(
            AlgorithmOutcome(
                name=name,
                total_s=ev.expected_total_service_time_s,
                ratio=_ratio(ev.expected_total_service_time_s, optimum.objective_s),
                is_nash=ev.is_nash,
                nash_gap_s=ev.nash_gap_s,
                iterations=result.iterations,
                converged=result.converged,
                wall_time_s=result.wall_time_s,
            )
        )
    return Analysis(
        optimum=optimum,
        bounds=bounds,
        algorithms=outcomes,
        optimum_wall_time_s=optimum_wall,
        bounds_wall_time_s=bounds_wall,
        seed=seed,
        num_users=instance.num_users,
        num_aps=instance.num_aps,
        num_servers=instance.num_servers,
        node_limit=node_limit,
        time_limit_s=time_limit_s,
    )
