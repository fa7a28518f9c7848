"""A reproduction that fails before storing anything leaves no folder behind (a lock file in
an empty folder was left by, e.g., an unreachable ``--scheduler``); one that stored parts, or
that writes into a folder the user had, keeps everything."""

from __future__ import annotations

from pathlib import Path

import pytest

from jcaco.errors import InputError
from jcaco.report import reproduce as repro


def _failing(store_part: bool):
    def run(store, *args, **kwargs):
        if store_part:
            store.parts.mkdir(parents=True, exist_ok=True)
            (store.parts / "task.parquet").write_bytes(b"stored")
        raise InputError("cannot reach a Dask scheduler", field="--scheduler")

    return run


@pytest.mark.parametrize("existed", [False, True])
def test_a_run_that_stored_nothing_leaves_nothing(tmp_path: Path, monkeypatch, jcaco, existed):
    out = tmp_path / "out"
    if existed:
        out.mkdir()
    monkeypatch.setattr(repro, "_reproduce_locked", _failing(store_part=False))
    result = jcaco("reproduce", "--quick", "--only", "fig9", "-o", out)
    assert result.code == 2 and "--scheduler" in result.err
    assert out.exists() == existed  # a folder the user had is never removed


def test_stored_parts_are_kept(tmp_path: Path, monkeypatch, jcaco) -> None:
    out = tmp_path / "out"
    monkeypatch.setattr(repro, "_reproduce_locked", _failing(store_part=True))
    assert jcaco("reproduce", "--quick", "--only", "fig9", "-o", out).code == 2
    assert (out / "parts" / "task.parquet").read_bytes() == b"stored"
