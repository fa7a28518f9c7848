"""Fuzzed inputs (issue 18): mutated scenario and assignment documents are refused with one
line (exit 2), never a traceback, never accepted silently, never changed on disk.

The mutations (:mod:`fuzz.mutate`) are all invalid; hypothesis picks them with a fixed
derandomised search and a bounded number of examples, so the test is deterministic and cheap.
``tests/fuzz/run_fuzz.py`` runs the same mutations standalone and counts the outcomes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent / "fuzz"))
from mutate import KINDS, mutate  # noqa: E402
from run_fuzz import ASSIGNMENT, SCENARIO, outcome  # noqa: E402

FUZZ = settings(derandomize=True, max_examples=120, deadline=None, database=None)


def test_the_documents_are_valid() -> None:
    """Unmutated, both documents are accepted (so every refusal below is the mutation's)."""
    assert outcome("scenario", json.dumps(SCENARIO).encode())[0] == "silent"  # exit 0
    assert outcome("assignment", json.dumps(ASSIGNMENT).encode())[0] == "silent"


@pytest.mark.parametrize("which", ["scenario", "assignment"])
@FUZZ
@given(
    kind=st.sampled_from(KINDS),
    place=st.integers(0, 10**6),
    choice=st.integers(0, 10**6),
)
def test_mutated_documents_are_refused_with_one_line(
    which: str, kind: str, place: int, choice: int
) -> None:
    got = mutate(SCENARIO if which == "scenario" else ASSIGNMENT, kind, place, choice)
    if got is None:
        return
    data, label = got
    verdict, err, _ = outcome(which, data, iterations=20)
    assert verdict == "clean", (label, err)


def test_a_few_mutations_through_the_installed_command(tmp_path: Path) -> None:
    """The real entry point (a subprocess): deep nesting, bytes that are not UTF-8, a boolean."""
    for kind, place, choice in (("nest", 3, 2), ("bytes", 0, 1), ("value", 5, 0)):
        got = mutate(SCENARIO, kind, place, choice)
        assert got is not None
        path = tmp_path / "scenario.json"
        path.write_bytes(got[0])
        proc = subprocess.run(
            [sys.executable, "-m", "jcaco", "solve", str(path), "--iterations", "5"],
            capture_output=True,
            text=True,
        )
        lines = proc.stderr.strip().splitlines()
        assert proc.returncode == 2 and len(lines) == 1, (got[1], proc.stderr)
        assert lines[0].startswith("jcaco: error: ") and path.read_bytes() == got[0]
