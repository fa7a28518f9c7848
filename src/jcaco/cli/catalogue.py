"""``jcaco schema`` and ``jcaco list``: the file layouts, and what can be run."""

from __future__ import annotations

import json
from typing import Any

import click


@click.command()
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
    """Algorithms (with their declared information, role, reading and parameters: each one's
    default, type and allowed range), the readings of the paper's ambiguities, presets,
    experiments. ``params`` keeps its former list of names; ``parameters`` has the detail.
    ``from_files``: the learners that run from a file (``policy``: ``--param path=NAME.npz`` or
    the name ``policy@NAME.npz``), in the same form; not in ``algorithms``, whose every entry
    runs with its default parameters (their ``information`` is the one without a file)."""
    from jcaco.experiments.paper import EXPERIMENTS
    from jcaco.learners.masl.normalisers import NORMALISERS, normaliser_reading
    from jcaco.learners.params import param_specs
    from jcaco.learners.readings import reading_of
    from jcaco.learners.registry import FROM_FILES, available
    from jcaco.scenario.generator import PRESETS

    def entry(name: str, cls: Any) -> dict[str, Any]:
        reading = reading_of(cls)
        return {
            "name": name,
            "information": cls().declares().as_dict(),
            "role": cls.role,
            "reading": None if reading is None else reading.as_dict(),
            "params": cls.param_names(),
            "parameters": [spec.as_dict() for spec in param_specs(cls)],
        }

    learners = available()
    algorithms = [entry(name, cls) for name, cls in learners.items()]
    readings = [r for r in map(reading_of, learners.values()) if r is not None]
    default = learners["masl"]().get_params()["normaliser"] if "masl" in learners else ""
    readings += [normaliser_reading(n, default) for n in NORMALISERS]
    unique = {(r.group, r.name): r.as_dict() for r in readings}
    return {
        "algorithms": algorithms,
        "readings": sorted(unique.values(), key=lambda r: (r["group"], not r["default"])),
        "from_files": [entry(name, cls) for name, cls in FROM_FILES.items()],
        "presets": [
            {"name": name, "users": c.num_users, "aps": c.num_aps, "servers": c.num_servers}
            for name, c in PRESETS.items()
        ],
        "experiments": [
            {"name": name, "title": exp.title, "default": exp.in_default}
            for name, exp in EXPERIMENTS.items()
        ],
    }


def _echo_parameters(algo: dict[str, Any]) -> None:
    for p in algo["parameters"]:
        default = json.dumps(p["default"])
        click.echo(f"      {p['name']:<22} {p['type']:<7} {default:<14} {p['allowed']}")


@click.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print the catalogue as JSON.")
def list_(as_json: bool) -> None:
    """List the algorithms (what each sees, its role and reading, each parameter's type, default
    and allowed values), the readings of the paper's ambiguities, presets, experiments."""
    catalogue = _catalogue()
    if as_json:
        click.echo(json.dumps(catalogue, indent=2))
        return
    click.echo("algorithms (information: activity / channel / others; role; reading):")
    for algo in catalogue["algorithms"]:
        info = algo["information"]
        seen = f"{info['activity']} / {info['channel']} / {info['others']}"
        reading = algo["reading"]
        read = "-" if reading is None else f"{reading['group']}: {reading['name']}"
        click.echo(f"  {algo['name']:<13} {seen:<26} {algo['role']:<10} {read}")
        _echo_parameters(algo)
    for algo in catalogue["from_files"]:
        click.echo(
            f"  {algo['name']:<13} runs from a file: -a {algo['name']} --param path=NAME.npz, "
            f"or the name {algo['name']}@NAME.npz (docs/env.md)"
        )
        _echo_parameters(algo)
    click.echo("readings (group: name, * the default; the paper's sentences with --json):")
    for r in catalogue["readings"]:
        star = "*" if r["default"] else " "
        click.echo(f"  {star} {r['group'] + ': ' + r['name']:<32} {r['summary']}")
    click.echo("presets:")
    for p in catalogue["presets"]:
        click.echo(f"  {p['name']:<13} N={p['users']} M={p['aps']} K={p['servers']}")
    if catalogue["experiments"]:
        click.echo("experiments:")
        for exp in catalogue["experiments"]:
            extra = "" if exp["default"] else "  (only with --only)"
            click.echo(f"  {exp['name']:<13} {exp['title']}{extra}")


COMMANDS = [schema, list_]
