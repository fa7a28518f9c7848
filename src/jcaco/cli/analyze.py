"""``jcaco analyze``: the optimum, the best/worst equilibria and every algorithm, in one table.

A thin shell over :func:`jcaco.api.analyze` (parse, call, print).
"""

from __future__ import annotations

import json
from typing import Any

import click

from jcaco.cli.options import (
    COUNT,
    POSITIVE_SECONDS,
    InputFile,
    algorithm_names,
    as_options,
    drop_infeasible_option,
    seed_option,
)
from jcaco.cli.output import OutputPath


def _f(value: float | None, spec: str = ".4f") -> str:
    return "unknown" if value is None else format(value, spec)


def _r(relation: str, value: float | None, spec: str = ".4f") -> str:
    """A value with its relation to the true one: ``1.2345``, ``>= 1.2345`` or
    ``1.2345 (not proven)``."""
    text = _f(value, spec)
    if relation == "=" or value is None:
        return text
    return f"{text} (not proven)" if relation == "not proven" else f"{relation} {text}"


def _proven(proven: bool) -> str:
    return "yes" if proven else "NOT PROVEN (a limit stopped the MILP)"


def _print(doc: dict[str, Any]) -> None:
    from rich.table import Table

    from jcaco.cli.output import table_console

    opt, eq, rel = doc["optimum"], doc["equilibria"], doc["relations"]
    console = table_console(highlight=False)
    console.print(
        f"optimum (15): {opt['objective_s']:.4f} s   lower bound: {opt['lower_bound_s']:.4f} s   "
        f"gap: {opt['gap']:.2e}   proven: {_proven(opt['proven'])}   "
        f"wall: {opt['wall_time_s']:.2f} s"
    )
    console.print(
        f"best equilibrium: {eq['best_s']:.4f} s (bound {_f(eq['best_lower_bound_s'])})   "
        f"worst equilibrium: {eq['worst_s']:.4f} s (bound {_f(eq['worst_upper_bound_s'])})   "
        f"proven: {_proven(eq['proven'])}   wall: {eq['wall_time_s']:.2f} s"
    )
    console.print(
        f"price of stability: {_r(rel['price_of_stability'], eq['price_of_stability'])}   "
        f"price of anarchy: {_r(rel['price_of_anarchy'], eq['price_of_anarchy'])}"
    )
    limits = doc["limits"]
    if limits["time_limit_s"] is not None:
        console.print(
            f"time limit {limits['time_limit_s']:g} s per MILP: the result may differ between "
            "runs and machines"
        )
    table = Table(
        title=f"jcaco analyze: N={doc['num_users']}, M={doc['num_aps']}, "
        f"K={doc['num_servers']}, seed {doc['seed']}"
    )
    for col in ("algorithm", "E total (15) s", "/ optimum", "is Nash", "iterations", "wall s"):
        table.add_column(col, justify="right")
    label = "OPT (exact)" if opt["proven"] else "OPT (not proven)"
    table.add_row(label, _r(rel["optimum"], opt["objective_s"], ".3f"), "1.000", "", "", "")
    table.add_row(
        "best NE",
        _r(rel["best_equilibrium"], eq["best_s"], ".3f"),
        _r(rel["price_of_stability"], eq["price_of_stability"], ".3f"),
    )
    table.add_row(
        "worst NE",
        _r(rel["worst_equilibrium"], eq["worst_s"], ".3f"),
        _r(rel["price_of_anarchy"], eq["price_of_anarchy"], ".3f"),
    )
    for a in doc["algorithms"]:
        table.add_row(
            a["algorithm"],
            f"{a['expected_total_service_time_s']:.3f}",
            _r(rel["ratio_to_optimum"], a["ratio_to_optimum"], ".3f"),
            str(a["is_nash"]),
            str(a["iterations"]),
            f"{a['wall_time_s']:.2f}",
        )
    console.print(table)


@click.command()
@click.argument("file", type=InputFile())
@seed_option(help="Root seed of the runs.")
@click.option(
    "--time-limit",
    type=POSITIVE_SECONDS,
    default=None,
    help="Opt-in wall-clock limit of each subgame problem [s] (2 for the optimum, 4 for the "
    "equilibria); the result may then differ between runs. Default: node limits only.",
)
@click.option(
    "--node-limit",
    type=COUNT,
    default=None,
    help="Branch-and-bound nodes of each optimum and equilibrium MILP (deterministic; "
    "default: that of jcaco.game.optimum.social_optimum, 1000).",
)
@click.option(
    "--iterations", type=COUNT, help="Slot budget per algorithm (default: as jcaco solve, 100000)."
)
@click.option(
    "--algorithms",
    help="Comma-separated names or package.module:Class paths to run (default: all registered).",
)
@drop_infeasible_option
@click.option("--json", "as_json", is_flag=True, help="Print the jcaco.analysis/1 JSON.")
@click.option("-o", "--output", type=OutputPath(), help="Also write the JSON.")
def analyze(
    file: str,
    seed: int,
    time_limit: float | None,
    node_limit: int | None,
    iterations: int | None,
    algorithms: str | None,
    drop_infeasible: bool,
    as_json: bool,
    output: str | None,
) -> None:
    """Optimum, best/worst equilibria, price of anarchy and every algorithm on FILE."""
    from jcaco.api import analyze as run_analyze
    from jcaco.game.optimum.social_optimum import DEFAULT_NODE_LIMIT
    from jcaco.io.files import write_json
    from jcaco.jobs.solve import DEFAULT_ITERATIONS
    from jcaco.learners.registry import PRICED

    names = algorithm_names(algorithms, also=PRICED)  # the planners, or learners
    with as_options(algorithm="--algorithms"):
        result = run_analyze(
            file,
            seed=seed,
            time_limit_s=time_limit,
            iterations=iterations or DEFAULT_ITERATIONS,
            algorithms=names,
            node_limit=node_limit or DEFAULT_NODE_LIMIT,
            progress=lambda line: click.echo(f"jcaco analyze: {line}", err=True),
            drop_infeasible=drop_infeasible,
        )
    doc = result.to_dict()
    if output:
        write_json(output, doc)
        click.echo(f"wrote {output}", err=True)
    if as_json:
        click.echo(json.dumps(doc, indent=2))
    else:
        _print(doc)


COMMANDS = [analyze]
