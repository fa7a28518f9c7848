"""``jcaco generate`` and ``jcaco instance``: draw a network file, build the game of one."""

from __future__ import annotations

from typing import Any

import click

from jcaco.cli.options import COUNT, PARAM, InputFile, drop_infeasible_option, seed_option
from jcaco.cli.output import OutputPath, emit
from jcaco.io.files import provenance


@click.command()
@click.option("--preset", default="paper", show_default=True, help="Named parameter set.")
@click.option("--users", type=COUNT, help="Number of users N.")
@click.option("--aps", type=COUNT, help="Number of APs M.")
@click.option("--servers", type=COUNT, help="Number of edge servers K.")
@click.option(
    "--set",
    "overrides",
    multiple=True,
    type=PARAM,
    metavar="NAME=VALUE",
    help="Override a generator parameter; a range as lo,hi (e.g. bandwidth_hz=2e6,1e7).",
)
@seed_option(help="Root seed of the network's draws.")
@click.option(
    "--catalog",
    type=InputFile(),
    is_flag=False,
    flag_value="",
    default=None,
    metavar="[FILE]",
    help="Servers from real models: the shipped catalog, a measurements CSV or a "
    "jcaco.servers/1 file (docs/catalog.md).",
)
@click.option("--models", metavar="A,B", help="With --catalog: the models to draw from.")
@click.option("-o", "--output", type=OutputPath(), help="Write here (else stdout).")
def generate(
    preset: str,
    users: int | None,
    aps: int | None,
    servers: int | None,
    overrides: tuple[tuple[str, str], ...],
    seed: int,
    catalog: str | None,
    models: str | None,
    output: str | None,
) -> None:
    """Draw a network from the paper's Table III (a jcaco.scenario/1 file; .parquet: Parquet)."""
    from dataclasses import replace

    from jcaco.api import generate as draw
    from jcaco.errors import UnknownNameError
    from jcaco.io.parquet import is_parquet
    from jcaco.scenario.network import network_to_dict
    from jcaco.scenario.scenario_parquet import check_network, write_network_parquet

    changes: dict[str, Any] = {}
    for key, text in dict(overrides).items():
        changes[key] = text.split(",") if "," in text else text
    names = [m.strip() for m in models.split(",") if m.strip()] if models else None
    source = False if catalog is None else catalog or True  # "": --catalog, the shipped one
    try:
        net = draw(preset=preset, users=users, aps=aps, servers=servers, seed=seed,
                   overrides=changes, catalog=source, models=names)  # fmt: skip
    except UnknownNameError as exc:  # the one name it checks: the preset
        raise UnknownNameError(exc.message, field="--preset") from None
    for key, value in (("num_users", users), ("num_aps", aps), ("num_servers", servers)):
        if value is not None:
            changes[key] = value  # the file's meta names them as overrides
    meta = {
        "generator": preset,
        "seed": seed,
        **provenance(revision=False),
        "overrides": {k: str(v) for k, v in changes.items()},
    }
    if catalog is not None:
        meta["catalog"] = {"file": catalog or "shipped", "models": models or "all"}
    net = replace(net, meta=meta)
    check_network(net)  # what is written reads back (ranges of jcaco.scenario/1)
    if catalog is not None:
        _warn_below_floor(net)
    if output and is_parquet(output):
        write_network_parquet(net, output)
        click.echo(f"wrote {output}", err=True)
    else:
        emit(network_to_dict(net), output)


def _warn_below_floor(net: Any) -> None:
    """Warn, naming them, about users whose accuracy limit no catalog server can meet."""
    import warnings

    from jcaco.scenario.catalog import users_below_floor

    below = users_below_floor(net.max_error, net.error_floor)
    if below.size:
        shown = ", ".join(str(i) for i in below[:10]) + (", ..." if below.size > 10 else "")
        warnings.warn(
            f"users [{shown}] ({below.size} of {net.num_users}) have a max_error at or below "
            f"every server's quality floor (the lowest is {float(min(net.error_floor)):g}): no "
            "server can serve them, so solve refuses the file; use --set max_error=LO,HI above "
            "the floor, other --models, or solve --drop-infeasible",
            stacklevel=2,
        )


@click.command()
@click.argument("scenario", type=InputFile())
@click.option("--fading", type=click.Choice(["mean", "sample"]), default="mean", show_default=True)
@seed_option(help="Seed for sampled fading.")
@drop_infeasible_option
@click.option("-o", "--output", type=OutputPath())
def instance(
    scenario: str, fading: str, seed: int, drop_infeasible: bool, output: str | None
) -> None:
    """Build the game of a scenario (a jcaco.instance/1 file; .parquet: Parquet)."""
    from jcaco.io.parquet import is_parquet
    from jcaco.model.build import instance_to_dict
    from jcaco.model.files import load_game
    from jcaco.model.instance_parquet import write_instance_parquet
    from jcaco.rng import stream

    game = load_game(
        scenario,
        fading=fading,  # type: ignore[arg-type]
        rng=stream(seed, "fading"),
        drop_infeasible=drop_infeasible,
    )
    meta = {"seed": seed if fading == "sample" else None, **provenance(revision=False)}
    if output and is_parquet(output):
        write_instance_parquet(game, output, meta)
        click.echo(f"wrote {output}", err=True)
    else:
        emit(instance_to_dict(game, meta), output)


COMMANDS = [generate, instance]
