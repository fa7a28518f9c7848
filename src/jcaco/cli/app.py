"""The ``jcaco`` command group and its entry point, which maps errors to exit statuses.

Exit status: 0 on success, 2 for bad input or usage (one line on standard error, no
traceback), 1 for an internal error. Every command module is imported here by name, so a
module that fails to import fails ``jcaco`` loudly.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Sequence
from typing import TextIO

import click

from jcaco import __version__
from jcaco.cli import (
    analyze,
    calibrate,
    catalogue,
    files,
    learners,
    reproduce,
    simulate,
    solve,
    study,
    theory,
)
from jcaco.errors import InputError

_EPILOG = "Docs: README.md and docs/ (formats, algorithms, reproduction)."


@click.group(epilog=_EPILOG)
@click.version_option(__version__, prog_name="jcaco")
def cli() -> None:
    """jcaco: the JCACO game and MASL learning for MEC-enabled AIGC networks."""


_MODULES = (
    files,
    solve,
    catalogue,
    simulate,
    reproduce,
    analyze,
    theory,
    calibrate,
    learners,
    study,
)
for _module in _MODULES:
    for _command in _module.COMMANDS:
        cli.add_command(_command)


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


def option_error(exc: click.BadParameter) -> InputError:
    """A value an option (or argument) does not allow, as ``--flag: must be ..., got ...``."""
    param = exc.param
    field: str | None = None
    if isinstance(param, click.Option):
        field = max(param.opts, key=len)  # --algorithm rather than -a
    elif param is not None:
        field = param.human_readable_name
    return InputError(exc.message, field=field)


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
    except click.BadParameter as exc:
        if isinstance(exc, click.MissingParameter):  # a usage error, not a bad value
            return _usage_error(exc)
        click.echo(f"jcaco: error: {option_error(exc).one_line()}", err=True)
        return 2
    except click.UsageError as exc:
        return _usage_error(exc)
    except click.ClickException as exc:
        click.echo(f"jcaco: error: {exc.format_message()}", err=True)
        return 2
    except KeyboardInterrupt:
        click.echo("jcaco: interrupted", err=True)
        return 130
    return code if isinstance(code, int) else 0  # a command's ctx.exit(status)


def _usage_error(exc: click.UsageError) -> int:
    command = exc.ctx.command_path if exc.ctx else "jcaco"
    click.echo(f"{command}: error: {exc.format_message()}", err=True)
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
