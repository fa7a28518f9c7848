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
import time

from _common import machine, markdown_table
from jcaco.learners.registry import LEARNERS
from jcaco.model.build import check_feasible
from jcaco.rng import stream
from jcaco.scenario.generator import PRESETS, generate_network
from jcaco.sim.simulate import simulate


def _networks(seeds: list[int]):
    return [
        check_feasible(generate_network(PRESETS["paper"], stream(s, "scenario")), True)[0]
        for s in seeds
    ]


def _time(fn, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--slots", type=int, default=200)
    parser.add_argument("--alone-slots", type=int, default=50, help="Slots per one-by-one run.")
    parser.add_argument("--repeats", type=int, default=3, help="Best of this many runs.")
    parser.add_argument("--algorithms", default=",".join(LEARNERS))
    args = parser.parse_args()
    seeds = list(range(args.seeds))
    nets = _networks(seeds)
    print(f"machine: {machine()}")
    print(
        f"network: paper preset (N={nets[0].num_users}, M={nets[0].num_aps}, "
        f"K={nets[0].num_servers}), {args.seeds} seeds, all dynamics on; best of "
        f"{args.repeats}; batched {args.slots} slots, one by one {args.alone_slots} slots\n"
    )
    rows, total_ms = [], 0.0
    names = args.algorithms.split(",")
    for name in names:
        simulate(nets[:1], name, seeds[:1], 5)  # warm-up (imports, caches)
        batched = _time(lambda n=name: simulate(nets, n, seeds, args.slots), args.repeats)
        batched_short = _time(
            lambda n=name: simulate(nets, n, seeds, args.alone_slots), args.repeats
        )
        alone = _time(
            lambda n=name: [
                simulate([net], n, [s], args.alone_slots)
                for net, s in zip(nets, seeds, strict=True)
            ],
            1,
        )
        per_slot_ms = batched / args.slots * 1e3
        total_ms += per_slot_ms
        rows.append(
            [
                name,
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
                f"ms per batched slot ({args.seeds} seeds)",
                "batched slots/s",
                "seed-slots/s",
                f"ms per slot, {args.seeds} seeds one by one",
                "speed-up of batching",
            ],
            rows,
        )
    )
    print(f"\nmean over algorithms: {total_ms / len(names):.3g} ms per batched slot")


if __name__ == "__main__":
    main()
