"""The task grid of a reproduction and its runners: serial, joblib, Dask distributed.

A task is one (experiment, point, series) with the seeds still missing from the store; it
draws one network per seed (common random numbers: every algorithm at a point sees the same
networks, activity, fading and mobility), runs them as one batch through
:func:`jcaco.sim.simulate.simulate` and returns one row per seed. Tasks are pure functions of
their fields, so serial, joblib and Dask runs give identical rows; only the driver writes to
the store.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from jcaco.errors import InputError
from jcaco.experiments.paper import PLANNER_ALGORITHM, Experiment, Series, seed_count
from jcaco.experiments.store import STORE_FORMAT, ResultsStore, provenance
from jcaco.model.build import infeasible_users
from jcaco.rng import stream
from jcaco.scenario.generator import GeneratorConfig, generate_network
from jcaco.scenario.network import Network

#: Most points kept in a stored curve (slots are averaged in equal bins).
CURVE_POINTS = 200
#: Redraws allowed for a network with a user no server can serve.
MAX_REDRAWS = 100

Simulator = Callable[..., Any]


@dataclass(frozen=True)
class Task:
    """One (experiment, point, series) run over ``seeds`` (a batch)."""

    experiment: str
    figure: int
    point: int
    network_point: int
    x_name: str
    x: float
    series: Series
    seeds: tuple[int, ...]
    slots: int
    window: int
    config: GeneratorConfig
    record_users: bool
    key: str
    root_seed: int = 0

    @property
    def cost(self) -> float:
        """Rough relative cost (for scheduling the longest tasks first)."""
        heavy = 4.0 if self.series.algorithm == "br" else 1.0
        if self.series.algorithm == PLANNER_ALGORITHM:
            heavy = 1.5  # a replay plus one MILP per sampled slot and seed: about masl's cost
        return heavy * len(self.seeds) * self.slots * self.config.num_users


def task_key(exp: Experiment, point: int, series: Series) -> str:
    """Hash of everything that determines a row except its seed."""
    doc = {
        "format": STORE_FORMAT,
        "experiment": exp.name,
        "point": point,
        "x": exp.points[point],
        "series": [series.label, series.algorithm, dict(sorted(series.params.items()))],
        "slots": exp.slots,
        "window": exp.window,
        "config": asdict(exp.config_at(point)),
        "network": [exp.number, exp.network_point(point)],
    }
    text = json.dumps(doc, sort_keys=True, default=str)
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def seeds_of(exp: Experiment, root_seed: int) -> tuple[int, ...]:
    """The root seeds of an experiment's runs: ``root_seed, root_seed + 1, ...``."""
    return tuple(range(root_seed, root_seed + exp.seeds))


def plan(
    experiments: Sequence[Experiment],
    root_seed: int,
    done: set[tuple[str, int]] | None = None,
    seeds_per_task: int | None = None,
) -> tuple[list[Task], list[tuple[str, int]]]:
    """The tasks still to run and the identities of every row the run needs.

    A task batches the missing seeds of one (experiment, point, series), or chunks of
    ``seeds_per_task`` of them (more, smaller tasks for many workers; the rows are the same).
    """
    done = done or set()
    tasks: list[Task] = []
    needed: list[tuple[str, int]] = []
    for exp in experiments:
        for point in range(len(exp.points)):
            config = exp.config_at(point)
            for series in exp.series_at(point):
                key = task_key(exp, point, series)
                seeds = seeds_of(exp, root_seed)[: seed_count(series, exp.seeds)]
                needed.extend((key, s) for s in seeds)
                missing = tuple(s for s in seeds if (key, s) not in done)
                chunk = seeds_per_task or max(1, len(missing))
                for start in range(0, len(missing), chunk):
                    tasks.append(
                        Task(
                            experiment=exp.name,
                            figure=exp.number,
                            point=point,
                            network_point=exp.network_point(point),
                            x_name=exp.x_name,
                            x=exp.points[point],
                            series=series,
                            seeds=missing[start : start + chunk],
                            slots=exp.slots,
                            window=exp.window,
                            config=config,
                            record_users=exp.kind == "users",
                            key=key,
                            root_seed=root_seed,
                        )
                    )
    return tasks, needed


def draw_network(config: GeneratorConfig, seed: int, figure: int, point: int) -> Network:
    """Seed ``seed``'s network at a point: stream ``scenario`` keyed by (figure, point, try);
    a draw with a user no server can serve is redrawn (deterministically)."""
    for attempt in range(MAX_REDRAWS):
        net = generate_network(config, stream(seed, "scenario", figure, point, attempt))
        if infeasible_users(net).size == 0:
            return net
    raise InputError(
        f"no feasible network in {MAX_REDRAWS} draws for seed {seed}; allowed: ranges where "
        "some server meets every max_error within max_steps",
        field="max_error",
    )


def _bins(series: np.ndarray, width: int) -> np.ndarray:
    """Means over consecutive bins of ``width`` slots along axis 0 (NaN-aware: an all-NaN
    bin, e.g. a user inactive throughout, stays NaN)."""
    edges = range(0, series.shape[0], width)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.stack([np.nanmean(series[e : e + width], axis=0) for e in edges])


def _nan_to_none(values: np.ndarray) -> list[Any]:
    return [None if not np.isfinite(v) else float(v) for v in np.ravel(values)]


def row_identity(task: Task, seed: int, num_users: int, window: int) -> dict[str, Any]:
    """The columns of a row that say which run it is (every series' rows start with them)."""
    return {
        "experiment": task.experiment,
        "x_name": task.x_name,
        "x": float(task.x),
        "point": task.point,
        "algorithm": task.series.label,
        "learner": task.series.algorithm,
        "params": json.dumps(dict(task.series.params), sort_keys=True),
        "seed": seed,
        "num_users": num_users,
        "slots": task.slots,
        "window": window,
    }


def run_task(task: Task, simulator: Simulator | None = None) -> list[dict[str, Any]]:
    """Run one task and return its rows (one per seed, without provenance).

    The planner's series (:mod:`jcaco.experiments.planner`) replays the dynamics instead of
    simulating a learner; ``simulator`` does not apply to it.
    """
    networks = [draw_network(task.config, s, task.figure, task.network_point) for s in task.seeds]
    if task.series.algorithm == PLANNER_ALGORITHM:
        from jcaco.experiments.planner import planner_rows

        return planner_rows(task, networks)
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
    for j, seed in enumerate(task.seeds):
        ever = np.flatnonzero(converged[:, j])
        rows.append(
            {
                **row_identity(task, int(seed), networks[j].num_users, window),
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
                "task_key": task.key,
            }
        )
    return rows


def _serial(tasks: Sequence[Task], simulator: Simulator | None) -> Iterator[list[dict]]:
    for task in tasks:
        yield run_task(task, simulator)


def _joblib(tasks: Sequence[Task], simulator: Simulator | None, jobs: int) -> Iterator[list]:
    from joblib import Parallel, delayed

    parallel = Parallel(n_jobs=jobs, return_as="generator_unordered")
    yield from parallel(delayed(run_task)(t, simulator) for t in tasks)


def _dask(tasks: Sequence[Task], simulator: Simulator | None, address: str) -> Iterator[list]:
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
    futures = [client.submit(run_task, t, simulator, pure=False) for t in tasks]
    try:
        for future in as_completed(futures):
            yield future.result()
    finally:
        client.cancel(futures)
        client.close()


@dataclass(frozen=True)
class SweepOutcome:
    """What :func:`run_sweep` did."""

    tasks_total: int
    tasks_run: int
    rows_needed: list[tuple[str, int]]


def run_sweep(
    experiments: Sequence[Experiment],
    store: ResultsStore,
    *,
    root_seed: int = 0,
    jobs: int = 1,
    scheduler: str | None = None,
    simulator: Simulator | None = None,
    on_start: Callable[[int], None] | None = None,
    on_task: Callable[[Task | None], None] | None = None,
    limit: int | None = None,
    seeds_per_task: int | None = None,
) -> SweepOutcome:
    """Run every missing task of ``experiments`` and store its rows as it finishes.

    Parameters
    ----------
    jobs : int
        joblib workers (1: serial, in this process).
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://HOST:PORT``); overrides ``jobs``.
    simulator : callable, optional
        Stand-in for :func:`jcaco.sim.simulate.simulate` (tests).
    on_start, on_task : callable, optional
        Progress hooks: the number of tasks to run, then once per finished task.
    limit : int, optional
        Stop after this many tasks (as an interrupted run would).
    seeds_per_task : int, optional
        Split each (experiment, point, series) into tasks of this many seeds.
    """
    tasks, needed = plan(experiments, root_seed, store.done(), seeds_per_task)
    tasks.sort(key=lambda t: -t.cost)
    if limit is not None:
        tasks = tasks[:limit]
    if on_start is not None:
        on_start(len(tasks))
    stamp = provenance(root_seed)
    if scheduler:
        results = _dask(tasks, simulator, scheduler)
    elif jobs > 1 and len(tasks) > 1:
        results = _joblib(tasks, simulator, jobs)
    else:
        results = _serial(tasks, simulator)
    done = 0
    for rows in results:
        store.write_part([{**r, **stamp} for r in rows])
        done += 1
        if on_task is not None:
            on_task(None)
    return SweepOutcome(len(tasks), done, needed)


__all__ = ["Task", "draw_network", "plan", "run_sweep", "run_task", "task_key"]
