"""One writer per store, rows counted once, unreadable parts moved aside, and nothing in a
store names code (issue 18, items 2 and 3; docs/distributed.md).

The store runs are Fig. 2 at one or two seeds of 10 slots (a few seconds each); the second
writer is a real process (``subprocess``), started while this test process holds the lock.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from filelock import FileLock

from jcaco.experiments.store import LOCK_NAME

TINY = ["reproduce", "--quick", "--only", "fig2", "--seeds", "2", "--slots", "10", "--json"]
JCACO = [sys.executable, "-m", "jcaco"]


def _summary_rows(folder: Path) -> list[str]:
    return (folder / "summary.csv").read_text().splitlines()


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished tiny store (read only: tests copy it)."""
    from jcaco.cli import main

    folder = tmp_path_factory.mktemp("reference") / "store"
    assert main([*TINY, "-o", str(folder)]) == 0
    return folder


def _copy(reference: Path, tmp_path: Path) -> Path:
    import shutil

    folder = tmp_path / "store"
    shutil.copytree(reference, folder)
    return folder


def test_a_second_writer_is_refused_with_one_line(reference: Path, tmp_path: Path) -> None:
    folder = _copy(reference, tmp_path)
    before = sorted(p.name for p in (folder / "parts").iterdir())
    with FileLock(folder / LOCK_NAME).acquire(timeout=0):  # the first writer: this process
        second = subprocess.run(
            [*JCACO, *TINY, "-o", str(folder)], capture_output=True, text=True, check=False
        )
    assert second.returncode == 2, second.stderr
    lines = second.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("jcaco: error: "), second.stderr
    assert "another jcaco process is writing this store" in lines[0]
    assert "--wait-lock" in lines[0]
    assert sorted(p.name for p in (folder / "parts").iterdir()) == before


def test_a_second_writer_waits_with_wait_lock(reference: Path, tmp_path: Path) -> None:
    folder = _copy(reference, tmp_path)
    lock = FileLock(folder / LOCK_NAME)
    lock.acquire(timeout=0)
    try:
        second = subprocess.Popen(
            [*JCACO, *TINY, "--wait-lock", "-o", str(folder)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert second.stderr is not None
        first_line = second.stderr.readline()  # blocks until it says it waits
        assert first_line.startswith("jcaco: waiting for the process that holds"), first_line
    finally:
        lock.release()
    out, err = second.communicate(timeout=600)
    assert second.returncode == 0, err
    assert '"rows": 2' in out


def test_duplicate_rows_count_once(reference: Path, tmp_path: Path, jcaco: Callable) -> None:
    """A store two writers filled (before the lock) holds every row twice: it counts once."""
    folder = _copy(reference, tmp_path)
    parts = sorted((folder / "parts").glob("*.parquet"))
    for part in parts:  # what a concurrent writer with --seeds-per-task 1 would have added
        (folder / "parts" / f"zz-{part.name}").write_bytes(part.read_bytes())
    result = jcaco(*TINY, "-o", str(folder))
    assert result.code == 0, result.err
    assert "duplicate row(s) (same task and seed) dropped" in result.err
    assert '"rows": 2' in result.out and '"tasks_run": 0' in result.out
    assert _summary_rows(folder) == _summary_rows(reference)
    assert pq.read_table(folder / "results.parquet").num_rows == 2


def test_unreadable_parts_are_moved_aside_and_rerun(
    reference: Path, tmp_path: Path, jcaco: Callable
) -> None:
    folder = _copy(reference, tmp_path)
    parts = folder / "parts"
    real = sorted(parts.glob("*.parquet"))
    assert len(real) == 1
    real[0].write_bytes(real[0].read_bytes()[:100])  # truncated: its rows must run again
    (parts / "empty.parquet").write_bytes(b"")
    pq.write_table(pa.table({"a": [1, 2]}), parts / "foreign.parquet")
    result = jcaco(*TINY, "-o", str(folder))
    assert result.code == 0, result.err
    assert "Traceback" not in result.err
    assert result.err.count("unreadable part") == 3
    assert '"tasks_run": 1' in result.out and '"rows": 2' in result.out
    corrupt = sorted(p.name for p in (parts / "corrupt").iterdir())
    assert corrupt == sorted([real[0].name, "empty.parquet", "foreign.parquet"])
    assert [p.name for p in parts.glob("*.parquet")] == [real[0].name]  # written again
    assert _summary_rows(folder) == _summary_rows(reference)


def test_stale_temporaries_are_removed_on_start(
    reference: Path, tmp_path: Path, jcaco: Callable
) -> None:
    folder = _copy(reference, tmp_path)
    left = [
        folder / "parts" / ".x.parquet.999999@elsewhere.abc123.tmp",
        folder / ".summary.csv.1@host.q.tmp",
    ]
    for path in left:
        path.write_text("half")
        os.utime(path, (1000, 1000))  # long before this run took the lock
    (folder / ".final.7@host.zz.tmp").mkdir()
    os.utime(folder / ".final.7@host.zz.tmp", (1000, 1000))
    assert jcaco(*TINY, "-o", str(folder)).code == 0
    assert sorted(folder.rglob("*.tmp")) == []


EVIL = """
from pathlib import Path

from jcaco.learners.base import Learner

Path("MARKER").write_text("evilmod ran")


class Evil(Learner):
    pass
"""


def test_a_forged_store_cannot_import_code(tmp_path: Path, monkeypatch, jcaco: Callable) -> None:
    """A store whose ``learner`` column names ``evilmod:Evil``, with ``evilmod.py`` in the
    current folder: the report is written, and the module is never imported."""
    monkeypatch.chdir(tmp_path)
    run = ["reproduce", "--quick", "--only", "beyond4", "--seeds", "1", "--slots", "10"]
    assert jcaco(*run, "--json", "-o", "store").code == 0
    (tmp_path / "evilmod.py").write_text(EVIL)
    for part in sorted((tmp_path / "store" / "parts").glob("*.parquet")):
        table = pq.read_table(part)
        forged = pa.array(["evilmod:Evil"] * table.num_rows, type=pa.string())
        index = table.schema.get_field_index("learner")
        pq.write_table(table.set_column(index, "learner", forged), part)
    monkeypatch.delitem(sys.modules, "evilmod", raising=False)
    result = jcaco(*run, "--json", "-o", "store")
    assert result.code == 0, result.err
    assert '"tasks_run": 0' in result.out
    assert not (tmp_path / "MARKER").exists()
    assert "evilmod" not in sys.modules
    assert (tmp_path / "store" / "report.html").is_file()


def test_the_plugin_loader_leaves_sys_path_as_it_was(tmp_path: Path, monkeypatch) -> None:
    from jcaco.learners.plugins import trusted
    from jcaco.learners.registry import resolve

    (tmp_path / "typedmod.py").write_text(EVIL.replace("MARKER", "TYPED"))
    monkeypatch.chdir(tmp_path)
    clean = [p for p in sys.path if p not in ("", str(tmp_path))]
    monkeypatch.setattr(sys, "path", list(clean))
    monkeypatch.delitem(sys.modules, "typedmod", raising=False)
    assert not trusted("typedmod:Evil")
    assert resolve("typedmod:Evil").__name__ == "Evil"  # the user typed it: imported
    assert (tmp_path / "TYPED").exists()
    assert sys.path == clean
    assert trusted("typedmod:Evil") and trusted("masl") and not trusted("othermod:X")
    sys.modules.pop("typedmod", None)


def test_a_failed_report_leaves_the_previous_final_files(
    reference: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The final files are drawn aside and moved in together: a run that fails while drawing
    leaves the previous run's summary, figures and report, and no temporary."""
    import jcaco
    from jcaco.report import html as report

    folder = _copy(reference, tmp_path)
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}

    def half_a_report(table, out_dir, run):
        (Path(out_dir) / "summary.csv").write_text("half\n")
        raise RuntimeError("stopped while drawing")

    monkeypatch.setattr(report, "write_report", half_a_report)
    with pytest.raises(RuntimeError, match="stopped while drawing"):
        jcaco.reproduce(folder, only=["fig2"], quick=True, seeds=2, slots=10)
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} == before
    assert sorted(folder.rglob("*.tmp")) == []


def test_the_lock_file_stays_empty_and_unheld_after_a_run(reference: Path) -> None:
    """``DIR/.lock`` stays after a finished run, on purpose (docs/formats.md, "Output
    rules": unlinking a flock'ed file lets two later writers lock different files): empty, and
    not held, since the lock is the flock, not the file."""
    lock = reference / LOCK_NAME
    assert lock.is_file() and lock.stat().st_size == 0
    with FileLock(lock).acquire(timeout=0):  # nobody holds it: taken at once
        pass
    docs = (Path(__file__).resolve().parents[1] / "docs" / "formats.md").read_text()
    assert "`DIR/.lock` stays after the run, empty, on purpose" in docs
