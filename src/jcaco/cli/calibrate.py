"""``jcaco calibrate``: fit AEC and latency parameters of diffusion models to measurements."""

from __future__ import annotations

import json
from typing import Any

import click

from jcaco.cli.options import InputFile
from jcaco.cli.output import OutputPath
from jcaco.errors import InputError


def owns_plot(name: str) -> bool:
    """Whether ``name`` is a file ``--plot`` writes (aec-<model>.png, latency-<model>.png)."""
    return name.endswith(".png") and name.startswith(("aec-", "latency-"))


def _pm(value: float, err: float | None) -> str:
    return f"{value:.4g}" if err is None else f"{value:.4g} ± {err:.2g}"


def _print(doc: dict[str, Any], written: list[str]) -> None:
    from rich.table import Table

    from jcaco.cli.output import table_console

    console = table_console()
    table = Table(title=f"jcaco calibrate: {doc['source']}")
    for col in ("model", "form", "parameters ± standard error", "RMSE", "points"):
        table.add_column(col)
    timing = Table(title="computation time t_fixed + s·t_step per GPU")
    for col in ("model", "GPU", "t_fixed s", "t_step s", "how"):
        timing.add_column(col)
    for m in doc["models"]:
        if m["form"] is not None:
            params = ", ".join(f"{k}={_pm(v, m['stderr'][k])}" for k, v in m["params"].items())
            table.add_row(m["model"], m["form"], params, f"{m['rmse']:.3g}", str(m["points"]))
        for lat in m["latency"]:
            p, e = lat["params"], lat["stderr"]
            timing.add_row(
                m["model"],
                lat["gpu"],
                _pm(p["t_fixed_s"], e["t_fixed_s"]),
                _pm(p["t_step_s"], e["t_step_s"]),
                lat["method"],
            )
    console.print(table)
    if timing.row_count:
        console.print(timing)
    for path in written:
        console.print(f"wrote {path}")


@click.command()
@click.argument("measurements", required=False, type=InputFile())
@click.option(
    "--form",
    type=click.Choice(["exponential", "power", "power_floor"]),
    default="power_floor",
    show_default=True,
    help="AEC form to fit (docs/catalog.md).",
)
@click.option(
    "-o",
    "--output",
    type=OutputPath(),
    help="Write the calibrated servers here (jcaco.servers/1; jcaco generate --catalog).",
)
@click.option(
    "--plot",
    type=OutputPath(folder=True, owns=owns_plot),
    help="Draw each model's data and fit here (a folder replaced whole: docs/formats.md).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the jcaco.calibration/1 JSON.")
def calibrate(
    measurements: str | None, form: str, output: str | None, plot: str | None, as_json: bool
) -> None:
    """Fit the AEC and t_fixed + s*t_step of each model in MEASUREMENTS (a CSV with columns
    model, steps, error and optionally latency_s; default: the shipped catalog)."""
    from jcaco.io.files import write_json
    from jcaco.model.calibrate import calibrate as run_calibrate
    from jcaco.model.calibrate import calibration_document
    from jcaco.model.catalog_servers import servers_from_calibration
    from jcaco.model.measurements import read_measurements, shipped_catalog_path
    from jcaco.scenario.catalog import servers_document

    source = measurements or str(shipped_catalog_path())
    fits = run_calibrate(read_measurements(source), form)  # type: ignore[arg-type]
    doc = calibration_document(fits, source)
    written: list[str] = []
    if output:
        servers = servers_from_calibration(fits)
        if not servers:
            raise InputError(
                "no model has both a quality curve and a latency (columns error and latency_s "
                "or step_latency_s, or latency_model); nothing to write",
                source=source,
            )
        write_json(output, servers_document(form, servers, doc))
        written.append(output)
    if plot:
        from pathlib import Path

        from jcaco.io.output_paths import atomic_folder
        from jcaco.report.calibration_figures import plot_calibration

        with atomic_folder(plot, owns_plot) as tmp:  # one run's figures
            drawn = plot_calibration(fits, tmp)
        written.extend(str(Path(plot) / p.name) for p in drawn)
    if as_json:
        click.echo(json.dumps(doc, indent=2))
        for path in written:
            click.echo(f"wrote {path}", err=True)
    else:
        _print(doc, written)


COMMANDS = [calibrate]
