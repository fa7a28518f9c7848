"""``jcaco.io.files``: every output is written atomically, readable as the umask allows, and
stamped with one set of provenance keys."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import numpy as np
import pytest

from jcaco.experiments.store import ResultsStore, rows_to_table
from jcaco.io import files
from jcaco.sim.outputs import write_trace
from jcaco.sim.recorder import Trace


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_finished_files_get_the_umask_permissions_not_0600(tmp_path: Path) -> None:
    expected = 0o666 & ~_umask()
    assert files.FILE_MODE == expected
    written = [
        files.write_json(tmp_path / "a.json", {"x": [1.0, 2.0]}),
        files.write_text(tmp_path / "b.html", "<p>report</p>"),
        files.write_bytes(tmp_path / "c.bin", b"\x00\x01"),
    ]
    trace = Trace(
        algorithm="masl",
        seeds=(1,),
        total_service_time_s=np.ones((3, 1)),
        num_active=np.ones((3, 1)),
        nash_gap_s=np.zeros((3, 1)),
        max_load_s=np.ones((3, 1)),
        switches=np.zeros((3, 1)),
        converged=np.zeros((3, 1), dtype=bool),
        user_service_time_s=None,
        recommendation=None,
    )
    written.append(write_trace(trace, tmp_path / "trace.parquet"))
    store = ResultsStore(tmp_path / "store")
    store.consolidate(rows_to_table([]), {"note": "empty"})
    written += sorted((tmp_path / "store").glob("*.parquet"))
    assert len(written) == 5
    for path in written:
        assert _mode(path) == expected, path


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    files.write_json(target, {"a": 1})
    with pytest.raises(ValueError, match="b: NaN or infinity"):
        files.write_json(target, {"b": float("nan")})
    with pytest.raises(RuntimeError, match="stop"):
        with files.atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("stop")
    assert target.read_bytes() == b'{\n  "a": 1\n}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_temporaries_have_one_name_scheme_beside_the_target(tmp_path: Path) -> None:
    one = files.temporary_beside(tmp_path / "sub" / "report.html")
    two = files.temporary_beside(tmp_path / "sub" / "report.html")
    assert one != two and one.parent == two.parent == tmp_path / "sub"
    for tmp in (one, two):
        assert tmp.name.startswith(".report.html.") and tmp.name.endswith(".tmp")


def test_provenance_has_one_set_of_keys() -> None:
    stamp = files.provenance()
    assert set(stamp) == {"version", "git_revision"}
    revision = stamp["git_revision"]
    sha = None if revision is None else revision.removesuffix("-dirty")
    assert sha is None or (len(sha) == 40 and int(sha, 16) >= 0)


def _git(repo: Path, *args: str) -> str:
    import subprocess

    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false", *args],
        cwd=repo, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout.strip()


def _one_commit(repo: Path) -> tuple[Path, str]:
    """A new repository at ``repo`` with one committed file ``a.txt``, and its commit."""
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "a.txt").write_text("one\n")
    _git(repo, "add", "a.txt")
    _git(repo, "commit", "-q", "-m", "first")
    return repo, _git(repo, "rev-parse", "HEAD")


def test_git_revision_marks_a_dirty_tree(tmp_path: Path) -> None:
    """A tracked file changed (staged or not) appends ``-dirty``; an untracked file does not;
    outside git there is no revision."""
    assert files.revision_of(tmp_path) is None  # not a checkout (tmp is outside any repo)
    repo, sha = _one_commit(tmp_path / "repo")
    assert files.revision_of(repo) == sha
    (repo / "new.txt").write_text("untracked\n")
    assert files.revision_of(repo) == sha  # untracked files do not count
    (repo / "a.txt").write_text("two\n")
    assert files.revision_of(repo) == f"{sha}-dirty"
    (repo / "sub").mkdir()
    assert files.revision_of(repo / "sub") == f"{sha}-dirty"  # any folder of the tree
    _git(repo, "add", "a.txt")
    assert files.revision_of(repo) == f"{sha}-dirty"  # staged, not committed
    _git(repo, "commit", "-q", "-m", "second")
    assert files.revision_of(repo) == _git(repo, "rev-parse", "HEAD")


def test_a_tree_whose_status_git_cannot_tell_is_not_called_clean(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``git status`` that does not answer in time (a huge tree, a slow disk) or fails: the
    revision carries ``-dirty`` rather than claim a clean tree."""
    repo, sha = _one_commit(tmp_path / "repo")
    real = files._git
    monkeypatch.setattr(
        files, "_git", lambda folder, *args: None if args[0] == "status" else real(folder, *args)
    )
    assert files.revision_of(repo) == f"{sha}-dirty"
