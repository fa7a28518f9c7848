"""The sweep: every task of a reproduction through its series' runner, serial, joblib or Dask.

A task (:mod:`jcaco.experiments.tasks`) is run by the runner its series names
(:data:`RUNNERS`): ``learner`` draws one network per run and simulates a registered learner on
them as one batch through :func:`jcaco.sim.simulate.simulate`; ``planner`` replays the same
dynamics and solves sampled slots exactly (:mod:`jcaco.experiments.planner`). Every runner has
the signature of :class:`SeriesRunner` and returns one row per run; the sweep never branches on
a series' name. Tasks are pure functions of their fields, so serial, joblib and Dask runs give
identical rows; only the driver writes to the store.
"""

from __future__ import annotations

import traceback
import warnings
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from jcaco.errors import InputError, PluginError, plugin_frame
from jcaco.experiments.paper import Experiment
from jcaco.experiments.planner import planner_rows
from jcaco.experiments.planner_same_info import same_information_rows
from jcaco.experiments.references import window_details
from jcaco.experiments.store import ResultsStore
from jcaco.experiments.tasks import Task, draw_network, plan, row_identity, task_key
from jcaco.io.files import provenance
from jcaco.scenario.limits import batch_bytes, check_batch_memory
from jcaco.scenario.network import Network

#: Most points kept in a stored curve (slots are averaged in equal bins).
CURVE_POINTS = 200

Simulator = Callable[..., Any]


class SeriesRunner(Protocol):
    """Turns one task and its networks (one per run) into the task's rows (one per run, each
    starting with :func:`jcaco.experiments.tasks.row_identity`, without provenance)."""

    def __call__(
        self, task: Task, networks: Sequence[Network], simulator: Simulator | None
    ) -> list[dict[str, Any]]: ...


def _bins(series: np.ndarray, width: int) -> np.ndarray:
    """Means over consecutive bins of ``width`` slots along axis 0 (NaN-aware: an all-NaN
    bin, e.g. a user inactive throughout, stays NaN)."""
    edges = range(0, series.shape[0], width)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.stack([np.nanmean(series[e : e + width], axis=0) for e in edges])


def _nan_to_none(values: np.ndarray) -> list[Any]:
    return [None if not np.isfinite(v) else float(v) for v in np.ravel(values)]


def learner_rows(
    task: Task, networks: Sequence[Network], simulator: Simulator | None = None
) -> list[dict[str, Any]]:
    """The ``learner`` runner: simulate the series' learner on every run as one batch.

    ``simulator`` stands in for :func:`jcaco.sim.simulate.simulate` (tests).
    """
    if simulator is None:
        from jcaco.sim.simulate import simulate

        simulator = simulate
    trace = simulator(
        networks,
        task.series.algorithm,
        list(task.seeds),
        task.slots,
        params=dict(task.series.params),
        record_users=task.record_users,
        nash_gap_from=task.slots - min(task.window, task.slots),  # read in the window only
    )
    window = min(task.window, task.slots)
    tail = slice(task.slots - window, task.slots)
    width = max(1, -(-task.slots // CURVE_POINTS))
    total = np.asarray(trace.total_service_time_s, dtype=float)  # [slots, seeds]
    converged = np.asarray(trace.converged, dtype=bool)  # [slots, seeds]
    curve = _bins(total, width)  # [bins, seeds]
    users = None
    if task.record_users and trace.user_service_time_s is not None:
        users = _bins(np.asarray(trace.user_service_time_s, dtype=float), width)
    rows = []
    for j in range(len(task.seeds)):
        ever = np.flatnonzero(converged[:, j])
        rows.append(
            {
                **row_identity(task, j, networks[j].num_users, window),
                "total_service_time_s": float(np.mean(total[tail, j])),
                "nash_gap_s": float(np.mean(np.asarray(trace.nash_gap_s)[tail, j])),
                "max_load_s": float(np.mean(np.asarray(trace.max_load_s)[tail, j])),
                "switches": float(np.mean(np.asarray(trace.switches)[tail, j])),
                "num_active": float(np.mean(np.asarray(trace.num_active)[tail, j])),
                "converged": bool(converged[-1, j]),
                "converged_slot": int(ever[0]) if ever.size else -1,
                "curve_bin_slots": width,
                "curve_total_service_time_s": _nan_to_none(curve[:, j]),
                "curve_user_service_time_s": (
                    None if users is None else [_nan_to_none(b) for b in users[:, j, :]]
                ),
                # the window slot by slot: read at a planner's sampled slots (references.py)
                "details": window_details(total[:, j], task.slots, window),
            }
        )
    return rows


#: The runners a series may name (:attr:`jcaco.experiments.series.Series.runner`).
RUNNERS: Mapping[str, SeriesRunner] = {
    "learner": learner_rows,
    "planner": planner_rows,
    "planner-same-info": same_information_rows,
}


def run_task(
    task: Task, simulator: Simulator | None = None, runner: SeriesRunner | None = None
) -> list[dict[str, Any]]:
    """Run one task through ``runner`` (default: the one its series names in
    :data:`RUNNERS`) and return its rows (one per run, without provenance)."""
    networks = [draw_network(task.config, s, task.figure, task.network_point) for s in task.seeds]
    if runner is None:
        runner = RUNNERS[task.series.runner]
    return runner(task, networks, simulator)


def run_task_in_worker(
    task: Task, simulator: Simulator | None = None, runner: SeriesRunner | None = None
) -> list[dict[str, Any]]:
    """:func:`run_task` in a worker process: an exception raised in a plug-in learner comes
    back as a :class:`~jcaco.errors.PluginError` (class, method, error and the traceback as
    text), since the frames that name the plug-in do not cross processes."""
    try:
        return run_task(task, simulator, runner)
    except Exception as exc:
        where = plugin_frame(exc)
        if where is None:
            raise
        trace = "".join(traceback.format_exception(exc))
        raise PluginError(*where, exc.__class__.__name__, str(exc), trace) from None


Work = Sequence[tuple[Task, SeriesRunner]]


def _serial(work: Work, simulator: Simulator | None) -> Generator[list[dict], None, None]:
    for task, runner in work:
        yield run_task(task, simulator, runner)


def _joblib(work: Work, simulator: Simulator | None, jobs: int) -> Generator[list, None, None]:
    from joblib import Parallel, delayed

    parallel = Parallel(n_jobs=jobs, return_as="generator_unordered")
    yield from parallel(delayed(run_task_in_worker)(t, simulator, r) for t, r in work)


def _dask(work: Work, simulator: Simulator | None, address: str) -> Generator[list, None, None]:
    try:
        from dask.distributed import Client, as_completed
    except ImportError:
        raise InputError(
            "needs Dask distributed; install it with pip install 'jcaco[distributed]'",
            field="--scheduler",
        ) from None
    try:
        client = Client(address, timeout="20s")
    except (OSError, ValueError, TimeoutError) as exc:
        raise InputError(
            f"cannot reach a Dask scheduler at {address!r} ({exc}); allowed: the address a "
            "running scheduler prints, e.g. tcp://HOST:8786",
            field="--scheduler",
        ) from None
    futures = [client.submit(run_task_in_worker, t, simulator, r, pure=False) for t, r in work]
    try:
        for future in as_completed(futures):
            yield future.result()
    finally:
        client.cancel(futures)
        client.close()


def check_batches(
    experiments: Sequence[Experiment], seeds_per_task: int | None = None, jobs: int = 1
) -> None:
    """Refuse, before any seed is drawn, task batches that cannot fit in memory: the ``jobs``
    largest batches of the run at once, one per worker (fewer when the run has fewer), each
    (experiment, point, series) in batches of ``seeds_per_task`` seeds, else of all its seeds
    (:func:`jcaco.scenario.limits.check_batch_memory`, naming ``--seeds-per-task`` or
    ``--seeds``, and the largest batch)."""
    option = "--seeds-per-task" if seeds_per_task else "--seeds"
    # every batch size of the run: (bytes, how many, shape, where); a series' runs split into
    # full batches and one smaller rest
    sizes: list[tuple[int, int, tuple[int, int, int, int, int, int], str]] = []
    for exp in experiments:
        recorded = exp.slots if exp.layout.records_users else 0
        for point in range(len(exp.points)):
            c = exp.config_at(point)
            for series in exp.series_at(point):
                runs = series.seed_count(exp.seeds)
                chunk = min(runs, seeds_per_task or runs) or 1
                for batch, count in ((chunk, runs // chunk), (runs % chunk, 1)):
                    shape = (c.num_users, c.num_aps, c.num_servers, batch, recorded, exp.slots)
                    if batch and count:
                        sizes.append(
                            (batch_bytes(*shape), count, shape, f"{exp.name} point {point}")
                        )
    sizes.sort(key=lambda size: -size[0])  # stable: the first of the largest is named
    workers, held, needed = max(1, jobs), 0, 0
    for size, count, _, _ in sizes:  # the largest first, as many as there are workers
        take = min(count, workers - held)
        held, needed = held + take, needed + take * size
        if held == workers:
            break
    if sizes:
        (n, m, k, batch, recorded, slots), where = sizes[0][2], sizes[0][3]
        check_batch_memory(n, m, k, batch, option=option, recorded_slots=recorded, slots=slots,
                           batches=held, where=where, needed_bytes=needed)  # fmt: skip


@dataclass(frozen=True)
class SweepOutcome:
    """What :func:`run_sweep` did."""

    tasks_total: int
    tasks_run: int
    rows_needed: list[tuple[str, int]]


@dataclass(frozen=True)
class RunOptions:
    """How a sweep runs: built once (by :func:`jcaco.api.reproduce`, from the options of
    ``jcaco reproduce``) and passed down to :func:`run_sweep`, so no layer relays them one by
    one. Apart from ``root_seed``, none of them changes a stored row.

    Attributes
    ----------
    root_seed : int
        Root seed of every task's named streams (``--seed``).
    jobs : int
        joblib workers (1: serial, in this process).
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://HOST:PORT``); overrides ``jobs``.
    seeds_per_task : int, optional
        Split each (experiment, point, series) into tasks of this many runs.
    on_start, on_task : callable, optional
        Progress hooks: the number of tasks to run, then once per finished task.
    """

    root_seed: int = 0
    jobs: int = 1
    scheduler: str | None = None
    seeds_per_task: int | None = None
    on_start: Callable[[int], None] | None = None
    on_task: Callable[[Task | None], None] | None = None

    @property
    def workers(self) -> int:
        """Worker processes one batch shares memory with (1 with a Dask scheduler)."""
        return 1 if self.scheduler else self.jobs

    @property
    def runner(self) -> str:
        """The run table's "runner" line: the Dask address, joblib or serial."""
        return self.scheduler or (f"joblib, {self.jobs} jobs" if self.jobs > 1 else "serial")


def run_sweep(
    experiments: Sequence[Experiment],
    store: ResultsStore,
    options: RunOptions = RunOptions(),  # noqa: B008 (frozen, immutable)
    *,
    simulator: Simulator | None = None,
    limit: int | None = None,
    runners: Mapping[str, SeriesRunner] | None = None,
) -> SweepOutcome:
    """Run every missing task of ``experiments`` and store its rows as it finishes.

    Parameters
    ----------
    options : RunOptions
        Root seed, workers or scheduler, seeds per task, progress hooks.
    simulator : callable, optional
        Stand-in for :func:`jcaco.sim.simulate.simulate` (tests).
    limit : int, optional
        Stop after this many tasks (as an interrupted run would).
    runners : mapping, optional
        Runners by name, over :data:`RUNNERS` (a series names its runner).
    """
    seeds_per_task, scheduler, jobs = options.seeds_per_task, options.scheduler, options.jobs
    check_batches(experiments, seeds_per_task, options.workers)
    tasks, needed = plan(experiments, options.root_seed, store.done(), seeds_per_task)
    tasks.sort(key=lambda t: -t.cost)
    if limit is not None:
        tasks = tasks[:limit]
    if options.on_start is not None:
        options.on_start(len(tasks))
    available = {**RUNNERS, **(runners or {})}
    unknown = sorted({t.series.runner for t in tasks} - set(available))
    if unknown:
        raise InputError(
            f"unknown runner(s) {', '.join(unknown)}; allowed: {', '.join(sorted(available))}",
            field="runner",
        )
    work = [(t, available[t.series.runner]) for t in tasks]
    stamp = provenance()
    if scheduler:
        results = _dask(work, simulator, scheduler)
    elif jobs > 1 and len(tasks) > 1:
        results = _joblib(work, simulator, jobs)
    else:
        results = _serial(work, simulator)
    done = 0
    try:
        for rows in results:
            store.write_part([{**r, **stamp} for r in rows])
            done += 1
            if options.on_task is not None:
                options.on_task(None)
    finally:  # on an error, Ctrl-C or SIGTERM: stop the workers now (joblib kills them)
        results.close()
    return SweepOutcome(len(tasks), done, needed)


__all__ = [
    "RUNNERS",
    "RunOptions",
    "SeriesRunner",
    "check_batches",
    "Task",
    "draw_network",
    "learner_rows",
    "plan",
    "run_sweep",
    "run_task",
    "run_task_in_worker",
    "task_key",
]
