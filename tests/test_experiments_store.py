"""The results store and the sweep: resume after an interruption, no duplicate rows,
identical rows from the serial, joblib and Dask runners (issue 3 parts 7–8); rows with role,
root seed and run index, and every series through its runner (issue 7 parts 3, 7, 8)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pyarrow as pa
import pytest

from jcaco.errors import InputError
from jcaco.experiments.paper import EXPERIMENTS, Experiment
from jcaco.experiments.paper import select as select_all
from jcaco.experiments.store import STORE_FORMAT, ResultsStore
from jcaco.experiments.sweep import RUNNERS, RunOptions, learner_rows, plan, run_sweep
from jcaco.experiments.tasks import row_identity, run_seeds

ROW_COLUMNS_IGNORED = ("git_revision",)


def stand_in(networks, algorithm, seeds, slots, *, params=None, record_users=False, **_):
    """A deterministic fake of ``jcaco.sim.simulate.simulate``: values depend only on the
    seed, the algorithm, the network size and the slot (so reruns reproduce them)."""
    shape = (slots, len(seeds))
    n = networks[0].num_users
    base = np.array([[_small(s) * 10.0 + len(algorithm) + n for s in seeds]])
    base = base + np.arange(slots)[:, None]
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


def _small(seed: int) -> int:
    """A spawned 63-bit seed as a small number (exact in float arithmetic)."""
    return seed % 1000


def select(*args, **kwargs) -> list[Experiment]:
    """The experiments without the planner's reference line (it runs real MILPs and ignores
    the stand-in simulator; its own tests: ``tests/test_experiments_planner.py``)."""
    return [
        replace(e, series=tuple(s for s in e.series if s.runner == "learner"))
        for e in select_all(*args, **kwargs)
    ]


#: Learner series per point of Figs. 4–10: six competitors, two variants and br-oracle.
LEARNERS = 9


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
    assert outcome.tasks_run == outcome.tasks_total == 1 + 3 * LEARNERS

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
    assert a.num_rows == b.num_rows == len(outcome.rows_needed) == 3 * (1 + 3 * LEARNERS)
    assert _rows(a) == _rows(b)
    keys = list(zip(b.column("task_key").to_pylist(), b.column("seed").to_pylist(), strict=True))
    assert len(keys) == len(set(keys))


def test_more_seeds_later_runs_only_the_new_ones(tmp_path: Path) -> None:
    store = ResultsStore(tmp_path)
    run_sweep(select(["fig2"], seeds=2, slots=8), store, simulator=stand_in)
    more = run_sweep(select(["fig2"], seeds=5, slots=8), store, simulator=stand_in)
    assert more.tasks_run == 1
    table = store.read(more.rows_needed)
    assert table.column("run").to_pylist() == [0, 1, 2, 3, 4]
    assert table.column("seed").to_pylist() == list(run_seeds(0, 5))
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


def test_rows_carry_role_root_seed_run_and_provenance(tmp_path: Path) -> None:
    store = ResultsStore(tmp_path)
    out = run_sweep(select(["fig4"], quick=True, seeds=2, slots=8), store, RunOptions(root_seed=7),
                    simulator=stand_in)  # fmt: skip
    rows = store.read(out.rows_needed).to_pylist()
    assert STORE_FORMAT == 2
    assert {r["seed"] for r in rows} == set(run_seeds(7, 2))
    assert {(r["root_seed"], r["run"]) for r in rows} == {(7, 0), (7, 1)}
    assert all(r["seed"] == run_seeds(7, 2)[r["run"]] for r in rows)
    assert all(r["version"] and r["git_revision"] for r in rows)
    assert {r["x"] for r in rows} == {2.0, 6.0, 10.0}
    roles = {r["algorithm"]: r["role"] for r in rows}
    assert roles == {s.label: s.role for s in EXPERIMENTS["fig4"].series if s.runner == "learner"}
    assert roles["masl"] == "competitor" and roles["br-oracle"] == "reference"
    assert roles["fp-empirical"] == "variant"
    # the stand-in's slot ramp: the tail window (last 2 of 8 slots) mean is 6.5 above base
    r = rows[0]
    expected = _small(r["seed"]) * 10 + len(r["algorithm"]) + 30 + 6.5
    assert r["total_service_time_s"] == pytest.approx(expected)


def test_serial_joblib_and_dask_give_identical_rows(tmp_path: Path) -> None:
    distributed = pytest.importorskip("dask.distributed")
    dask_config = pytest.importorskip("dask.config")
    exps = [e.resized(points=e.points[:2]) for e in select(["fig6"], quick=True, seeds=2, slots=4)]
    tables = {}
    for runner in ("serial", "chunked", "joblib", "dask"):
        store = ResultsStore(tmp_path / runner)
        if runner == "dask":
            # dask's scratch folders (scheduler and worker) under tmp_path, not the temp folder
            with (
                dask_config.set({"temporary-directory": str(tmp_path)}),
                distributed.LocalCluster(
                    n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
                ) as cluster,
            ):
                out = run_sweep(exps, store, RunOptions(scheduler=cluster.scheduler_address))
        elif runner == "chunked":  # one seed per task: same rows as the batch of two
            out = run_sweep(exps, store, RunOptions(seeds_per_task=1))
        else:
            out = run_sweep(exps, store, RunOptions(jobs=2 if runner == "joblib" else 1))
        assert out.tasks_run == 2 * LEARNERS * (2 if runner == "chunked" else 1)
        tables[runner] = store.read(out.rows_needed)
    assert _rows(tables["serial"]) == _rows(tables["joblib"]) == _rows(tables["dask"])
    assert _rows(tables["serial"]) == _rows(tables["chunked"])
    assert tables["serial"].num_rows == 2 * LEARNERS * 2


def test_every_series_goes_through_its_runner(tmp_path: Path) -> None:
    """The planner and br-oracle are series like the others (issue 7 part 8): the sweep calls
    the runner a series names, with the same arguments, and never branches on its name."""
    calls: list[tuple[str, str, tuple[int, ...]]] = []

    def recording(name):
        def runner(task, networks, simulator):
            calls.append((name, task.series.label, task.runs))
            assert len(networks) == len(task.seeds) and simulator is stand_in
            rows = learner_rows(task, networks, stand_in)
            assert all(r.keys() >= row_identity(task, 0, 1, 1).keys() for r in rows)
            return rows

        return runner

    assert set(RUNNERS) == {"learner", "planner", "planner-same-info"}
    exps = select_all(["fig4"], quick=True, seeds=5, slots=8)
    store = ResultsStore(tmp_path)
    runners = {"learner": recording("learner"), "planner": recording("planner")}
    out = run_sweep(exps, store, simulator=stand_in, runners=runners)
    by_series = {label: (name, runs) for name, label, runs in calls}
    assert by_series["planner"][0] == "planner" and by_series["br-oracle"][0] == "learner"
    assert by_series["planner"][1] == (0, 1, 2, 3)  # max_seeds: its first four runs only
    assert by_series["br-oracle"][1] == by_series["masl"][1] == (0, 1, 2, 3, 4)
    rows = store.read(out.rows_needed).to_pylist()
    assert {r["role"] for r in rows if r["algorithm"] in ("planner", "br-oracle")} == {"reference"}
    with pytest.raises(InputError, match="unknown runner"):
        bad = replace(exps[0], series=(replace(exps[0].series[0], runner="nope"),))
        run_sweep([bad], ResultsStore(tmp_path / "bad"))
