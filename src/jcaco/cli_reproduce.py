"""``jcaco reproduce``: run the paper's experiments and write the store, figures and report."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from jcaco.errors import InputError, UnknownNameError


def _names(only: str | None) -> list[str] | None:
    from jcaco.experiments.paper import EXPERIMENTS, GROUPS

    if not only:
        return None
    names = [n.strip() for n in only.split(",") if n.strip()]
    for name in names:
        if name not in EXPERIMENTS and name not in GROUPS:
            allowed = ", ".join([*EXPERIMENTS, *GROUPS])
            raise UnknownNameError(
                f"unknown experiment {name!r}; allowed: {allowed}", field="--only"
            )
    return names


def _positive(value: int | None, flag: str) -> None:
    if value is not None and value < 1:
        raise InputError(f"must be an integer >= 1, got {value}", field=flag)


@click.command()
@click.option("--quick", is_flag=True, help="A smaller run of every figure (a first look).")
@click.option(
    "--only",
    metavar="fig4,fig6",
    help="Comma-separated experiments or groups (jcaco list; 'catalog': catalog4,6,9; "
    "'all': every experiment). 'horizon' (the long run) and the catalog ones run only if named.",
)
@click.option("--seeds", type=int, help="Seeds R per point (default 20; --quick 3).")
@click.option("--slots", type=int, help="Slots T per run (default 2000; --quick 300).")
@click.option("--jobs", "-j", type=int, default=1, show_default=True, help="joblib workers.")
@click.option("--scheduler", metavar="ADDRESS", help="Dask scheduler, e.g. tcp://HOST:8786.")
@click.option(
    "--seeds-per-task", type=int, help="Split each point's seeds into tasks of this many."
)
@click.option("--seed", "root_seed", type=int, default=0, show_default=True, help="Root seed.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary; no progress bar.")
@click.option(
    "-o", "--output", default="results", show_default=True, type=click.Path(file_okay=False)
)
def reproduce(
    quick: bool,
    only: str | None,
    seeds: int | None,
    slots: int | None,
    jobs: int,
    scheduler: str | None,
    seeds_per_task: int | None,
    root_seed: int,
    as_json: bool,
    output: str,
) -> None:
    """Run the paper's experiments (Figs. 2-10) and write the results store, one PNG and PDF
    per figure, summary.csv and report.html into OUTPUT. A rerun resumes: stored rows are
    skipped. The long run (the end points of Figs. 4 and 9 at 20,000 slots) is not part of
    the default run or of --quick: --only horizon."""
    from jcaco import __version__
    from jcaco.experiments.paper import select
    from jcaco.experiments.progress import SweepProgress
    from jcaco.experiments.report import write_report
    from jcaco.experiments.store import ResultsStore, git_revision
    from jcaco.experiments.sweep import run_sweep
    from jcaco.rng import check_seed

    names = _names(only)
    _positive(seeds, "--seeds")
    _positive(slots, "--slots")
    _positive(jobs, "--jobs")
    _positive(seeds_per_task, "--seeds-per-task")
    check_seed(root_seed)
    if scheduler is not None and "://" not in scheduler:
        raise InputError(
            f"{scheduler!r} is not an address; allowed: tcp://HOST:PORT", field="--scheduler"
        )
    experiments = select(names, quick=quick, seeds=seeds, slots=slots)
    store = ResultsStore(output)
    start = time.perf_counter()
    try:
        with SweepProgress(enabled=False if as_json else None) as bar:
            outcome = run_sweep(
                experiments,
                store,
                root_seed=root_seed,
                jobs=jobs,
                scheduler=scheduler,
                seeds_per_task=seeds_per_task,
                on_start=bar.start,
                on_task=bar.advance,
            )
    except KeyboardInterrupt:
        click.echo(f"stored rows are kept in {store.parts}; rerun to resume", err=True)
        raise
    sweep_s = time.perf_counter() - start
    table = store.read(outcome.rows_needed)
    run = {
        "experiments": ", ".join(e.name for e in experiments),
        "seeds per point": ", ".join(sorted({str(e.seeds) for e in experiments})),
        "slots per run": ", ".join(sorted({str(e.slots) for e in experiments})),
        "tail window W": ", ".join(sorted({str(e.window) for e in experiments})),
        "root seed": root_seed,
        "quick": quick,
        "runner": scheduler or (f"joblib, {jobs} jobs" if jobs > 1 else "serial"),
        "tasks run / total": f"{outcome.tasks_run} / {outcome.tasks_total}",
        "rows": table.num_rows,
        "sweep wall time s": f"{sweep_s:.1f}",
        "version": __version__,
        "git revision": git_revision(),
    }
    results = store.consolidate(table, run)
    paths = write_report(table, output, run)
    doc = {
        "report": str(paths["report"]),
        "store": str(results),
        "summary": str(paths["summary"]),
        "figures": sorted(str(p) for k, p in paths.items() if k.startswith("fig")),
        "rows": table.num_rows,
        "tasks_run": outcome.tasks_run,
        "wall_time_s": round(time.perf_counter() - start, 3),
    }
    if as_json:
        click.echo(json.dumps(doc, indent=2))
    else:
        click.echo(f"store: {results}  ({table.num_rows} rows; {outcome.tasks_run} tasks run)")
        click.echo(f"report: {Path(paths['report']).resolve()}")


COMMANDS = [reproduce]
