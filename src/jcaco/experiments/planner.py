"""The central planner's reference line of Figs. 4–10 and the price-of-anarchy numbers.

Not a competitor: a central planner with complete information that, in a slot, knows who is
active (a(t), eq. (1)) and every standalone time T(t) under that slot's fading and positions,
and assigns everyone to minimise the slot's realised total service time Σ_active U_i (13).
That is problem (14) of the slot's realised game, solved exactly by
:func:`jcaco.game.optimum.social_optimum.solve_optimum` with the weights a(t) ∈ {0, 1}; its
objective is the
realised total of the optimal profile, scored exactly as the algorithms are.

Sampling. The dynamics (activity, fading, mobility) never read the learners' actions, so the
slots the algorithms saw are replayed with :class:`jcaco.sim.environment.DynamicEnvironment`
for the same seeds and networks (common random numbers) without running any learner, and the
optimum is solved only at ``sampled_slots`` slots per seed, evenly spaced in the measurement
window (the last W slots; slot ``T - W + floor((j + 1/2) W / K)``, j = 0..K-1). A seed's value
is the mean over its sampled slots; it estimates the same expectation as the algorithms'
W-slot tail mean, with more variance. Only the first runs of a point run the planner
(``max_seeds`` of its series, :data:`jcaco.experiments.paper.PLANNER_SEEDS`; cost,
docs/reproduction.md).

Expected game. For the first ``expected_seeds`` runs of a point (run index <
``expected_seeds``) the row also carries the optimum of (15) and the best and worst pure
equilibria (:func:`jcaco.game.optimum.equilibrium_bounds.equilibrium_bounds`) of that seed's
expected
game at the mean fading and the initial positions, with their proven bounds, so that PoS and
PoA can be shown as bounds where a solver stopped at its limit. Every limit is a node limit
(``slot_node_limit``, ``expected_node_limit`` for the optimum, ``equilibria_node_limit`` for
the equilibria; 0 there: the equilibria found by best response, with the count bound), never
wall time, so the numbers are the same on any machine and under any load.

Row columns reused (the store has one row shape): ``total_service_time_s`` is the mean planner
total over the sampled slots; ``converged`` is True when every sampled slot was proven optimal;
``num_active`` the mean number of active users at the sampled slots; ``nash_gap_s``,
``max_load_s`` and ``switches`` are null (not applicable); the rest is in the ``details`` JSON.

Reproducibility. The planner line is identical whatever the runner: the replay is exact and
each slot's optimum is proven (``converged``). The expected-game numbers that a solver did
*not* prove (a MILP stopped at its node limit) are reproducible too, and are shown as bounds in
the report.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jcaco.experiments.paper import PLANNER_ALGORITHM
from jcaco.experiments.references import PairedRatio, group_of, paired_ratios
from jcaco.experiments.summary import PointStat
from jcaco.experiments.tasks import Task, row_identity
from jcaco.game.optimum.equilibrium_bounds import equilibrium_bounds
from jcaco.game.optimum.social_optimum import DEFAULT_NODE_LIMIT, Optimum, solve_optimum
from jcaco.model.build import build_instance
from jcaco.scenario.network import Network
from jcaco.sim.environment import DynamicEnvironment

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "PLANNER_ALGORITHM",
    "PoaPoint",
    "Ratio",
    "expected_game",
    "planner_rows",
    "price_of_anarchy",
    "reference_row",
    "replay_optima",
    "sample_slots",
    "sampling_note",
]


def sample_slots(slots: int, window: int, count: int) -> tuple[int, ...]:
    """``count`` slot indices evenly spaced in the last ``window`` of ``slots`` (distinct)."""
    window = max(1, min(window, slots))
    count = max(1, min(count, window))
    return tuple(slots - window + (2 * j + 1) * window // (2 * count) for j in range(count))


def replay_optima(
    networks: Sequence[Network],
    seeds: Sequence[int],
    sampled: Sequence[int],
    *,
    node_limit: int = DEFAULT_NODE_LIMIT,
) -> list[list[tuple[Optimum, np.ndarray]]]:
    """The exact optimum of (14) at each sampled slot of each seed, on the replayed dynamics.

    Returns ``out[k][s]`` = (optimum, active ``[users]``) for sampled slot ``sampled[k]`` and
    seed ``s``; the dynamics are :class:`DynamicEnvironment`'s defaults, as in
    :func:`jcaco.sim.simulate.simulate`.
    """
    env = DynamicEnvironment(networks, seeds, reuse_buffers=True)  # each slot used at once
    wanted = set(sampled)
    out: list[list[tuple[Optimum, np.ndarray]]] = []
    for t in range(max(sampled) + 1):
        if t not in wanted:
            env.advance(t)  # the dynamics only: no game is built for a slot not solved
            continue
        slot = env.slot(t)
        out.append(
            [
                (
                    solve_optimum(
                        slot.game[s],
                        weight=slot.weight[s],
                        node_limit=node_limit,
                        time_limit_s=None,
                    ),
                    np.asarray(slot.active[s], dtype=bool),  # [users]
                )
                for s in range(len(seeds))
            ]
        )
    return out


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def expected_game(
    network: Network, node_limit: int = DEFAULT_NODE_LIMIT, equilibria_node_limit: int = 0
) -> dict[str, Any]:
    """Optimum of (15) and best/worst pure equilibria of a network's expected game (mean
    fading, initial positions), with proven bounds [s] (``None``: no finite bound); node limits
    per subgame MILP (deterministic)."""
    instance = build_instance(network)
    opt = solve_optimum(instance, node_limit=node_limit, time_limit_s=None)
    eq = equilibrium_bounds(instance, node_limit=equilibria_node_limit, time_limit_s=None)
    return {
        "optimum_s": opt.objective_s,
        "optimum_lower_bound_s": opt.lower_bound_s,
        "optimum_proven": bool(opt.proven),
        "best_s": eq.best_s,
        # every equilibrium costs at least the optimum: its proven bound bounds the best one
        "best_lower_bound_s": _finite(max(eq.best_bound_s, opt.lower_bound_s)),
        "worst_s": eq.worst_s,
        "worst_upper_bound_s": _finite(eq.worst_bound_s),
        "equilibria_proven": bool(eq.proven),
        "node_limit": node_limit,
        "equilibria_node_limit": equilibria_node_limit,
    }


def planner_rows(
    task: Task, networks: Sequence[Network], simulator: Callable[..., Any] | None = None
) -> list[dict[str, Any]]:
    """The ``planner`` runner (:class:`jcaco.experiments.sweep.SeriesRunner`): the planner's
    rows of one task, one per run. It simulates no learner, so ``simulator`` is not used."""

    params = task.series.params
    window = min(task.window, task.slots)
    sampled = sample_slots(task.slots, window, int(params["sampled_slots"]))
    solved = replay_optima(networks, task.seeds, sampled, node_limit=int(params["slot_node_limit"]))
    rows = []
    for j in range(len(task.seeds)):
        optima = [per_slot[j] for per_slot in solved]
        totals = [o.objective_s for o, _ in optima]
        expected = None
        if task.runs[j] < int(params["expected_seeds"]):
            expected = expected_game(
                networks[j],
                int(params["expected_node_limit"]),
                int(params["equilibria_node_limit"]),
            )
        proven = [bool(o.proven) for o, _ in optima]
        details = {
            "sampled_slots": list(sampled),
            "slot_totals_s": totals,
            "slot_lower_bounds_s": [o.lower_bound_s for o, _ in optima],
            "slot_proven": proven,
            "expected": expected,
        }
        rows.append(
            reference_row(
                row_identity(task, j, networks[j].num_users, window),
                float(np.mean(totals)),
                float(np.mean([a.sum() for _, a in optima])),
                all(proven),
                details,
            )
        )
    return rows


def reference_row(
    identity: dict[str, Any],
    total_s: float,
    num_active: float,
    proven: bool,
    details: Mapping[str, Any],
) -> dict[str, Any]:
    """A planner's row: its mean total over the sampled slots, the learners' columns that do
    not apply left empty, and the rest in ``details`` (module docstring)."""
    return {
        **identity,
        "total_service_time_s": total_s,
        "nash_gap_s": None,
        "max_load_s": None,
        "switches": None,
        "num_active": num_active,
        "converged": proven,
        "converged_slot": -1,
        "curve_bin_slots": 0,
        "curve_total_service_time_s": None,
        "curve_user_service_time_s": None,
        "details": json.dumps(details, sort_keys=True),
    }


@dataclass(frozen=True)
class Ratio:
    """A ratio known up to solver bounds: exact when ``low == high``.

    Attributes
    ----------
    low, high : float
        Proven lower and upper bound (``high`` may be ``inf``).
    """

    low: float
    high: float

    @property
    def exact(self) -> bool:
        """Both bounds agree (every solver involved proved its result)."""
        return math.isclose(self.low, self.high, rel_tol=1e-9)

    def text(self) -> str:
        """``1.47``, or ``≥ 1.47 (≤ 1.62)`` / ``≥ 1.47`` when only bounded."""
        if not math.isfinite(self.low):
            return "n/a"
        if self.exact:
            return f"{self.low:.3f}"
        upper = f" (≤ {self.high:.3f})" if math.isfinite(self.high) else ""
        return f"≥ {self.low:.3f}{upper}"


@dataclass(frozen=True)
class PoaPoint:
    """The price-of-anarchy table's row for one figure point.

    Attributes
    ----------
    experiment : str
    point : int
    x : float
        The swept value (SI).
    to_planner : dict of str to PairedRatio
        Each algorithm's realised total over the planner's at the same sampled slots of the
        same seeds, with its bootstrap interval (:mod:`jcaco.experiments.references`; a lower
        bound where some sampled slot was not proven optimal).
    planner_proven : float
        Share of the planner's seeds whose sampled slots were all proven optimal.
    expected_seeds : int
        Seeds whose expected game was analysed.
    stability, anarchy : Ratio
        Mean over those seeds of PoS = best equilibrium / optimum and PoA = worst equilibrium
        / optimum of (15), each bounded by the solvers' proven bounds.
    """

    experiment: str
    point: int
    x: float
    to_planner: dict[str, PairedRatio]
    planner_proven: float
    expected_seeds: int
    stability: Ratio
    anarchy: Ratio


def _bounds(expected: Mapping[str, Any]) -> tuple[Ratio, Ratio]:
    """PoS and PoA of one expected game from its values and proven bounds."""
    opt_hi = float(expected["optimum_s"])
    opt_lo = float(expected["optimum_lower_bound_s"])
    best_lo = expected["best_lower_bound_s"]
    worst_hi = expected["worst_upper_bound_s"]

    def div(a: float, b: float) -> float:
        return a / b if b > 0 else math.inf

    best_lo = float(expected["best_s"]) if best_lo is None else float(best_lo)
    stability = Ratio(max(1.0, div(best_lo, opt_hi)), div(float(expected["best_s"]), opt_lo))
    anarchy = Ratio(
        max(1.0, div(float(expected["worst_s"]), opt_hi)),
        math.inf if worst_hi is None else div(float(worst_hi), opt_lo),
    )
    return stability, anarchy


def _mean_ratio(ratios: list[Ratio]) -> Ratio:
    """Mean of the bounds (NaN with no ratio)."""
    if not ratios:
        return Ratio(math.nan, math.nan)
    return Ratio(float(np.mean([r.low for r in ratios])), float(np.mean([r.high for r in ratios])))


def price_of_anarchy(
    stats: Sequence[PointStat], table: pa.Table, algorithms: Sequence[str]
) -> list[PoaPoint]:
    """Per figure point with a planner line: the table of ratios (from the store only)."""
    rows = table.filter(pc.equal(table.column("learner"), PLANNER_ALGORITHM)).to_pylist()
    expected: dict[tuple[str, int], list[tuple[Ratio, Ratio]]] = defaultdict(list)
    for row in rows:
        doc = json.loads(row["details"] or "{}").get("expected")
        if doc:
            expected[row["experiment"], row["point"]].append(_bounds(doc))
    planner = {(s.experiment, s.point): s for s in stats if s.algorithm == PLANNER_ALGORITHM}
    paired = paired_ratios(table, PLANNER_ALGORITHM)
    out = []
    for (exp, point), ref in planner.items():
        to_planner = {
            alg: ratio
            for (e, p, alg), ratio in paired.items()
            if e == group_of(exp) and p == point and alg in algorithms
        }
        pairs = expected.get((exp, point), [])
        out.append(
            PoaPoint(
                exp, point, ref.x, to_planner, ref.converged_share, len(pairs),
                _mean_ratio([p[0] for p in pairs]), _mean_ratio([p[1] for p in pairs]),
            )
        )  # fmt: skip
    return out


def sampling_note(table: pa.Table, learner: str = PLANNER_ALGORITHM) -> str:
    """How the planner line (``learner``: the full-information planner, or the
    same-information one) was sampled, from the stored rows (for captions)."""
    rows = table.filter(pc.equal(table.column("learner"), learner)).to_pylist()
    if not rows:
        return ""
    details = [json.loads(r["details"] or "{}") for r in rows]
    per_seed = sorted({len(d.get("sampled_slots", [])) for d in details})
    runs: dict[tuple[str, int], int] = defaultdict(int)
    for r in rows:
        runs[r["experiment"], r["point"]] += 1
    seeds = sorted(set(runs.values()))
    proven = sum(sum(d.get("slot_proven", [])) for d in details)
    solves = sum(len(d.get("slot_proven", [])) for d in details)
    windows = sorted({int(r["window"]) for r in rows})
    return (
        f"the first {'/'.join(map(str, seeds))} seed(s) of each point, "
        f"{'/'.join(map(str, per_seed))} slot(s) per seed, evenly spaced in the last "
        f"{'/'.join(map(str, windows))} slots (the measurement window), the same slots the "
        f"algorithms saw; {proven} of {solves} slot optima proven"
    )
