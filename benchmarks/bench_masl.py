"""One MASL iteration against the plain-Python reference and a numpy floor (issue 2, Speed).

One iteration is the body of ``jcaco.sim.loop.run_loop`` on the static game: the environment
draws a(t) (1), MASL acts (every user samples an AP and a server, O8), the slot is scored
(expected (27), (28) and realised (8), (11) loads of both subgames) and MASL observes (rewards
(35), (38), L_R-I (36), (39), convergence test O10). N users, 10 APs, 10 servers, one seed.

* ``vectorised``: ``MASL`` + ``StaticEnvironment`` + ``score`` through the learner protocol
  (act, score, observe), as ``run_loop`` runs them;
* ``fused``: the same iteration as one fused compiled pass (``learners/masl/fused.py``), as
  ``jcaco solve`` runs MASL (same draws, same strategies to the bit);
* ``naive``: ``benchmarks/naive_masl.py``, a Python loop per user (same numbers);
* ``floor``: the iteration's random numbers (3 N uniforms) and one in-place pass over both
  strategy arrays in numpy: what no implementation of this iteration can avoid.

Run ``python benchmarks/bench_masl.py [--sizes 1000,10000,100000,1000000] [--naive-max 100000]``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

import numpy as np

from _common import (
    fmt_ms,
    load_average,
    machine,
    markdown_table,
    median_wall_cpu_s,
    peak_bytes,
)
from jcaco.learners.masl import MASL
from jcaco.learners.masl.fused import FusedPass
from jcaco.learners.views import build_setup
from jcaco.model.build import build_instance
from jcaco.model.instance import GameInstance, add_batch_axis
from jcaco.rng import stream
from jcaco.scenario.generator import GeneratorConfig, generate_network
from jcaco.sim.loop import StaticEnvironment, make_view, score
from naive_masl import NaiveMASL

NUM_APS = NUM_SERVERS = 10
#: Timed repetitions per size (the median is reported).
REPEATS = {1_000: 300, 10_000: 100, 100_000: 21, 1_000_000: 5}
NAIVE_REPEATS = {1_000: 9, 10_000: 3, 100_000: 3}


def make_game(num_users: int, seed: int = 0) -> GameInstance:
    """A Table III network with ``num_users`` users, 10 APs and 10 servers (batch of 1)."""
    config = GeneratorConfig(num_users=num_users, num_aps=NUM_APS, num_servers=NUM_SERVERS)
    return add_batch_axis(build_instance(generate_network(config, stream(seed, "scenario"))))


class VectorisedIteration:
    """The slot body of ``run_loop`` with MASL on the static game."""

    def __init__(self, game: GameInstance, seed: int = 0):
        self.env = StaticEnvironment(game, stream(seed, "activity"))
        self.learner = MASL()
        setup = build_setup(self.learner.declares(), game)
        self.learner.reset(setup, stream(seed, "learner"))
        self.t = 0

    def __call__(self) -> None:
        slot = self.env.slot(self.t)
        profile = self.learner.act(make_view(self.learner, slot, None))
        self.learner.observe(profile, score(slot, profile))
        self.t += 1


def fused_iteration(game: GameInstance, seed: int = 0) -> Callable[[], None]:
    """One iteration of :class:`jcaco.learners.masl.fused.FusedPass` (same streams)."""
    return FusedPass(MASL(), game, stream(seed, "activity"), stream(seed, "learner")).step


class FloorIteration:
    """The unavoidable work: 3 N uniforms and one in-place pass over both strategy arrays."""

    def __init__(self, game: GameInstance, seed: int = 0):
        s, n, m = game.tx_time_s.shape
        self.rng = stream(seed, "learner")
        self.probs_ap = np.full((s, n, m), 1.0 / m)  # [seeds, users, aps]
        self.probs_server = np.full(game.compute_time_s.shape, 1.0 / NUM_SERVERS)
        self.shape = (s, n)

    def __call__(self) -> None:
        for _ in range(3):  # activity, AP sample, server sample
            self.rng.random(self.shape)
        np.multiply(self.probs_ap, 1.0, out=self.probs_ap)
        np.multiply(self.probs_server, 1.0, out=self.probs_server)


def naive_step(game: GameInstance, seed: int = 0) -> Callable[[], object]:
    """One iteration of :class:`NaiveMASL` on the same game and streams, as a callable."""
    single = GameInstance(game.theta[0], game.tx_time_s[0], game.compute_time_s[0], game.steps[0])
    masl = MASL()
    naive = NaiveMASL(
        single, masl.learning_rate_ap, masl.learning_rate_server, sampling=masl.sampling
    )
    activity_rng, learner_rng = stream(seed, "activity"), stream(seed, "learner")
    if masl.sampling == "active":
        naive.first_actions(learner_rng)
    return lambda: naive.iteration(activity_rng, learner_rng)


def run(sizes: list[int], naive_max: int) -> str:
    """Measure every size and return the markdown report."""
    rows = []
    for n in sizes:
        game = make_game(n)
        vec = VectorisedIteration(game)
        fused = fused_iteration(game)
        floor = FloorIteration(game)
        repeats = REPEATS.get(n, 5)
        t_vec, cpu_vec = median_wall_cpu_s(vec, repeats, warmup=2)
        t_fused, cpu_fused = median_wall_cpu_s(fused, repeats, warmup=2)
        _, cpu_floor = median_wall_cpu_s(floor, repeats, warmup=2)
        cpu_naive = None
        if n <= naive_max:
            _, cpu_naive = median_wall_cpu_s(naive_step(game), NAIVE_REPEATS.get(n, 2), warmup=0)
        peak = peak_bytes(vec) if n >= 100_000 else None
        rows.append(
            [
                f"{n:,}",
                fmt_ms(t_vec),
                fmt_ms(cpu_vec),
                fmt_ms(cpu_floor),
                f"{cpu_vec / cpu_floor:.1f}",
                fmt_ms(t_fused),
                fmt_ms(cpu_fused),
                f"{cpu_fused / cpu_floor:.1f}",
                "-" if cpu_naive is None else fmt_ms(cpu_naive),
                "-" if cpu_naive is None else f"{cpu_naive / cpu_vec:.0f}",
                "-" if cpu_naive is None else f"{cpu_naive / cpu_fused:.0f}",
                "-" if peak is None else f"{peak / 2**20:.1f}",
                load_average(),
            ]
        )
        print(" | ".join(rows[-1]), flush=True)
    table = markdown_table(
        [
            "N",
            "vectorised wall [ms]",
            "vectorised CPU [ms]",
            "floor CPU [ms]",
            "vectorised / floor",
            "fused wall [ms]",
            "fused CPU [ms]",
            "fused / floor",
            "naive CPU [ms]",
            "naive / vectorised",
            "naive / fused",
            "peak extra memory [MiB]",
            "load avg",
        ],
        rows,
    )
    return (
        f"MASL iteration (act + score + observe, both subgames, {NUM_APS} APs, "
        f"{NUM_SERVERS} servers, S = 1): medians of wall time and of this process's CPU time; "
        f"ratios from CPU times of the same run\n{machine()}\n\n{table}"
    )


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description="One MASL iteration: vectorised, naive, floor")
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--naive-max", type=int, default=100_000, help="largest N for naive")
    args = parser.parse_args()
    print(run([int(n) for n in args.sizes.split(",")], args.naive_max))


if __name__ == "__main__":
    main()
