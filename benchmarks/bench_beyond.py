"""One iteration of the learners beyond the paper against MASL's, same run (issue 12, Speed).

One iteration is the body of ``jcaco.sim.loop.run_loop`` on the static game: the environment
draws a(t) (1), the learner acts, the slot is scored (expected and realised loads of both
subgames, and for a learner declaring ``others="loads"`` the counts each AP and server
broadcasts) and the learner observes. N users, 10 APs, 10 servers, one seed. Reported: median
CPU time of this process per iteration and its ratio to MASL's in the same run (target: at
most 2x for each new learner at N = 10^5). ``br`` and ``br price=true`` are listed for scale:
best response computes every user's deviation costs, O(N (M + K)) per move.

Run ``python benchmarks/bench_beyond.py [--sizes 100000] [--repeats 21]``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from _common import fmt_ms, load_average, machine, markdown_table, median_wall_cpu_s
from bench_masl import NUM_APS, NUM_SERVERS, make_game
from jcaco.learners.bandit import CostBandit
from jcaco.learners.base import Learner
from jcaco.learners.best_response import BestResponse
from jcaco.learners.loglinear import LogLinear
from jcaco.learners.masl import MASL
from jcaco.learners.views import build_setup
from jcaco.model.instance import GameInstance
from jcaco.rng import stream
from jcaco.sim.loop import StaticEnvironment, make_view, score

#: (label, factory); the first is the reference of the ratios.
LEARNERS: list[tuple[str, Callable[[], Learner]]] = [
    ("masl", MASL),
    ("masl price=true", lambda: MASL(price=True)),
    ("loglinear", LogLinear),
    ("loglinear proposal=uniform", lambda: LogLinear(proposal="uniform")),
    ("loglinear price=true", lambda: LogLinear(price=True)),
    ("bandit", CostBandit),
    ("bandit price=true", lambda: CostBandit(price=True)),
    ("br", BestResponse),
    ("br price=true", lambda: BestResponse(price=True)),
]


class Iteration:
    """The slot body of ``run_loop`` with one learner on the static game."""

    def __init__(self, learner: Learner, game: GameInstance, seed: int = 0):
        self.env = StaticEnvironment(game, stream(seed, "activity"))
        self.learner = learner
        info = learner.declares()
        self.learner.reset(build_setup(info, game), stream(seed, "learner"))
        self.broadcast = info.at_least("others", "loads")
        self.t = 0
        self.previous = None

    def __call__(self) -> None:
        slot = self.env.slot(self.t)
        profile = self.learner.act(make_view(self.learner, slot, self.previous))
        self.learner.observe(profile, score(slot, profile, broadcast=self.broadcast))
        self.previous = profile
        self.t += 1


def run(sizes: list[int], repeats: int) -> str:
    """Measure every learner at every size; return the markdown report."""
    rows = []
    for n in sizes:
        game = make_game(n)
        reference = None
        for label, factory in LEARNERS:
            wall, cpu = median_wall_cpu_s(Iteration(factory(), game), repeats, warmup=2)
            reference = cpu if reference is None else reference
            row = [f"{n:,}", label, fmt_ms(wall), fmt_ms(cpu), f"{cpu / reference:.2f}"]
            rows.append([*row, load_average()])
            print(" | ".join(rows[-1]), flush=True)
    table = markdown_table(
        ["N", "learner", "wall [ms]", "CPU [ms]", "CPU / masl", "load avg"], rows
    )
    return (
        f"One iteration (act + score + observe, both subgames, {NUM_APS} APs, {NUM_SERVERS} "
        f"servers, S = 1): medians of {repeats} iterations; ratios from CPU times of the same "
        f"run\n{machine()}\n\n{table}"
    )


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description="One iteration of each new learner vs MASL")
    parser.add_argument("--sizes", default="100000")
    parser.add_argument("--repeats", type=int, default=21)
    args = parser.parse_args()
    print(run([int(n) for n in args.sizes.split(",")], args.repeats))


if __name__ == "__main__":
    main()
