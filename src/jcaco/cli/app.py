"""The ``jcaco`` command group and its entry point, which maps errors to exit statuses.

Exit status: 0 on success, 2 for bad input or usage (one line on standard error, no
traceback), 1 for an internal error. Every command module is imported here by name, so a
module that fails to import fails ``jcaco`` loudly.
"""

from __future__ import annotations

import signal
import sys
import threading
import traceback
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import FrameType
from typing import TextIO

import click

from jcaco._version import __version__
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
from jcaco.cli.output import guard_outputs
from jcaco.errors import InputError, PluginError, Terminated, plugin_frame

_EPILOG = "Docs: README.md and docs/ (formats, algorithms, reproduction)."


class _Stopped(Exception):
    """Carries a Ctrl-C or SIGTERM past click (which would turn it into a bare "Aborted!")."""

    def __init__(self, interrupt: KeyboardInterrupt):
        super().__init__()
        self.interrupt = interrupt


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as exc:
            raise _Stopped(exc) from None


#: Whether ``--debug`` was given (set by the group, read by :func:`main`).
_DEBUG: list[bool] = [False]


@click.group(cls=_Group, epilog=_EPILOG)
@click.version_option(__version__, prog_name="jcaco")
@click.option(
    "--debug",
    is_flag=True,
    help="Show the full traceback of an error raised inside a plug-in learner.",
)
def cli(debug: bool) -> None:
    """jcaco: the JCACO game and MASL learning for MEC-enabled AIGC networks."""
    _DEBUG[0] = debug


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
        cli.add_command(guard_outputs(_command))


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


def _os_error(exc: OSError) -> str:
    """One line for a file the operating system refused: the file, then why."""
    name = exc.filename if exc.filename is not None else None
    reason = exc.strerror or exc.__class__.__name__
    return (
        f"{name}: cannot open or write ({reason})" if name else f"cannot read or write ({reason})"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run the CLI and map errors to exit statuses.

    An exception raised inside a plug-in learner (a class named ``package.module:Class``)
    becomes one line naming the class, the method and the error, exit status 1 (with
    ``--debug`` also the traceback); any other unexpected exception is an internal error and
    keeps its traceback.
    """
    _DEBUG[0] = False
    try:
        return _run(argv)
    except PluginError as exc:  # raised in a worker process: its traceback came as text
        if _DEBUG[0]:
            click.echo(f"{exc.trace.rstrip()}\n(in a worker process)", err=True)
        return _plugin_line(str(exc))
    except Exception as exc:
        where = plugin_frame(exc)
        if where is None:
            raise
        if _DEBUG[0]:
            traceback.print_exc()
        return _plugin_line(str(PluginError(*where, exc.__class__.__name__, str(exc), "")))


def _plugin_line(what: str) -> int:
    """The one line for a plug-in's error (exit status 1)."""
    hint = "" if _DEBUG[0] else " (--debug shows the traceback)"
    click.echo(f"jcaco: error: {what}{hint}", err=True)
    return 1


def _terminate(signum: int, frame: FrameType | None) -> None:
    """SIGTERM: raise :class:`Terminated` once (a second SIGTERM ends the process at once)."""
    signal.signal(signum, signal.SIG_DFL)
    raise Terminated(signum)


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """While the command runs, SIGTERM stops it as Ctrl-C does (workers stopped, stored rows
    kept, temporaries removed); the previous handler comes back afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _interrupted(exc: KeyboardInterrupt) -> int:
    """One line for Ctrl-C or SIGTERM (with a command's note, e.g. where rows are kept)."""
    what = "terminated" if isinstance(exc, Terminated) else "interrupted"
    notes = "; ".join(getattr(exc, "__notes__", []))
    click.echo(f"jcaco: {what}" + (f"; {notes}" if notes else ""), err=True)
    return 128 + exc.signum if isinstance(exc, Terminated) else 130


def _run(argv: Sequence[str] | None) -> int:
    """Run the CLI, mapping input and usage errors to exit status 2 (SIGTERM: 143, Ctrl-C: 130)."""
    try:
        with warnings.catch_warnings(), _sigterm_as_interrupt():
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
    except _Stopped as stopped:
        return _interrupted(stopped.interrupt)
    except KeyboardInterrupt as exc:
        return _interrupted(exc)
    except OSError as exc:  # a path the system refuses (a folder, no permission, no space)
        click.echo(f"jcaco: error: {_os_error(exc)}", err=True)
        return 2
    return code if isinstance(code, int) else 0  # a command's ctx.exit(status)


def _usage_error(exc: click.UsageError) -> int:
    command = exc.ctx.command_path if exc.ctx else "jcaco"
    click.echo(f"{command}: error: {exc.format_message()}", err=True)
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
