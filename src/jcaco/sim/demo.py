"""``make demo`` before the reproduction exists: the paper's network, every algorithm."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from jcaco.learners.registry import LEARNERS
from jcaco.model.build import build_instance, check_feasible
from jcaco.rng import stream
from jcaco.scenario.generator import PRESETS, generate_network
from jcaco.sim.solve import solve


def run_demo(seed: int = 0) -> None:
    """Generate the ``paper`` preset network and solve it with every registered algorithm."""
    net, _ = check_feasible(generate_network(PRESETS["paper"], stream(seed, "scenario")))
    game = build_instance(net)
    table = Table(
        title=f"jcaco demo: paper preset (N={net.num_users}, M={net.num_aps}, "
        f"K={net.num_servers}), seed {seed}"
    )
    for col in (
        "algorithm",
        "E total service time (15) s",
        "Nash gap s",
        "is Nash",
        "iterations",
        "wall s",
    ):
        table.add_column(col, justify="right")
    for name in LEARNERS:
        r = solve(game, name, seed=seed)
        ev = r.evaluation
        table.add_row(
            name,
            f"{ev.expected_total_service_time_s:.2f}",
            f"{ev.nash_gap_s:.3g}",
            str(ev.is_nash),
            str(r.iterations),
            f"{r.wall_time_s:.3f}",
        )
    Console().print(table)
