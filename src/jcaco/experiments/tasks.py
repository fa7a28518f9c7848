"""The task grid of a reproduction and the identity of a stored row.

A task is one (experiment, point, series) with the runs still missing from the store. Run
``j`` of a point has the seed :func:`jcaco.rng.replication_seed` ``(root_seed, j)``, spawned
from the root seed (never ``root_seed + j``), so the replications of two root seeds share no
run. At a point every series' run ``j`` has the same seed, hence the same network, activity,
fading and mobility (common random numbers). A row is identified by ``(task_key, seed)``;
it also records ``root_seed`` and ``run``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from jcaco.errors import InputError
from jcaco.experiments.paper import Experiment
from jcaco.experiments.series import Series
from jcaco.experiments.store import STORE_FORMAT
from jcaco.model.build import infeasible_users
from jcaco.rng import replication_seed, stream
from jcaco.scenario.generator import GeneratorConfig, generate_network
from jcaco.scenario.network import Network

#: Redraws allowed for a network with a user no server can serve.
MAX_REDRAWS = 100


@dataclass(frozen=True)
class Task:
    """One (experiment, point, series) run over the runs ``runs`` (a batch).

    Attributes
    ----------
    figure, network_point : int
        The scenario stream key of the point's networks (:meth:`Experiment.network_key`).
    runs, seeds : tuple of int
        Run indices at the point and their seeds (``replication_seed(root_seed, run)``).
    key : str
        :func:`task_key`: everything that determines a row except its seed.
    """

    experiment: str
    figure: int
    point: int
    network_point: int
    x_name: str
    x: float
    series: Series
    runs: tuple[int, ...]
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
        return self.series.cost * len(self.seeds) * self.slots * self.config.num_users


def task_key(exp: Experiment, point: int, series: Series) -> str:
    """Hash of everything that determines a row except its seed."""
    doc = {
        "format": STORE_FORMAT,
        "experiment": exp.name,
        "point": point,
        "x": exp.points[point],
        "series": [series.label, series.algorithm, dict(sorted(series.params.items()))],
        "runner": series.runner,
        "slots": exp.slots,
        "window": exp.window,
        "config": asdict(exp.config_at(point)),
        "network": list(exp.network_key(point)),
    }
    text = json.dumps(doc, sort_keys=True, default=str)
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def run_seeds(root_seed: int, runs: int) -> tuple[int, ...]:
    """The seeds of runs ``0 .. runs-1`` under ``root_seed`` (spawned, not ``root + j``)."""
    return tuple(replication_seed(root_seed, j) for j in range(runs))


def plan(
    experiments: Sequence[Experiment],
    root_seed: int,
    done: set[tuple[str, int]] | None = None,
    seeds_per_task: int | None = None,
) -> tuple[list[Task], list[tuple[str, int]]]:
    """The tasks still to run and the identities ``(task_key, seed)`` of every row needed.

    A task batches the missing runs of one (experiment, point, series), or chunks of
    ``seeds_per_task`` of them (more, smaller tasks for many workers; the rows are the same).
    A series runs the first :meth:`Series.seed_count` runs of a point.
    """
    done = done or set()
    tasks: list[Task] = []
    needed: list[tuple[str, int]] = []
    for exp in experiments:
        seeds = run_seeds(root_seed, exp.seeds)
        for point in range(len(exp.points)):
            config = exp.config_at(point)
            figure, network_point = exp.network_key(point)
            for series in exp.series_at(point):
                key = task_key(exp, point, series)
                runs = range(series.seed_count(exp.seeds))
                needed.extend((key, seeds[j]) for j in runs)
                missing = tuple(j for j in runs if (key, seeds[j]) not in done)
                chunk = seeds_per_task or max(1, len(missing))
                for start in range(0, len(missing), chunk):
                    batch = missing[start : start + chunk]
                    tasks.append(
                        Task(
                            experiment=exp.name,
                            figure=figure,
                            point=point,
                            network_point=network_point,
                            x_name=exp.x_name_at(point),
                            x=exp.points[point],
                            series=series,
                            runs=batch,
                            seeds=tuple(seeds[j] for j in batch),
                            slots=exp.slots,
                            window=exp.window,
                            config=config,
                            record_users=exp.layout.records_users,
                            key=key,
                            root_seed=root_seed,
                        )
                    )
    return tasks, needed


def draw_network(
    config: GeneratorConfig, seed: int, figure: int, point: int, name: str = "scenario"
) -> Network:
    """Seed ``seed``'s network at a point: stream ``name`` (the figures' ``scenario``) keyed
    by (figure, point, try); a draw with a user no server can serve is redrawn
    (deterministically)."""
    for attempt in range(MAX_REDRAWS):
        net = generate_network(config, stream(seed, name, figure, point, attempt))
        if infeasible_users(net).size == 0:
            return net
    raise InputError(
        f"no feasible network in {MAX_REDRAWS} draws for seed {seed}; allowed: ranges where "
        "some server meets every max_error within max_steps",
        field="max_error",
    )


def row_identity(task: Task, j: int, num_users: int, window: int) -> dict[str, Any]:
    """The columns of the row of the task's ``j``-th run that say which run it is (every
    runner's rows start with them)."""
    return {
        "experiment": task.experiment,
        "x_name": task.x_name,
        "x": float(task.x),
        "point": task.point,
        "algorithm": task.series.label,
        "learner": task.series.algorithm,
        "role": task.series.role,
        "params": json.dumps(dict(task.series.params), sort_keys=True),
        "root_seed": int(task.root_seed),
        "run": int(task.runs[j]),
        "seed": int(task.seeds[j]),
        "num_users": num_users,
        "slots": task.slots,
        "window": window,
        "task_key": task.key,
    }


__all__ = ["Task", "draw_network", "plan", "row_identity", "run_seeds", "task_key"]
