"""Slots per second of ``simulate`` per algorithm, batched over seeds vs one by one (issue 3).

The paper's base network (30 users, 5 APs, 5 servers, Table III, one drawn network per seed)
with every dynamic on (activity (1), Rayleigh fading, random walk O3). For each algorithm:

* ``batched``: one ``simulate`` call on all seeds (``[seeds, users, ...]`` arrays);
* ``one by one``: the same seeds, one ``simulate`` call each (identical results);
* the speed-up of batching: one-by-one time over batched time, for the same seeds and slots,
  measured in the same run.

The reproduction needs about 7 figures x 5 points x 6 algorithms x 2000 slots of 20-seed
batches on 2 cores in 5 minutes, i.e. about 1.5 ms per batched slot on average.

Run ``python benchmarks/bench_sim.py [--seeds 20] [--slots 200] [--repeats 3]``.
"""

from __future__ import annotations

import argparse
import sys
import time

from _common import machine, markdown_table
from jcaco import kernels
from jcaco.model.build import check_feasible
from jcaco.rng import stream
from jcaco.scenario.generator import PRESETS, generate_network
from jcaco.sim.simulate import simulate

#: The six algorithms of the paper's figures (``optimum``, a MILP per slot, is not timed here).
PAPER_ALGORITHMS = ("masl", "br", "br-sync", "mxfp", "selfish", "raro")


def _networks(seeds: list[int]):
    return [
        check_feasible(generate_network(PRESETS["paper"], stream(s, "scenario")), True)[0]
        for s in seeds
    ]


def _time(fn, repeats: int) -> float:
    """Best CPU time of ``fn()`` over ``repeats`` runs [s] (process time: the machine is
    shared, and CPU time is what the 2-core budget of the reproduction spends)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def _measure(name: str, nets: list, seeds: list[int], args: argparse.Namespace) -> tuple:
    """CPU seconds of ``name``: batched (long and short runs), and seed by seed."""
    simulate(nets[:1], name, seeds[:1], 5)  # warm-up (imports, compiled kernel)
    batched = _time(lambda: simulate(nets, name, seeds, args.slots), args.repeats)
    batched_short = _time(lambda: simulate(nets, name, seeds, args.alone_slots), args.repeats)
    alone = _time(
        lambda: [
            simulate([net], name, [s], args.alone_slots) for net, s in zip(nets, seeds, strict=True)
        ],
        1,
    )
    return batched, batched_short, alone


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--slots", type=int, default=200)
    parser.add_argument("--alone-slots", type=int, default=50, help="Slots per one-by-one run.")
    parser.add_argument("--repeats", type=int, default=3, help="Best of this many runs.")
    parser.add_argument("--algorithms", default=",".join(PAPER_ALGORITHMS))
    args = parser.parse_args()
    seeds = list(range(args.seeds))
    nets = _networks(seeds)
    print(f"machine: {machine()}")
    print(
        f"network: paper preset (N={nets[0].num_users}, M={nets[0].num_aps}, "
        f"K={nets[0].num_servers}), {args.seeds} seeds, all dynamics on; best of "
        f"{args.repeats} (CPU time); batched {args.slots} slots, "
        f"one by one {args.alone_slots} slots\n"
    )
    rows, total_ms = [], 0.0
    names = args.algorithms.split(",")
    runs = [(name, "numba") for name in names]
    if "br" in names:
        runs.append(("br", "numpy"))
    for name, engine in runs:
        with kernels.use(engine):  # numba: the compiled kernels; numpy: none
            batched, batched_short, alone = _measure(name, nets, seeds, args)
        per_slot_ms = batched / args.slots * 1e3
        print(f"  {name} ({engine}): {per_slot_ms:.3g} ms per batched slot", file=sys.stderr)
        if engine == "numba":
            total_ms += per_slot_ms
        rows.append(
            [
                name if engine == "numba" else f"{name} without numba (JCACO_NO_NUMBA=1)",
                f"{per_slot_ms:.3g}",
                f"{args.slots / batched:.0f}",
                f"{args.slots * args.seeds / batched:.0f}",
                f"{alone / args.alone_slots * 1e3:.3g}",
                f"{alone / batched_short:.1f}x",
            ]
        )
    print(
        markdown_table(
            [
                "algorithm",
                f"CPU ms per batched slot ({args.seeds} seeds)",
                "batched slots/s",
                "seed-slots/s",
                f"CPU ms per slot of {args.seeds} seeds run one by one",
                "speed-up of batching",
            ],
            rows,
        )
    )
    mean_ms = total_ms / len(names)
    print(f"\nmean over the algorithms: {mean_ms:.3g} ms CPU per batched slot")
    # 7 figures x 5 points x 6 algorithms x 2000 slots of 20-seed batches, on 2 cores
    full = 7 * 5 * 6 * 2000 * mean_ms / 1e3
    print(f"full reproduction estimate: {full:.0f} s CPU, {full / 2:.0f} s on 2 cores")


if __name__ == "__main__":
    main()
