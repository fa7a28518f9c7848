"""How commands print and write documents: JSON to standard output or a file, result tables,
and the checks every command's outputs pass before it runs (:func:`guard_outputs`)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import click

from jcaco.errors import InputError

if TYPE_CHECKING:
    from rich.console import Console

#: A result with more users than this prints as a summary (quantiles), not one row per user.
MAX_TABLE_ROWS = 40


class OutputPath(click.Path):
    """The type of an option or argument that names an output (a file, or a ``folder``).

    Parameters
    ----------
    folder : bool
        A folder, not a file.
    owns : callable, optional
        For a folder replaced whole (:func:`jcaco.io.output_paths.atomic_folder`): whether a
        file name is one the command writes there. ``None``: a folder the command adds to
        (the results store).
    """

    def __init__(self, *, folder: bool = False, owns: Callable[[str], bool] | None = None):
        super().__init__(file_okay=not folder, dir_okay=folder)
        self.folder = folder
        self.owns = owns

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """The path as given: :func:`check_outputs` judges it, naming the path and the flag
        (click's own check named neither: ``File 'x' is a directory.``)."""
        return value


def check_outputs(outputs: Iterable[tuple[str, OutputPath, str]], inputs: Iterable[str]) -> None:
    """Check each ``(path, type, flag)`` output against the rules of
    :mod:`jcaco.io.output_paths` and the command's ``inputs``; the error names the flag.

    Raises
    ------
    InputError
        An output that is an input (or, a folder replaced whole, holds one), that is not a
        regular file (a folder), or lies under a file or an unwritable folder; a file named
        ``*.toml`` (written as JSON, it would not read back as TOML).
    """
    from jcaco.io.output_paths import check_folder_owned, check_not_input, check_output

    inputs = list(inputs)
    for path, kind, flag in outputs:
        replaced = kind.folder and kind.owns is not None
        if not kind.folder and str(path).lower().endswith(".toml"):
            raise InputError(
                "a .toml file is read as TOML, but the command writes JSON (or Parquet) here; "
                "allowed: a name ending in .json (.parquet where docs/formats.md lists it)",
                source=path,
                field=flag,
            )
        try:
            check_output(path, folder=kind.folder)
            check_not_input(path, inputs, folder=replaced)
            if replaced and kind.owns is not None:
                check_folder_owned(path, kind.owns, source=path)
        except InputError as exc:
            raise InputError(exc.message, source=exc.source, field=flag) from None


def guard_outputs(command: click.Command) -> click.Command:
    """Make ``command`` (each command of a group) check its :class:`OutputPath` values
    against its other path values, its inputs, before it runs (:func:`check_outputs`)."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            guard_outputs(sub)
        return command
    callback = command.callback
    outputs = [p for p in command.params if isinstance(p.type, OutputPath)]
    inputs = [
        p
        for p in command.params
        if isinstance(p.type, click.Path) and not isinstance(p.type, OutputPath)
    ]
    if callback is None or not outputs:
        return command

    @functools.wraps(callback)
    def checked(**kwargs: Any) -> Any:
        check_outputs(
            (
                (kwargs[p.name], p.type, _flag(p))  # type: ignore[misc]
                for p in outputs
                if p.name and kwargs.get(p.name)
            ),
            [
                *(kwargs[p.name] for p in inputs if p.name and kwargs.get(p.name)),
                *learner_inputs(kwargs),
            ],
        )
        return callback(**kwargs)

    command.callback = checked
    return command


def learner_inputs(kwargs: dict[str, Any]) -> list[str]:
    """The files that the learners a command runs read (a saved policy and its sidecar,
    :func:`jcaco.learners.registry.input_files`): from ``--algorithm`` with its ``--param``
    pairs, and each name of ``--algorithms``."""
    names = [kwargs.get("algorithm") or ""]
    names += str(kwargs.get("algorithms") or "").split(",")
    names = [name.strip() for name in names if name and name.strip()]
    if not names:
        return []
    from jcaco.learners.registry import input_files

    params = dict(kwargs.get("params") or ())
    return [path for name in names for path in input_files(name, params)]


def _flag(param: click.Parameter) -> str:
    if isinstance(param, click.Option):
        return max(param.opts, key=len)
    return param.human_readable_name


def echo_json(document: dict[str, Any]) -> None:
    """Print a document as JSON (indented when small, compact when large)."""
    from jcaco.io.files import dumps_json

    click.echo(dumps_json(document).decode(), nl=False)


def emit(document: dict[str, Any], output: str | None) -> None:
    """Write ``document`` as JSON to ``output`` (saying so on standard error), else print it."""
    from jcaco.io.files import write_json

    if output:
        write_json(output, document)
        click.echo(f"wrote {output}", err=True)
    else:
        echo_json(document)


#: Off a terminal, tables print at their natural width up to this many columns (not 80).
PIPED_COLUMNS = 160


def table_console(**options: Any) -> Console:
    """A rich console for a command's tables. Off a terminal (a pipe, a file) and without
    ``COLUMNS`` set, rich assumes 80 columns and cuts the cells of a wider table
    (``27088.0…``, ``mylearners:Eps…``); there it is :data:`PIPED_COLUMNS` wide instead."""
    import os

    from rich.console import Console

    console = Console(**options)
    if console.is_terminal or "COLUMNS" in os.environ:
        return console
    return Console(width=max(console.width, PIPED_COLUMNS), **options)


def print_result(doc: dict[str, Any]) -> None:
    """Print a ``jcaco.result/1`` document as a table (a summary for a large one)."""
    from rich.table import Table

    console = table_console()
    num_users = len(doc["ap"])
    if num_users > MAX_TABLE_ROWS:
        console.print(summary_table(doc))
        console.print(f"({num_users} users: a summary; --json or -o FILE for every user)")
    else:
        seed = "" if doc["seed"] is None else f" (seed {doc['seed']})"  # None: evaluate's
        table = Table(title=f"jcaco {doc['algorithm']}{seed}")
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
    # two lines, as README shows them (one line was cut wherever the terminal was narrow)
    console.print(
        f"expected total service time (15): {doc['expected_total_service_time_s']:.3f} s   "
        f"Nash gap: {doc['nash_gap_s']:.3g} s   is_nash: {doc['is_nash']}"
    )
    console.print(
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
    """Write a result document as JSON or, by the ``.parquet`` suffix, Parquet (saying so on
    standard error, as :func:`emit`)."""
    from jcaco.io.files import write_json
    from jcaco.io.parquet import is_parquet, write_document_parquet
    from jcaco.sim.schema import ResultModel

    if is_parquet(output):
        write_document_parquet(output, doc, ResultModel)
    else:
        write_json(output, doc)
    click.echo(f"wrote {output}", err=True)


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A markdown table of already formatted cells (docs/*.md tables)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)
