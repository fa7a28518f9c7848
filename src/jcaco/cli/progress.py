"""A rich progress bar for long sweeps: tasks done, rate and ETA (docs/architecture.md).

Quiet (no output at all) under ``--json`` or when standard output is not a terminal.
"""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Any


class SweepProgress:
    """Context manager exposing the :func:`jcaco.experiments.sweep.run_sweep` hooks.

    Parameters
    ----------
    enabled : bool, optional
        Force on or off; default: on when standard output is a terminal.
    """

    def __init__(self, enabled: bool | None = None):
        self.enabled = sys.stdout.isatty() if enabled is None else enabled
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> SweepProgress:
        if self.enabled:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._progress = Progress(
                TextColumn("[bold]reproduce"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("tasks"),
                TextColumn("{task.fields[rate]}"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
            )
            self._progress.__enter__()
        return self

    def start(self, total: int) -> None:
        """Hook ``on_start``: the number of tasks to run."""
        if self._progress is not None:
            self._task = self._progress.add_task("sweep", total=total, rate="")

    def advance(self, _: object = None) -> None:
        """Hook ``on_task``: one task finished."""
        if self._progress is None or self._task is None:
            return
        self._progress.advance(self._task)
        task = self._progress.tasks[0]
        speed = task.speed
        rate = f"{speed * 60:.1f}/min" if speed else ""
        self._progress.update(self._task, rate=rate)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.__exit__(kind, exc, tb)
