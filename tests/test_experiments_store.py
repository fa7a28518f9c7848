"""The results store and the sweep: resume after an interruption, no duplicate rows, and
identical rows from the serial, joblib and Dask runners (issue 3 parts 7–8)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pyarrow as pa
import pytest

from jcaco.experiments.paper import ALGORITHMS, EXPERIMENTS, Experiment
from jcaco.experiments.paper import select as select_all
from jcaco.experiments.store import ResultsStore
from jcaco.experiments.sweep import plan, run_sweep

ROW_COLUMNS_IGNORED = ("git_revision",)


def stand_in(networks, algorithm, seeds, slots, *, params=None, record_users=False, **_):
    """A deterministic fake of ``jcaco.sim.simulate.simulate``: values depend only on the
    seed, the algorithm, the network size and the slot (so reruns reproduce them)."""
    shape = (slots, len(seeds))
    n = networks[0].num_users
    base = np.array([[s * 10.0 + len(algorithm) + n for s in seeds]]) + np.arange(slots)[:, None]
    users = np.broadcast_to(base[..., None], (*shape, n)).copy() if record_users else None
    return SimpleNamespace(
        total_service_time_s=base,
        nash_gap_s=np.zeros(shape),
        max_load_s=np.ones(shape),
        switches=np.zeros(shape, dtype=np.int64),
        num_active=np.full(shape, n),
        converged=np.zeros(shape, dtype=bool),
        user_service_time_s=users,
    )


def select(*args, **kwargs) -> list[Experiment]:
    """The experiments without the planner's reference line (it runs real MILPs and ignores
    the stand-in simulator; its own tests: ``tests/test_experiments_planner.py``)."""
    return [
        replace(e, series=tuple(s for s in e.series if s.algorithm in ALGORITHMS))
        for e in select_all(*args, **kwargs)
    ]


class Interrupt(Exception):
    """Stands for Ctrl-C / a killed worker after a number of tasks."""


def _tiny() -> list[Experiment]:
    return select(["fig2", "fig4"], quick=True, seeds=3, slots=8)


def _rows(table: pa.Table) -> list[dict]:
    return [{k: v for k, v in r.items() if k not in ROW_COLUMNS_IGNORED} for r in table.to_pylist()]


def test_resume_after_interruption_equals_uninterrupted_run(tmp_path: Path) -> None:
    exps = _tiny()
    whole = ResultsStore(tmp_path / "whole")
    outcome = run_sweep(exps, whole, simulator=stand_in)
    assert outcome.tasks_run == outcome.tasks_total == 1 + 3 * 6

    calls = {"n": 0}

    def dies_after_five(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > 5:
            raise Interrupt
        return stand_in(*args, **kwargs)

    broken = ResultsStore(tmp_path / "broken")
    with pytest.raises(Interrupt):
        run_sweep(exps, broken, simulator=dies_after_five)
    assert len(list(broken.parts.glob("*.parquet"))) == 5
    partial = run_sweep(exps, broken, limit=4, simulator=stand_in)  # a second interruption
    assert partial.tasks_run == 4
    rest = run_sweep(exps, broken, simulator=stand_in)
    assert rest.tasks_run == outcome.tasks_total - 9
    assert run_sweep(exps, broken, simulator=stand_in).tasks_run == 0  # nothing left

    a = whole.read(outcome.rows_needed)
    b = broken.read(rest.rows_needed)
    assert a.num_rows == b.num_rows == len(outcome.rows_needed) == 3 * 19
    assert _rows(a) == _rows(b)
    keys = list(zip(b.column("task_key").to_pylist(), b.column("seed").to_pylist(), strict=True))
    assert len(keys) == len(set(keys))


def test_more_seeds_later_runs_only_the_new_ones(tmp_path: Path) -> None:
    store = ResultsStore(tmp_path)
    run_sweep(select(["fig2"], seeds=2, slots=8), store, simulator=stand_in)
    more = run_sweep(select(["fig2"], seeds=5, slots=8), store, simulator=stand_in)
    assert more.tasks_run == 1
    table = store.read(more.rows_needed)
    assert table.column("seed").to_pylist() == [0, 1, 2, 3, 4]
    assert store.read().num_rows == 5


def test_store_never_writes_a_row_twice(tmp_path: Path) -> None:
    store = ResultsStore(tmp_path)
    exps = select(["fig2"], seeds=2, slots=8)
    tasks, _ = plan(exps, 0)
    from jcaco.experiments.sweep import run_task

    rows = run_task(tasks[0], stand_in)
    assert store.write_part(rows) is not None
    assert store.write_part(rows) is None
    assert store.read().num_rows == 2


def test_rows_carry_provenance_and_the_point_value(tmp_path: Path) -> None:
    store = ResultsStore(tmp_path)
    out = run_sweep(select(["fig4"], quick=True, seeds=2, slots=8), store, root_seed=7,
                    simulator=stand_in)  # fmt: skip
    rows = store.read(out.rows_needed).to_pylist()
    assert {r["seed"] for r in rows} == {7, 8}
    assert {r["root_seed"] for r in rows} == {7}
    assert all(r["version"] and r["git_revision"] for r in rows)
    assert {r["x"] for r in rows} == {2.0, 6.0, 10.0}
    assert {r["algorithm"] for r in rows} == set(EXPERIMENTS["fig4"].series[i].label
                                                 for i in range(6))  # fmt: skip
    # the stand-in's slot ramp: the tail window (last 2 of 8 slots) mean is 6.5 above base
    r = rows[0]
    expected = r["seed"] * 10 + len(r["algorithm"]) + 30 + 6.5
    assert r["total_service_time_s"] == pytest.approx(expected)


def test_serial_joblib_and_dask_give_identical_rows(tmp_path: Path) -> None:
    distributed = pytest.importorskip("dask.distributed")
    exps = [e.resized(points=e.points[:2]) for e in select(["fig6"], quick=True, seeds=2, slots=4)]
    tables = {}
    for runner in ("serial", "chunked", "joblib", "dask"):
        store = ResultsStore(tmp_path / runner)
        if runner == "dask":
            with distributed.LocalCluster(
                n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
            ) as cluster:
                out = run_sweep(exps, store, scheduler=cluster.scheduler_address)
        elif runner == "chunked":  # one seed per task: same rows as the batch of two
            out = run_sweep(exps, store, seeds_per_task=1)
        else:
            out = run_sweep(exps, store, jobs=2 if runner == "joblib" else 1)
        assert out.tasks_run == 2 * 6 * (2 if runner == "chunked" else 1)
        tables[runner] = store.read(out.rows_needed)
    assert _rows(tables["serial"]) == _rows(tables["joblib"]) == _rows(tables["dask"])
    assert _rows(tables["serial"]) == _rows(tables["chunked"])
    assert tables["serial"].num_rows == 2 * 6 * 2
