"""The ``jcaco`` command line: a thin shell that parses, calls the library and prints.

Exit status: 0 on success, 2 for bad input or usage (one line on standard error, no
traceback), 1 for an internal error.
"""

from __future__ import annotations

import json
import sys
import warnings
from collections.abc import Sequence
from typing import Any, TextIO

import click

from jcaco import __version__
from jcaco.errors import InputError

_MAX_TABLE_ROWS = 40
_EPILOG = "Docs: README.md and docs/ (formats, algorithms, reproduction)."


def _parse_params(pairs: Sequence[str], flag: str = "--param") -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        if "=" not in pair:
            raise InputError(f"{pair!r} must look like name=value", field=flag)
        key, value = pair.split("=", 1)
        out[key.strip().replace("-", "_")] = value.strip()
    return out


def _echo_json(document: dict[str, Any]) -> None:
    """Print a document as JSON (indented when small, compact when large)."""
    from jcaco.files import dumps_json

    click.echo(dumps_json(document).decode(), nl=False)


def _emit(document: dict[str, Any], output: str | None) -> None:
    from jcaco.files import write_json

    if output:
        write_json(output, document)
        click.echo(f"wrote {output}", err=True)
    else:
        _echo_json(document)


@click.group(epilog=_EPILOG)
@click.version_option(__version__, prog_name="jcaco")
def cli() -> None:
    """jcaco: the JCACO game and MASL learning for MEC-enabled AIGC networks."""


@cli.command()
@click.option("--preset", default="paper", show_default=True, help="Named parameter set.")
@click.option("--users", type=int, help="Number of users N.")
@click.option("--aps", type=int, help="Number of APs M.")
@click.option("--servers", type=int, help="Number of edge servers K.")
@click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="NAME=VALUE",
    help="Override a generator parameter; a range as lo,hi (e.g. bandwidth_hz=2e6,1e7).",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--catalog",
    is_flag=False,
    flag_value="",
    default=None,
    metavar="[FILE]",
    help="Servers from real models: the shipped catalog, a measurements CSV or a "
    "jcaco.servers/1 file (docs/catalog.md).",
)
@click.option("--models", metavar="A,B", help="With --catalog: the models to draw from.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here (else stdout).")
def generate(
    preset: str,
    users: int | None,
    aps: int | None,
    servers: int | None,
    overrides: tuple[str, ...],
    seed: int,
    catalog: str | None,
    models: str | None,
    output: str | None,
) -> None:
    """Draw a network from the paper's Table III (a jcaco.scenario/1 file; .parquet: Parquet)."""
    from dataclasses import replace

    from jcaco.errors import UnknownNameError
    from jcaco.rng import stream
    from jcaco.scenario.generator import PRESETS, generate_network, with_overrides
    from jcaco.scenario.network import network_to_dict
    from jcaco.scenario.parquet_io import is_parquet
    from jcaco.scenario.scenario_parquet import write_network_parquet

    if preset not in PRESETS:
        raise UnknownNameError(
            f"unknown preset {preset!r}; allowed: {', '.join(PRESETS)}", field="--preset"
        )
    changes: dict[str, Any] = {}
    for key, text in _parse_params(overrides, "--set").items():
        changes[key] = text.split(",") if "," in text else text
    for key, value in (("num_users", users), ("num_aps", aps), ("num_servers", servers)):
        if value is not None:
            changes[key] = value
    config = with_overrides(PRESETS[preset], changes)
    if catalog is not None:
        from jcaco.model.catalog_servers import catalog_config

        names = [m.strip() for m in models.split(",") if m.strip()] if models else None
        config = catalog_config(config, catalog or None, names)
    elif models:
        raise InputError("needs --catalog", field="--models")
    net = generate_network(config, stream(seed, "scenario"))
    meta = {
        "generator": preset,
        "seed": seed,
        "version": __version__,
        "overrides": {k: str(v) for k, v in changes.items()},
    }
    if catalog is not None:
        meta["catalog"] = {"file": catalog or "shipped", "models": models or "all"}
    net = replace(net, meta=meta)
    if output and is_parquet(output):
        write_network_parquet(net, output)
        click.echo(f"wrote {output}", err=True)
    else:
        _emit(network_to_dict(net), output)


@cli.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--fading", type=click.Choice(["mean", "sample"]), default="mean", show_default=True)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for sampled fading.")
@click.option("--drop-infeasible", is_flag=True, help="Drop users no server can serve.")
@click.option("-o", "--output", type=click.Path(dir_okay=False))
def instance(
    scenario: str, fading: str, seed: int, drop_infeasible: bool, output: str | None
) -> None:
    """Build the game of a scenario (a jcaco.instance/1 file; .parquet: Parquet)."""
    from jcaco.model.build import instance_to_dict
    from jcaco.model.files import load_game
    from jcaco.model.instance_parquet import write_instance_parquet
    from jcaco.rng import stream
    from jcaco.scenario.parquet_io import is_parquet

    game = load_game(
        scenario,
        fading=fading,  # type: ignore[arg-type]
        rng=stream(seed, "fading"),
        drop_infeasible=drop_infeasible,
    )
    meta = {"seed": seed if fading == "sample" else None, "version": __version__}
    if output and is_parquet(output):
        write_instance_parquet(game, output, meta)
        click.echo(f"wrote {output}", err=True)
    else:
        _emit(instance_to_dict(game, meta), output)


def _print_result(doc: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    num_users = len(doc["ap"])
    if num_users > _MAX_TABLE_ROWS:
        console.print(_summary_table(doc))
        console.print(f"({num_users} users: a summary; --json or -o FILE for every user)")
    else:
        table = Table(title=f"jcaco {doc['algorithm']} (seed {doc['seed']})")
        for col in ("user", "ap", "server", "steps", "E[U|active] s", "cost s"):
            table.add_column(col, justify="right")
        rows = zip(
            doc["ap"],
            doc["server"],
            doc["steps"],
            doc["expected_service_time_s"],
            doc["expected_cost_s"],
            strict=True,
        )
        for i, (a, s, st, u, c) in enumerate(rows):
            table.add_row(str(i), str(a), str(s), str(st), f"{u:.3f}", f"{c:.3f}")
        console.print(table)
    console.print(
        f"expected total service time (15): {doc['expected_total_service_time_s']:.3f} s   "
        f"Nash gap: {doc['nash_gap_s']:.3g} s   is_nash: {doc['is_nash']}   "
        f"iterations: {doc['iterations']}   converged: {doc['converged']}   "
        f"wall: {doc['wall_time_s']:.3f} s"
    )


def _summary_table(doc: dict[str, Any]) -> Any:
    """Per-user columns of a large result as quantiles, and the users per AP and server."""
    import numpy as np
    from rich.table import Table

    table = Table(title=f"jcaco {doc['algorithm']} (seed {doc['seed']}), {len(doc['ap'])} users")
    quantiles = (0.0, 0.25, 0.5, 0.75, 1.0)
    table.add_column("per user", justify="left")
    for name in ("min", "25%", "median", "75%", "max", "mean"):
        table.add_column(name, justify="right")
    rows = (
        ("steps", doc["steps"], "{:.0f}"),
        ("E[U|active] s", doc["expected_service_time_s"], "{:.3f}"),
        ("cost s", doc["expected_cost_s"], "{:.3f}"),
        ("users per AP", np.bincount(np.asarray(doc["ap"])), "{:.0f}"),
        ("users per server", np.bincount(np.asarray(doc["server"])), "{:.0f}"),
    )
    for label, values, fmt in rows:
        array = np.asarray(values, dtype=float)
        cells = [fmt.format(q) for q in np.quantile(array, quantiles)]
        table.add_row(label, *cells, f"{array.mean():.3f}")
    return table


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--algorithm",
    "-a",
    default="masl",
    show_default=True,
    help="Algorithm name (see `jcaco list`) or package.module:ClassName.",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--iterations", type=int, help="Slot budget (default 100000; stops at convergence).")
@click.option("--learning-rate", type=float, help="MASL: sets both b_c and b_o.")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="Hyperparameter.")
@click.option("--drop-infeasible", is_flag=True, help="Drop users no server can serve.")
@click.option("--json", "as_json", is_flag=True, help="Print the jcaco.result/1 JSON.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Also write the JSON.")
def solve(
    file: str,
    algorithm: str,
    seed: int,
    iterations: int | None,
    learning_rate: float | None,
    params: tuple[str, ...],
    drop_infeasible: bool,
    as_json: bool,
    output: str | None,
) -> None:
    """Solve a scenario or instance with one algorithm and certify the result."""
    from jcaco.learners.registry import make_learner
    from jcaco.model.files import load_game
    from jcaco.rng import check_seed
    from jcaco.sim.solve import DEFAULT_ITERATIONS
    from jcaco.sim.solve import solve as run_solve

    check_seed(seed)
    hyper: dict[str, Any] = _parse_params(params)
    if learning_rate is not None:
        if algorithm != "masl":
            raise InputError("only applies to --algorithm masl", field="--learning-rate")
        if not 0 < learning_rate <= 1:
            raise InputError(f"must be in (0, 1], got {learning_rate}", field="--learning-rate")
        hyper.setdefault("learning_rate_ap", learning_rate)
        hyper.setdefault("learning_rate_server", learning_rate)
    make_learner(algorithm, hyper)  # validate the name and parameters before loading
    if iterations is not None and iterations < 1:
        raise InputError(f"must be >= 1, got {iterations}", field="--iterations")
    game = load_game(file, drop_infeasible=drop_infeasible)
    try:
        result = run_solve(
            game,
            algorithm,
            seed=seed,
            iterations=iterations or DEFAULT_ITERATIONS,
            params=hyper,
        )
    except ValueError as exc:  # a hyperparameter outside its range
        raise InputError(str(exc), field="--param") from None
    doc = result.to_dict()
    if output:
        _write_result(output, doc)
    if as_json:
        _echo_json(doc)
    else:
        _print_result(doc)


def _write_result(output: str, doc: dict[str, Any]) -> None:
    """Write a result document as JSON or, by the ``.parquet`` suffix, Parquet."""
    from jcaco.files import write_json
    from jcaco.scenario.parquet_io import is_parquet, write_document_parquet
    from jcaco.sim.schema import ResultModel

    if is_parquet(output):
        write_document_parquet(output, doc, ResultModel)
    else:
        write_json(output, doc)


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--assignment", required=True, type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the jcaco.result/1 JSON.")
def evaluate(file: str, assignment: str, as_json: bool) -> None:
    """Score a given assignment on a scenario or instance."""
    from jcaco.model.files import load_game
    from jcaco.sim.evaluate import evaluate_assignment, load_assignment

    game = load_game(file)
    try:
        result = evaluate_assignment(game, load_assignment(assignment))
    except InputError as exc:
        raise exc.with_source(assignment) from None
    doc = result.to_dict()
    if as_json:
        _echo_json(doc)
    else:
        _print_result(doc)


@cli.command()
@click.argument("kind", type=click.Choice(["scenario", "instance", "result"]))
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["json", "parquet"]),
    default="json",
    show_default=True,
    help="json: the JSON Schema; parquet: the Parquet layout (columns, metadata keys).",
)
def schema(kind: str, file_format: str) -> None:
    """Print the JSON Schema, or the Parquet layout, of a file kind."""
    from jcaco.sim.schema import SCHEMAS

    if file_format == "parquet":
        from jcaco.sim.file_layout import parquet_layout

        click.echo(json.dumps(parquet_layout(kind), indent=2))
        return
    click.echo(json.dumps(SCHEMAS[kind].model_json_schema(by_alias=True), indent=2))


def _catalogue() -> dict[str, Any]:
    """Algorithms (with their declared information, role and parameters), presets, experiments."""
    from jcaco.learners.registry import available
    from jcaco.scenario.generator import PRESETS

    try:
        from jcaco.experiments.paper import EXPERIMENTS
    except ImportError:
        EXPERIMENTS = {}
    return {
        "algorithms": [
            {
                "name": name,
                "information": cls().declares().as_dict(),
                "role": cls.role,
                "params": cls.param_names(),
            }
            for name, cls in available().items()
        ],
        "presets": [
            {"name": name, "users": c.num_users, "aps": c.num_aps, "servers": c.num_servers}
            for name, c in PRESETS.items()
        ],
        "experiments": [
            {"name": name, "title": exp.title, "default": exp.in_default}
            for name, exp in EXPERIMENTS.items()
        ],
    }


@cli.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print the catalogue as JSON.")
def list_(as_json: bool) -> None:
    """List the algorithms (what each sees, its role, its parameters), presets, experiments."""
    catalogue = _catalogue()
    if as_json:
        click.echo(json.dumps(catalogue, indent=2))
        return
    click.echo("algorithms (information: activity / channel / others; role):")
    for algo in catalogue["algorithms"]:
        info = algo["information"]
        seen = f"{info['activity']} / {info['channel']} / {info['others']}"
        params = ", ".join(algo["params"]) or "-"
        click.echo(f"  {algo['name']:<13} {seen:<26} {algo['role']:<10} params: {params}")
    click.echo("presets:")
    for p in catalogue["presets"]:
        click.echo(f"  {p['name']:<13} N={p['users']} M={p['aps']} K={p['servers']}")
    if catalogue["experiments"]:
        click.echo("experiments:")
        for exp in catalogue["experiments"]:
            extra = "" if exp["default"] else "  (only with --only)"
            click.echo(f"  {exp['name']:<13} {exp['title']}{extra}")


def _register_optional_commands() -> None:
    """Add the commands that live in their own modules (``jcaco/cli_*.py``)."""
    import importlib

    for name in (
        "cli_simulate",
        "cli_reproduce",
        "cli_analyze",
        "cli_theory",
        "cli_calibrate",
        "cli_learners",
    ):
        try:
            module = importlib.import_module(f"jcaco.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"jcaco.{name}":
                raise
            continue
        for command in module.COMMANDS:
            cli.add_command(command)


_register_optional_commands()


def _one_line_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """Show a warning as ``jcaco: warning: ...`` (no source path or code line)."""
    click.echo(f"jcaco: warning: {message}", err=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run the CLI and map errors to exit statuses."""
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _one_line_warning
            code = cli.main(args=list(argv) if argv is not None else None, standalone_mode=False)
    except InputError as exc:
        click.echo(f"jcaco: error: {exc.one_line()}", err=True)
        return 2
    except click.exceptions.Abort:
        click.echo("jcaco: aborted", err=True)
        return 130
    except click.UsageError as exc:
        command = exc.ctx.command_path if exc.ctx else "jcaco"
        click.echo(f"{command}: error: {exc.format_message()}", err=True)
        return 2
    except click.ClickException as exc:
        click.echo(f"jcaco: error: {exc.format_message()}", err=True)
        return 2
    except KeyboardInterrupt:
        click.echo("jcaco: interrupted", err=True)
        return 130
    return code if isinstance(code, int) else 0  # a command's ctx.exit(status)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
