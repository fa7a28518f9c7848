"""How commands print and write documents: JSON to standard output or a file, result tables."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import click

#: A result with more users than this prints as a summary (quantiles), not one row per user.
MAX_TABLE_ROWS = 40


def echo_json(document: dict[str, Any]) -> None:
    """Print a document as JSON (indented when small, compact when large)."""
    from jcaco.files import dumps_json

    click.echo(dumps_json(document).decode(), nl=False)


def emit(document: dict[str, Any], output: str | None) -> None:
    """Write ``document`` as JSON to ``output`` (saying so on standard error), else print it."""
    from jcaco.files import write_json

    if output:
        write_json(output, document)
        click.echo(f"wrote {output}", err=True)
    else:
        echo_json(document)


def print_result(doc: dict[str, Any]) -> None:
    """Print a ``jcaco.result/1`` document as a table (a summary for a large one)."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    num_users = len(doc["ap"])
    if num_users > MAX_TABLE_ROWS:
        console.print(summary_table(doc))
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


def summary_table(doc: dict[str, Any]) -> Any:
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


def write_result(output: str, doc: dict[str, Any]) -> None:
    """Write a result document as JSON or, by the ``.parquet`` suffix, Parquet."""
    from jcaco.files import write_json
    from jcaco.scenario.parquet_io import is_parquet, write_document_parquet
    from jcaco.sim.schema import ResultModel

    if is_parquet(output):
        write_document_parquet(output, doc, ResultModel)
    else:
        write_json(output, doc)


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A markdown table of already formatted cells (docs/*.md tables)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)
