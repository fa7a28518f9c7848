"""The command line at scale: wall time and peak memory of each ``jcaco`` step (issue 11).

For each N (default 10^4, 10^5, 10^6 users; 10 APs, 10 servers) this runs, as a user would,

* ``jcaco generate --users N --aps 10 --servers 10 -o net.parquet``
* ``jcaco instance net.parquet -o game.parquet``
* ``jcaco solve game.parquet -a masl --iterations 20 -o masl.parquet``
* ``jcaco solve game.parquet -a br-oracle -o br.parquet`` (sequential best response to an
  equilibrium, ``game/dynamics.py`` with its kernel ``game/_br_numba.py``)
* ``jcaco simulate net.parquet -a masl --slots T --record totals``

each under ``/usr/bin/time -v`` (wall time, peak resident memory), with the machine's load
average beside it, and the same generate / instance / solve steps with JSON files up to
``--json-max`` users. Results go to standard output as a markdown table.

Run ``python benchmarks/bench_scale.py [--sizes 10000,100000,1000000] [--sim-slots 2000]
[--json-max 100000] [--skip br,simulate] [--folder DIR]``. The 10^6 run takes minutes and a
few GB of disk; run one at a time on a shared machine.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import load_average, machine, markdown_table

JCACO = str(Path(sys.executable).with_name("jcaco"))


def timed(args: list[str], cwd: Path) -> tuple[float, float, str]:
    """Run ``jcaco ARGS`` under ``/usr/bin/time -v``: wall [s], peak RSS [MiB], load average."""
    load = load_average()
    proc = subprocess.run(
        ["/usr/bin/time", "-v", JCACO, *args], cwd=cwd, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"jcaco {' '.join(args)} failed:\n{proc.stderr[-2000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", proc.stderr)
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    assert wall is not None and peak is not None, proc.stderr[-2000:]
    hours, minutes, seconds = wall.groups()
    total = int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)
    return total, int(peak.group(1)) / 1024, load


def steps(n: int, suffix: str, sim_slots: int, skip: set[str]) -> list[tuple[str, list[str]]]:
    """The commands of one size and file format."""
    net, game = f"net.{suffix}", f"game.{suffix}"
    out = [
        ("generate", ["generate", "--users", str(n), "--aps", "10", "--servers", "10", "-o", net]),
        ("instance", ["instance", net, "-o", game]),
        (
            "solve -a masl --iterations 20",
            ["solve", game, "-a", "masl", "--iterations", "20", "-o", f"masl.{suffix}"],
        ),
    ]
    if "br" not in skip:
        out.append(("solve -a br-oracle", ["solve", game, "-a", "br-oracle", "-o", f"br.{suffix}"]))
    if "simulate" not in skip and suffix == "parquet":
        args = ["simulate", net, "-a", "masl", "--slots", str(sim_slots), "--record", "totals"]
        out.append((f"simulate --slots {sim_slots} --record totals", [*args, "-o", "sim"]))
    return out


def run(sizes: list[int], sim_slots: int, json_max: int, skip: set[str], folder: Path) -> str:
    """Measure every step and return the markdown report."""
    rows = []
    for n in sizes:
        for suffix in ("parquet", "json"):
            if suffix == "json" and n > json_max:
                continue
            work = folder / f"{n}-{suffix}"
            work.mkdir(parents=True, exist_ok=True)
            for label, args in steps(n, suffix, sim_slots, skip):
                wall, peak, load = timed(args, work)
                size = ""
                target = args[args.index("-o") + 1] if "-o" in args else ""
                if target and (work / target).is_file():
                    size = f"{(work / target).stat().st_size / 1e6:.1f}"
                rows.append([f"{n:,}", suffix, label, f"{wall:.2f}", f"{peak:.0f}", size, load])
                print(" | ".join(rows[-1]), flush=True)
    table = markdown_table(
        ["N", "files", "command", "wall [s]", "peak RSS [MiB]", "output [MB]", "load avg"], rows
    )
    return f"jcaco end to end, 10 APs, 10 servers (/usr/bin/time -v)\n{machine()}\n\n{table}"


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description="jcaco's commands at scale: wall and memory")
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--sim-slots", type=int, default=2000)
    parser.add_argument("--json-max", type=int, default=100_000, help="largest N with JSON files")
    parser.add_argument("--skip", default="", help="comma-separated: br, simulate")
    parser.add_argument("--folder", help="keep the files here (default: a temporary folder)")
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]
    skip = {s for s in args.skip.split(",") if s}
    if args.folder:
        print(run(sizes, args.sim_slots, args.json_max, skip, Path(args.folder)))
        return
    with tempfile.TemporaryDirectory(dir=os.environ.get("TMPDIR")) as folder:
        print(run(sizes, args.sim_slots, args.json_max, skip, Path(folder)))


if __name__ == "__main__":
    main()
