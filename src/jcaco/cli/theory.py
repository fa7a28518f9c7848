"""``jcaco theory``: run the checks of the paper's theory and print what they found."""

from __future__ import annotations

import json
from pathlib import Path

import click

from jcaco.cli.options import COUNT, seed_option
from jcaco.cli.output import OutputPath

#: What ``-o FOLDER`` holds (the folder is replaced whole: docs/formats.md).
THEORY_FILES = frozenset({"theory.json", "ode.png"})


@click.command()
@click.option(
    "--check",
    "check",
    type=click.Choice(["potential", "rho", "conditional", "ode", "all"]),
    default="all",
    show_default=True,
    help="Which check to run (docs/theory.md).",
)
@click.option(
    "--instances",
    type=COUNT,
    default=500,
    show_default=True,
    help="Random games per search (per game kind for the potential checks).",
)
@seed_option(help="Root seed.")
@click.option("--json", "as_json", is_flag=True, help="Print the numbers as JSON.")
@click.option(
    "-o",
    "--output",
    type=OutputPath(folder=True, owns=THEORY_FILES.__contains__),
    help="Write theory.json (and ode.png for the ODE check) into this folder.",
)
def theory(check: str, instances: int, seed: int, as_json: bool, output: str | None) -> None:
    """Check Theorems 1-4 and Lemmas 1-4 numerically (docs/model.md §3–4)."""
    from jcaco.theory.report import CHECKS, format_report, run_theory

    checks = CHECKS if check == "all" else (check,)
    report = run_theory(checks, instances=instances, seed=seed)
    document = report.to_dict()
    if output:
        from jcaco.io.files import write_json
        from jcaco.io.output_paths import atomic_folder

        folder = Path(output)
        written = [str(folder / "theory.json")]
        with atomic_folder(folder, THEORY_FILES.__contains__) as tmp:  # one run's files
            write_json(tmp / "theory.json", document)
            if report.ode is not None and report.ode_traces is not None:
                from jcaco.theory.ode_check import plot_ode

                plot_ode(report.ode, report.ode_traces, str(tmp / "ode.png"))
                written.append(str(folder / "ode.png"))
        click.echo("wrote " + ", ".join(written), err=True)
    if as_json:
        click.echo(json.dumps(document, indent=2))
    else:
        click.echo(format_report(report, checks))


COMMANDS = [theory]
