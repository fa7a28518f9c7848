"""Interrupts leave no debris (issue 18, items 1 and 5): a ``simulate`` killed with SIGKILL
leaves the previous run's folder whole and its temporary goes with the next run; SIGTERM stops
``reproduce`` as Ctrl-C does, its workers included, with exit status 143 and one line.

The commands run as real processes. Each waits for a state it can see (a temporary folder, the
worker processes) before it signals, and polls for the outcome with a generous bound; nothing
asserts a duration.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

JCACO = [sys.executable, "-m", "jcaco"]
#: Generous bound for a state to appear on a busy machine [s] (never asserted as a timing).
PATIENCE_S = 600.0


def _wait_for(condition: Callable[[], bool], what: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + PATIENCE_S
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"the command ended (status {process.returncode}) before {what}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"no {what} within {PATIENCE_S} s")
        time.sleep(0.05)


def _simulate(scenario: Path, out: Path, slots: int) -> list[str]:
    return [*JCACO, "simulate", str(scenario), "-a", "masl", "--slots", str(slots), "-o", str(out)]


def test_sigkill_mid_simulate_leaves_one_runs_folder_and_no_temporary(tmp_path: Path) -> None:
    scenario = tmp_path / "net.json"
    made = subprocess.run(
        [*JCACO, "generate", "--preset", "small", "--users", "4", "-o", str(scenario)],
        capture_output=True,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    out = tmp_path / "sim"
    first = subprocess.run(_simulate(scenario, out, 5), capture_output=True, check=False)
    assert first.returncode == 0, first.stderr
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert set(before) == {"trace.parquet", "users.parquet", "convergence.png"}

    long_run = subprocess.Popen(
        _simulate(scenario, out, 1_000_000), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )

    def writing() -> bool:  # its temporary folder holds the users file it streams
        return any(tmp_path.glob(".sim.*.tmp/.users.parquet.*.tmp"))

    _wait_for(writing, "temporary folder", long_run)
    long_run.send_signal(signal.SIGKILL)
    long_run.communicate(timeout=PATIENCE_S)
    assert long_run.returncode == -signal.SIGKILL
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # the first run, whole

    again = subprocess.run(_simulate(scenario, out, 6), capture_output=True, check=False)
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.json", "sim"]
    assert sorted(p.name for p in out.iterdir()) == sorted(before)
    assert (out / "trace.parquet").read_bytes() != before["trace.parquet"]


def test_sigterm_stops_reproduce_and_its_workers(tmp_path: Path) -> None:
    psutil = pytest.importorskip("psutil")
    out = tmp_path / "results"
    run = [*JCACO, "reproduce", "--quick", "--only", "fig3", "--seeds", "1"]
    run += ["--slots", "1000000", "--jobs", "2", "--json", "-o", str(out)]
    driver = subprocess.Popen(run, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    parent = psutil.Process(driver.pid)

    def workers() -> list:
        found = []
        for child in parent.children(recursive=True):
            try:
                if any("loky" in part for part in child.cmdline()):
                    found.append(child)
            except psutil.Error:
                pass
        return found

    _wait_for(lambda: len(workers()) >= 2, "two worker processes", driver)
    spawned = parent.children(recursive=True)
    driver.send_signal(signal.SIGTERM)
    stdout, stderr = driver.communicate(timeout=PATIENCE_S)
    assert driver.returncode == 143, stderr
    lines = stderr.strip().splitlines()
    assert lines == [f"jcaco: terminated; stored rows are kept in {out / 'parts'}; rerun to resume"]
    assert stdout == ""

    def running(process) -> bool:
        try:
            return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return False

    deadline = time.monotonic() + PATIENCE_S
    while any(running(p) for p in spawned) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p.pid for p in spawned if running(p)], "workers outlived the driver"
    assert sorted(out.rglob("*.tmp")) == []
