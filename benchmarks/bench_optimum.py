"""Time to a proven social optimum (``jcaco.game.optimum.social_optimum``).

For N users and M = K resources, 5 instances each drawn from the ``paper`` preset (Table III
ranges, θ ~ U[0.5, 0.9] quantised to 0.01, fading at its mean, users no server can serve
dropped), both subgames are solved exactly (count model for equal θ, column model for unequal
θ, HiGHS through :mod:`scipy.optimize`). Per instance the time is the sum over the two
subgames (heuristic, pruning, model building and HiGHS), wall and CPU of this process, after
one untimed warm-up solve (imports). Reported: median and worst of the instances, how many
were proven optimal within the per-subgame node limit (deterministic: the same instance stops
at the same node with the same profile and bound on any machine), the largest relative gap
left where not, and the most nodes used. ``--objective complete`` solves problem (14) with
every user active (θ = 1) instead of (15).

Targets: 30 users, 10 APs, 10 servers (both subgames) proven in ≤ 2 s; 50 users in ≤ 30 s.
``--time-limit`` adds a wall-clock safety per subgame to the count model (off by default: a
result cut by it depends on the machine's load).

Run ``python benchmarks/bench_optimum.py [--sizes 10,20,30,50,100] [--resources 2,5,10]``.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from _common import load_average, machine, markdown_table
from jcaco.game.optimum.social_optimum import DEFAULT_NODE_LIMIT, solve_subgame
from jcaco.model.build import build_instance, check_feasible
from jcaco.model.instance import GameInstance
from jcaco.rng import stream
from jcaco.scenario.generator import PRESETS, generate_network, with_overrides


def make_instance(num_users: int, num_resources: int, seed: int) -> GameInstance:
    """A ``paper``-preset instance with M = K = ``num_resources`` (infeasible users dropped)."""
    config = with_overrides(
        PRESETS["paper"],
        {"num_users": num_users, "num_aps": num_resources, "num_servers": num_resources},
    )
    net, _ = check_feasible(generate_network(config, stream(seed, "scenario")), True)
    return build_instance(net)


def solve_both(
    game: GameInstance, node_limit: int, limit_s: float | None, objective: str
) -> tuple[float, float, bool, float, int]:
    """Wall and CPU time of both subgames [s], whether both were proven, the larger relative
    gap, the larger node count."""
    weight = game.theta if objective == "expected" else np.ones(game.num_users)
    cpu = time.process_time()
    parts = [
        solve_subgame(times, weight, time_limit_s=limit_s, node_limit=node_limit)
        for times in (game.tx_time_s, game.compute_time_s)
    ]
    return (
        sum(p.wall_time_s for p in parts),
        time.process_time() - cpu,
        all(p.proven for p in parts),
        max(p.gap for p in parts),
        max(p.nodes for p in parts),
    )


def run(
    sizes: list[int],
    resources: list[int],
    instances: int,
    node_limit: int,
    limit_s: float | None,
    objective: str,
) -> str:
    """Measure every (N, M = K) cell; return the markdown report."""
    # warm-up, not timed: the first solve imports scipy.optimize and HiGHS (about 1 s CPU)
    solve_both(make_instance(10, 2, 0), node_limit, limit_s, objective)
    rows = []
    for n in sizes:
        for r in resources:
            times, cpus, proven, gaps, nodes = [], [], 0, [], []
            for seed in range(instances):
                game = make_instance(n, r, seed)
                wall, cpu, ok, gap, used = solve_both(game, node_limit, limit_s, objective)
                times.append(wall)
                cpus.append(cpu)
                proven += ok
                gaps.append(gap)
                nodes.append(used)
            rows.append(
                [
                    str(n),
                    str(r),
                    f"{statistics.median(times):.2f}",
                    f"{max(times):.2f}",
                    f"{statistics.median(cpus):.2f}",
                    f"{max(cpus):.2f}",
                    f"{proven}/{instances}",
                    f"{max(gaps):.1e}",
                    str(max(nodes)),
                ]
            )
            print(" | ".join(rows[-1]), flush=True)
    header = [
        "N", "M = K", "median s", "worst s", "median CPU s", "worst CPU s", "proven",
        "largest gap", "most nodes",
    ]  # fmt: skip
    what = "(15), θ ~ U[0.5, 0.9]" if objective == "expected" else "(14), all active"
    safety = "none" if limit_s is None else f"{limit_s:g} s"
    return "\n".join(
        [
            f"Objective: {what}; "
            f"HiGHS via scipy.optimize (count model; column model for unequal θ); "
            f"{instances} instances per cell; "
            f"node limit {node_limit} per subgame; wall-clock safety {safety}.",
            f"Machine: {machine()}; load average at the end {load_average()}.",
            "",
            markdown_table(header, rows),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,20,30,50,100")
    parser.add_argument("--resources", default="2,5,10")
    parser.add_argument("--instances", type=int, default=5)
    parser.add_argument("--node-limit", type=int, default=DEFAULT_NODE_LIMIT)
    parser.add_argument("--time-limit", type=float, default=None, help="seconds per subgame")
    parser.add_argument("--objective", choices=["expected", "complete"], default="expected")
    args = parser.parse_args()
    print(
        run(
            [int(s) for s in args.sizes.split(",")],
            [int(s) for s in args.resources.split(",")],
            args.instances,
            args.node_limit,
            args.time_limit,
            args.objective,
        )
    )


if __name__ == "__main__":
    main()
