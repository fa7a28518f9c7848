"""The sequential best-response kernel against an earlier revision's, same inputs (issue 11).

One call of ``sequential_best_response_kernel`` per subgame (AP and server, at most 50 rounds,
one random start and order of play) at N users, 10 APs, 10 servers: this checkout's kernel
(``game/_br_numba.py``) and the one of git revision ``--baseline`` (read with ``git show``,
compiled before timing). Reports the CPU time of each, the rounds and moves, and whether both
end at the same profile (they must: same dynamics, bit for bit).

Run ``python benchmarks/bench_br_kernel.py [--sizes 100000,1000000] [--baseline 4e9d3ac]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import tempfile
import time
from pathlib import Path
from types import ModuleType

import numpy as np

from _common import load_average, machine, markdown_table
from jcaco.game import _br_numba, resource
from jcaco.model.build import build_instance
from jcaco.model.instance import add_batch_axis
from jcaco.rng import stream
from jcaco.scenario.generator import GeneratorConfig, generate_network


def baseline_kernel(revision: str, folder: Path) -> ModuleType:
    """``game/_br_numba.py`` as of ``revision``, imported from a temporary file."""
    source = subprocess.run(
        ["git", "show", f"{revision}:src/jcaco/game/_br_numba.py"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    path = folder / f"br_numba_{revision}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(sizes: list[int], revision: str) -> str:
    """Time both kernels on both subgames of every size; the markdown report."""
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        kernels = {revision: baseline_kernel(revision, Path(folder)), "this checkout": _br_numba}
        for n in sizes:
            config = GeneratorConfig(num_users=n, num_aps=10, num_servers=10)
            game = add_batch_axis(build_instance(generate_network(config, stream(0, "scenario"))))
            rng = stream(1, "learner")
            for subgame, time_s in (("AP", game.tx_time_s), ("server", game.compute_time_s)):
                w = np.ascontiguousarray(resource.player_weights(time_s, game.theta))
                choice = np.argmax(np.isfinite(w) * rng.random(w.shape), axis=-1)  # feasible
                priority = rng.random((1, n))
                ends, cells = [], []
                for module in kernels.values():
                    small = choice[:, :50].copy()  # compile outside the timing
                    module.sequential_best_response_kernel(
                        w[:, :50].copy(), small, priority[:, :50].copy(), 5, 1e-9
                    )
                    out = choice.copy()
                    start = time.process_time()
                    rounds, moves, _ = module.sequential_best_response_kernel(
                        w, out, priority, 50, 1e-9
                    )
                    cells.append(time.process_time() - start)
                    ends.append(out)
                rows.append(
                    [
                        f"{n:,}",
                        subgame,
                        str(int(rounds[0])),
                        str(int(moves[0])),
                        f"{cells[0]:.2f}",
                        f"{cells[1]:.2f}",
                        f"{cells[0] / cells[1]:.1f}",
                        str(bool(np.array_equal(ends[0], ends[1]))),
                        load_average(),
                    ]
                )
                print(" | ".join(rows[-1]), flush=True)
    table = markdown_table(
        [
            "N",
            "subgame",
            "rounds",
            "moves",
            f"{revision} CPU [s]",
            "this checkout CPU [s]",
            "speed-up",
            "same profile",
            "load avg",
        ],
        rows,
    )
    return f"sequential best-response kernel, one call (<= 50 rounds)\n{machine()}\n\n{table}"


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description="br kernel against an earlier revision's")
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--baseline", default="4e9d3ac", help="git revision to compare with")
    args = parser.parse_args()
    print(run([int(n) for n in args.sizes.split(",")], args.baseline))


if __name__ == "__main__":
    main()
