"""Sequential best response to convergence on the static game: ``jcaco solve --algorithm
br-oracle`` at large N (the per-slot exact-equilibrium dynamics; ``br`` makes a bounded
number of moves per slot since the learner rework).

Sequential best response (docs/model.md §6) from a random start (the default) and from the greedy
start, N users, 10 APs, 10 servers, Table III draws, fading at its mean. Timed is the whole
``jcaco.sim.solve.solve`` call (the slot loop until nobody moves, then the certificates:
objective (15), Nash gap, ``is_nash``), with each engine of the moves: the numba kernel
(``game._br_numba`` through ``game.dynamics``, the default when numba is installed; compiled
before timing) and the numpy/Python one (``game.dynamics``, what runs without numba). Both
give the same profile.
Target (issue 2): at most 2 s at N = 10^4.

Run ``python benchmarks/bench_br.py [--sizes 10000,100000]``.
"""

from __future__ import annotations

import argparse

from _common import load_average, machine, markdown_table, median_s
from bench_masl import make_game
from jcaco import kernels
from jcaco.model.instance import GameInstance
from jcaco.sim.solve import SolveResult, solve

REPEATS = {10_000: 3}


def numba_installed() -> bool:
    """Whether the compiled ``br`` kernel can be loaded."""
    with kernels.use("auto"):
        return kernels.load("jcaco.game._br_numba") is not None


def measure(engine: str, sizes: list[int]) -> list[list[str]]:
    """The table rows of one engine (run inside ``kernels.use(engine)``)."""
    rows = []
    solve(make_game(50)[0], "br-oracle", seed=0)  # compile outside the timing
    for n in sizes:
        game = make_game(n)[0]
        for start in ("random", "greedy"):
            results: list[SolveResult] = []

            def once(game: GameInstance = game, start: str = start, out: list = results) -> None:
                out.append(solve(game, "br-oracle", seed=0, params={"start": start}))

            wall = median_s(once, REPEATS.get(n, 1), warmup=0)
            last = results[-1]
            rows.append(
                [
                    f"{n:,}",
                    start,
                    engine,
                    f"{wall:.2f}",
                    str(last.iterations),
                    str(last.converged),
                    str(last.evaluation.is_nash),
                    f"{last.evaluation.expected_total_service_time_s:.4g}",
                ]
            )
            print(" | ".join(rows[-1]), flush=True)
    return rows


def run(sizes: list[int]) -> str:
    """Measure every size, start and engine; return the markdown report."""
    rows = []
    for engine in ("numba", "numpy"):
        if engine == "numba" and not numba_installed():
            continue
        with kernels.use(engine):
            rows += measure(engine, sizes)
    header = ["N", "start", "moves engine", "solve wall [s]", "slots", "converged", "is Nash"]
    table = markdown_table([*header, "objective (15) [s]"], rows)
    title = "br-oracle to convergence (10 APs, 10 servers, seed 0), median wall time"
    return f"{title}\n{machine()}, load average {load_average()}\n\n{table}"


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description="br-oracle to convergence at large N")
    parser.add_argument("--sizes", default="10000,100000")
    args = parser.parse_args()
    print(run([int(n) for n in args.sizes.split(",")]))


if __name__ == "__main__":
    main()
