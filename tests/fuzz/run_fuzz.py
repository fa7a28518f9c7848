"""Standalone fuzz driver (not collected by pytest): count how jcaco treats mutated inputs.

Feeds a few hundred mutated scenario and assignment documents (:mod:`mutate`) to ``jcaco
solve`` / ``jcaco evaluate`` in-process and counts each outcome:

* **clean**: exit 2 with one ``jcaco: error:`` line, the input unchanged;
* **traceback**: an exception escaped, or a traceback was printed;
* **silent**: exit 0 (every mutation is invalid, so it was accepted silently);
* **other**: anything else (several lines, another exit status, a changed input).

Usage (the jcaco on ``PYTHONPATH`` is the one tried)::

    PYTHONPATH=src python tests/fuzz/run_fuzz.py --count 300 --seed 0
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import random
import sys
import tempfile
import warnings
from collections import Counter
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]
from mutate import KINDS, mutate  # noqa: E402

from test_cli_errors import SCENARIO as BASE_SCENARIO  # noqa: E402

#: test_cli_errors' scenario, with the optional sections given (more places to mutate).
SCENARIO = {
    **BASE_SCENARIO,
    "radio": {"path_loss_exponent": 4.0, "noise_dbm_per_hz": -174.0, "tx_power_w": 0.2},
    "aec": {"form": "exponential", "max_steps": 1000},
    "servers": [BASE_SCENARIO["servers"][0], {**BASE_SCENARIO["servers"][1], "min_steps": 2}],
}
ASSIGNMENT = {"ap": [0, 1, 0], "server": [0, 1, 1], "steps": [40, 30, 35]}


def run_cli(args: list[str]) -> tuple[object, str, str]:
    """Exit status (or the escaped exception), stdout and stderr of ``jcaco ARGS``."""
    from jcaco.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            with warnings.catch_warnings():
                code: object = main(args)
        except BaseException as exc:  # noqa: BLE001 - what escapes is what we count
            code = exc
    return code, out.getvalue(), err.getvalue()


def classify(code: object, err: str, changed: bool) -> str:
    """One of clean / traceback / silent / other."""
    if isinstance(code, BaseException) or "Traceback" in err:
        return "traceback"
    if changed:
        return "other"
    if code == 0:
        return "silent"
    lines = err.strip().splitlines()
    if code == 2 and len(lines) == 1 and lines[0].startswith("jcaco"):
        return "clean"
    return "other"


def outcome(which: str, data: bytes, iterations: int = 30) -> tuple[str, str, object]:
    """Verdict, stderr and exit status of ``solve`` on a mutated scenario, or of ``evaluate``
    on a mutated assignment (of :data:`SCENARIO`), in a fresh temporary folder."""
    with tempfile.TemporaryDirectory() as folder:
        scenario = Path(folder) / "scenario.json"
        scenario.write_text(json.dumps(SCENARIO))
        path = Path(folder) / f"{which}.json"
        path.write_bytes(data)
        if which == "scenario":
            cmd = ["solve", str(path), "-a", "br", "--iterations", str(iterations), "--json"]
        else:
            cmd = ["evaluate", str(scenario), "--assignment", str(path), "--json"]
        code, _, err = run_cli(cmd)
        return classify(code, err, path.read_bytes() != data), err, code


def cases(count: int, seed: int) -> list[tuple[str, bytes, str]]:
    """``count`` mutated documents: (``"scenario"`` or ``"assignment"``, bytes, label)."""
    rng = random.Random(seed)
    out: list[tuple[str, bytes, str]] = []
    while len(out) < count:
        which = "assignment" if rng.random() < 0.3 else "scenario"
        doc = ASSIGNMENT if which == "assignment" else SCENARIO
        got = mutate(doc, rng.choice(KINDS), rng.randrange(10**6), rng.randrange(10**6))
        if got is not None:
            out.append((which, *got))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--show", choices=["traceback", "silent", "other"], action="append")
    args = parser.parse_args()
    tally: Counter[str] = Counter()
    for which, data, label in cases(args.count, args.seed):
        verdict, err, code = outcome(which, data)
        tally[verdict] += 1
        if args.show and verdict in args.show:
            last = err.strip().splitlines()[-1:] if err.strip() else [repr(code)]
            print(f"{verdict}: {which}: {label[:90]}: {last[0][:160]}")
    total = sum(tally.values())
    print(
        f"tried {total}  clean {tally['clean']}  traceback {tally['traceback']}  "
        f"silent {tally['silent']}  other {tally['other']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
