"""The paper's reproduction, end to end: select the experiments, run the sweep under the
store's lock, then draw the store's final files and the report (what ``jcaco reproduce`` and
:func:`jcaco.api.reproduce` do; the options are documented there).

It lives here, above ``experiments`` (the sweep) and beside the report it draws: the layers
(``tests/test_layering.py``) let ``experiments`` import neither.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from jcaco.experiments.paper import Experiment
from jcaco.experiments.store import ResultsStore
from jcaco.experiments.sweep import RunOptions


def reproduce(
    output: str | Path,
    options: RunOptions,
    *,
    only: Sequence[str] | None,
    quick: bool,
    seeds: int | None,
    slots: int | None,
    algorithms: Sequence[str] | None,
    wait_lock: bool,
    on_wait: Callable[[str], None] | None,
) -> dict[str, Any]:
    """:func:`jcaco.api.reproduce` (see there), its run options as one :class:`RunOptions`."""
    from jcaco.experiments.paper import select, with_algorithms
    from jcaco.experiments.sweep import check_batches
    from jcaco.io.output_paths import check_output
    from jcaco.learners.registry import resolve

    experiments = select(list(only) if only else None, quick=quick, seeds=seeds, slots=slots)
    if algorithms is not None:
        for name in algorithms:
            resolve(name)  # fail early, in this process, with one line naming it
        experiments = with_algorithms(experiments, list(algorithms))
    check_batches(experiments, options.seeds_per_task, options.workers)  # before any output
    check_output(output, folder=True)  # an existing file, a FIFO: refused before any work
    store = ResultsStore(output)
    fresh = not store.directory.exists()
    try:
        with store.lock(wait=wait_lock, on_wait=on_wait):
            return _reproduce_locked(
                store, experiments, options, quick=quick, algorithms=algorithms
            )
    except BaseException:
        if fresh:  # a run that failed before storing anything leaves no folder behind
            _remove_if_unused(store)
        raise


def _remove_if_unused(store: ResultsStore) -> None:
    """Remove the store's folder if it holds nothing but its lock and an empty ``parts/``
    (what the failed run made); anything else, a stored part above all, is kept."""
    from jcaco.experiments.store import LOCK_NAME

    folder = store.directory
    try:
        if store.parts.is_dir() and not any(store.parts.iterdir()):
            store.parts.rmdir()
        if {p.name for p in folder.iterdir()} <= {LOCK_NAME}:
            (folder / LOCK_NAME).unlink(missing_ok=True)
            folder.rmdir()
    except OSError:  # another process is using it: leave it
        pass


def _reproduce_locked(
    store: ResultsStore,
    experiments: Sequence[Experiment],
    options: RunOptions,
    *,
    quick: bool,
    algorithms: Sequence[str] | None,
) -> dict[str, Any]:
    """:func:`reproduce` once the store's lock is held."""
    from jcaco.experiments.learned import prepare
    from jcaco.experiments.sweep import run_sweep
    from jcaco.io.files import provenance
    from jcaco.report.html import write_report

    start = time.perf_counter()
    # the learned series' policy: trained, or loaded from the store (--only learned)
    experiments, runners, learned = prepare(experiments, store.directory, quick=quick)
    outcome = run_sweep(experiments, store, options, runners=runners)
    sweep_s = time.perf_counter() - start
    table = store.read(outcome.rows_needed)
    run = {
        "experiments": ", ".join(e.name for e in experiments),
        "seeds per point": ", ".join(sorted({str(e.seeds) for e in experiments})),
        "slots per run": ", ".join(sorted({str(e.slots) for e in experiments})),
        "tail window W": ", ".join(sorted({str(e.window) for e in experiments})),
        "root seed": options.root_seed,
        "quick": quick,
        "runner": options.runner,
        "tasks run / total": f"{outcome.tasks_run} / {outcome.tasks_total}",
        "rows": table.num_rows,
        "sweep wall time s": f"{sweep_s:.1f}",
        **provenance(),
    }
    if algorithms is not None:
        run["algorithms"] = ", ".join(algorithms)
    if learned is not None:
        how = "trained by this run" if learned["trained_now"] else "loaded from the store"
        run["learned policy"] = f"{learned['path']} ({how})"
    with store.final_files() as folder:
        results = store.consolidate(table, run, folder)
        extra = {} if learned is None else {"learned": learned}  # the report's learned section
        drawn = write_report(table, folder, run, **extra)
    paths = {key: store.directory / path.name for key, path in drawn.items()}
    return {
        "report": str(paths["report"]),
        "store": str(results),
        "summary": str(paths["summary"]),
        "figures": sorted(str(p) for k, p in paths.items() if k.startswith("fig")),
        "rows": table.num_rows,
        "tasks_run": outcome.tasks_run,
        "tasks_total": outcome.tasks_total,
        "wall_time_s": round(time.perf_counter() - start, 3),
        "run": run,
    }


__all__ = ["reproduce"]
