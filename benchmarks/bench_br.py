"""Sequential best response to convergence on the static game: ``jcaco solve --algorithm
br-oracle`` at large N (the per-slot exact-equilibrium dynamics; ``br`` makes a bounded
number of moves per slot since the learner rework).

Sequential best response (docs/model.md §6) from a random start (the default) and from the greedy
start, N users, 10 APs, 10 servers, Table III draws, fading at its mean. Timed is the whole
``jcaco.jobs.solve.solve`` call (the slot loop until nobody moves, then the certificates:
objective (15), Nash gap, ``is_nash``), with each engine of the moves: the numba kernel
(``game._br_numba`` through ``game.dynamics``, the default when numba is installed; compiled
before timing) and the numpy/Python one (``game.dynamics``, what runs without numba). Both
give the same profile.
Target (issue 2): at most 2 s at N = 10^4.

``--learner br`` measures the learner ``br`` instead (issue 19): the CPU time of one slot's
``act`` with ``moves_per_slot`` = 1 and K from the random start on the static game (one move
costs the difference over K - 1), and the static game run to an equilibrium in the slot loop
with ``moves_per_slot`` = 10^7 (``--eq-moves``; slots, moves, CPU). Run it once with the code
of a base commit on ``PYTHONPATH`` for the before column, in the same session.
``--draw rank,rejection`` measures each draw of the mover in turn (``br``'s ``draw`` option),
the load average in every row.

Run ``python benchmarks/bench_br.py [--sizes 10000,100000] [--learner br-oracle|br]``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import time

import jcaco
from _common import load_average, machine, markdown_table, median_s
from bench_masl import make_game
from jcaco import kernels
from jcaco.jobs.solve import SolveResult, solve
from jcaco.learners.best_response import BestResponse
from jcaco.learners.views import build_setup
from jcaco.model.instance import GameInstance
from jcaco.rng import stream
from jcaco.sim.loop import StaticEnvironment, make_view, run_loop

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


def slot_cpu_s(game: GameInstance, moves_per_slot: int, draw: str = "rank") -> tuple[float, int]:
    """CPU time of the first slot's ``act`` of ``br`` from the random start, and its moves."""
    env = StaticEnvironment(game, stream(0, "activity"))
    learner = BestResponse(moves_per_slot=moves_per_slot, draw=draw)  # type: ignore[arg-type]
    learner.reset(build_setup(learner.declares(), game), stream(0, "learner"))
    view = make_view(learner, env.slot(0), None)
    start = time.process_time()
    learner.act(view)
    return time.process_time() - start, int(learner.moves_.sum())


def to_equilibrium(
    game: GameInstance, slots: int, moves_per_slot: int, draw: str = "rank"
) -> list[str]:
    """``br`` with ``moves_per_slot`` moves per slot in the slot loop until nobody can improve.

    The numpy form makes every one of its moves, moving or not, so a base commit needs a
    ``moves_per_slot`` near the moves an equilibrium takes, not 10^7.
    """
    learner = BestResponse(moves_per_slot=moves_per_slot, draw=draw)  # type: ignore[arg-type]
    moves = [0]

    def count(*args: object) -> None:
        moves[0] += int(learner.moves_.sum())

    env = StaticEnvironment(game, stream(0, "activity"))
    start, start_cpu = time.perf_counter(), time.process_time()
    rng = stream(0, "learner")
    out = run_loop(env, learner, rng, slots, stop_when_converged=True, callback=count)
    wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    recommendation = out.profile
    digest = hashlib.sha256(recommendation.ap.tobytes() + recommendation.server.tobytes())
    per_move_us = 1e6 * cpu / max(moves[0], 1)
    return [
        *(f"{out.slots}", f"{moves[0]:,}", f"{wall:.2f}", f"{cpu:.2f}", f"{per_move_us:.1f}"),
        *(str(bool(out.converged[0])), digest.hexdigest()[:10]),
    ]


def run_br(sizes: list[int], moves: int, equilibrium: bool, eq_moves: int, draws: list[str]) -> str:
    """The ``br`` report: one slot's CPU with 1 and ``moves`` moves; runs to an equilibrium;
    each ``draw`` of the mover (``rank``, the default, or ``rejection``) in turn."""
    for draw in draws:
        slot_cpu_s(make_game(50), 2, draw)  # compile outside the timing
    rows = []
    for n in sizes:
        game = make_game(n)  # batch of one
        for draw in draws:
            one, _ = slot_cpu_s(game, 1, draw)
            many, made = slot_cpu_s(game, moves, draw)
            per_move_ms = 1e3 * (many - one) / max(made - 1, 1)
            row = [f"{n:,}", draw, f"{1e3 * one:.1f}", str(made), f"{1e3 * many:.1f}"]
            row.append(f"{per_move_ms:.3g}")
            if equilibrium:
                row += to_equilibrium(game, 1000, eq_moves, draw)
            row.append(load_average())
            rows.append(row)
            print(" | ".join(row), flush=True)
    header = ["N", "draw", "slot, 1 move [ms]", "K", "slot, K moves [ms]", "per move [ms]"]
    if equilibrium:
        header += ["slots", "moves", "to eq. wall [s]", "CPU [s]", "CPU/move [µs]", "converged"]
        header += ["profile digest"]
    header.append("load")
    title = f"br (10 APs, 10 servers, seed 0; jcaco from {os.path.dirname(jcaco.__file__)})"
    return f"{title}\n{machine()}, load average {load_average()}\n\n{markdown_table(header, rows)}"


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description="br-oracle or br at large N")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--learner", choices=("br-oracle", "br"), default="br-oracle")
    parser.add_argument("--moves", type=int, default=1000, help="K of the per-move timing (br)")
    parser.add_argument("--no-equilibrium", action="store_true", help="br: per move only")
    parser.add_argument("--eq-moves", type=int, default=10_000_000, help="br: moves per slot")
    parser.add_argument(
        "--draw", default="rank", help="br: draws of the mover, e.g. rank,rejection"
    )
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]
    if args.learner == "br":
        draws = args.draw.split(",")
        print(run_br(sizes, args.moves, not args.no_equilibrium, args.eq_moves, draws))
    else:
        print(run(sizes))


if __name__ == "__main__":
    main()
