"""``br`` to convergence on the static game: ``jcaco solve --algorithm br`` at large N.

Sequential best response (MODEL.md §6) from a random start (the default) and from the greedy
start, N users, 10 APs, 10 servers, Table III draws, fading at its mean. Timed is the whole
``jcaco.sim.solve.solve`` call (the slot loop until nobody moves, then the certificates:
objective (15), Nash gap, ``is_nash``). Target (issue 2): at most 2 s at N = 10^4.

Run ``python benchmarks/bench_br.py [--sizes 10000,100000]``.
"""

from __future__ import annotations

import argparse

from _common import machine, markdown_table, median_s
from bench_masl import make_game
from jcaco.model.instance import GameInstance
from jcaco.sim.solve import SolveResult, solve

REPEATS = {10_000: 3}


def single(game: GameInstance) -> GameInstance:
    """The unbatched game of a batch of one."""
    return GameInstance(game.activity[0], game.tx_time_s[0], game.compute_time_s[0], game.steps[0])


def run(sizes: list[int]) -> str:
    """Measure every size and start; return the markdown report."""
    rows = []
    for n in sizes:
        game = single(make_game(n))
        for start in ("random", "greedy"):
            results: list[SolveResult] = []

            def once(game: GameInstance = game, start: str = start, out: list = results) -> None:
                out.append(solve(game, "br", seed=0, params={"start": start}))

            wall = median_s(once, REPEATS.get(n, 1), warmup=0)
            last = results[-1]
            rows.append(
                [
                    f"{n:,}",
                    start,
                    f"{wall:.2f}",
                    str(last.iterations),
                    str(last.converged),
                    str(last.evaluation.is_nash),
                    f"{last.evaluation.expected_total_service_time_s:.4g}",
                ]
            )
            print(" | ".join(rows[-1]), flush=True)
    table = markdown_table(
        ["N", "start", "solve wall [s]", "slots", "converged", "is Nash", "objective (15) [s]"],
        rows,
    )
    title = "br to convergence (10 APs, 10 servers, seed 0), median wall time"
    return f"{title}\n{machine()}\n\n{table}"


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description="br to convergence at large N")
    parser.add_argument("--sizes", default="10000,100000")
    args = parser.parse_args()
    print(run([int(n) for n in args.sizes.split(",")]))


if __name__ == "__main__":
    main()
