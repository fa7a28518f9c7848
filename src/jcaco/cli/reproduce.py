"""``jcaco reproduce``: run the paper's experiments and write the store, figures and report."""

from __future__ import annotations

import json
from pathlib import Path

import click

from jcaco.cli.options import COUNT, SEED, algorithm_names, as_options
from jcaco.cli.output import OutputPath
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


# click cuts the first sentence of the docstring at "Figs." ("Run the paper's experiments (Figs.")
@click.command(short_help="Run the paper's Figs. 2-10: store, figures, report.")
@click.option("--quick", is_flag=True, help="A smaller run of every figure (a first look).")
@click.option(
    "--only",
    metavar="fig4,fig6",
    help="Comma-separated experiments or groups (jcaco list; 'catalog': catalog4,6,9; "
    "'beyond': Figs. 4-10 and beyond4-10, the learners beyond the paper against both "
    "planners; 'learned': a policy trained with MaskablePPO at Figs. 4 and 9, needs "
    "pip install 'jcaco[rl]'; 'all': every experiment but the learned ones). 'horizon' (the "
    "long run), the catalog, beyond and learned ones run only if named.",
)
@click.option("--seeds", type=COUNT, help="Seeds R per point (default 20; --quick 3).")
@click.option("--slots", type=COUNT, help="Slots T per run (default 2000; --quick 300).")
@click.option("--jobs", "-j", type=COUNT, default=1, show_default=True, help="joblib workers.")
@click.option("--scheduler", metavar="ADDRESS", help="Dask scheduler, e.g. tcp://HOST:8786.")
@click.option(
    "--seeds-per-task", type=COUNT, help="Split each point's seeds into tasks of this many."
)
@click.option("--seed", "root_seed", type=SEED, default=0, show_default=True, help="Root seed.")
@click.option(
    "--algorithms",
    metavar="masl,br,pkg.mod:Cls",
    help="Figs. 4-10's algorithms (the planners and the learned policy always stay); a name "
    "they lack (your package.module:Class) adds a series.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary; no progress bar.")
@click.option(
    "--wait-lock",
    is_flag=True,
    help="If another process is writing OUTPUT, wait for it (else: stop with exit status 2).",
)
@click.option("-o", "--output", default="results", show_default=True, type=OutputPath(folder=True))
def reproduce(
    quick: bool,
    only: str | None,
    seeds: int | None,
    slots: int | None,
    jobs: int,
    scheduler: str | None,
    seeds_per_task: int | None,
    root_seed: int,
    algorithms: str | None,
    as_json: bool,
    wait_lock: bool,
    output: str,
) -> None:
    """Run the paper's experiments (Figs. 2-10) and write the results store, one PNG and PDF
    per figure, summary.csv and report.html into OUTPUT. A rerun resumes: stored rows are
    skipped. The long run (the end points of Figs. 4 and 9 at 20,000 slots) is not part of
    the default run or of --quick: --only horizon."""
    from jcaco.api import reproduce as run_reproduce
    from jcaco.cli.progress import SweepProgress

    names = _names(only)
    if scheduler is not None and "://" not in scheduler:
        raise InputError(
            f"{scheduler!r} is not an address; allowed: tcp://HOST:PORT", field="--scheduler"
        )
    learners = algorithm_names(algorithms)
    try:
        with (
            SweepProgress(enabled=False if as_json else None) as bar,
            as_options(algorithm="--algorithms"),
        ):
            doc = run_reproduce(
                output,
                only=names,
                quick=quick,
                seeds=seeds,
                slots=slots,
                algorithms=learners,
                jobs=jobs,
                scheduler=scheduler,
                seeds_per_task=seeds_per_task,
                root_seed=root_seed,
                on_start=bar.start,
                on_task=bar.advance,
                wait_lock=wait_lock,
                on_wait=lambda message: click.echo(f"jcaco: {message}", err=True),
            )
    except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM: one line from jcaco.cli.app.main
        exc.add_note(f"stored rows are kept in {Path(output) / 'parts'}; rerun to resume")
        raise
    if as_json:
        doc = {k: v for k, v in doc.items() if k not in ("run", "tasks_total")}
        click.echo(json.dumps(doc, indent=2))
    else:
        click.echo(f"store: {doc['store']}  ({doc['rows']} rows; {doc['tasks_run']} tasks run)")
        click.echo(f"report: {Path(doc['report']).resolve()}")


COMMANDS = [reproduce]
