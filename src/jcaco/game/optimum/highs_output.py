"""HiGHS's stray debug line, kept off standard output.

The HiGHS that SciPy bundles (1.12) prints
``HighsMipSolverData::transformNewIntegerFeasibleSolution tmpSolver.run();`` with a bare C
``printf`` when it repairs an integer solution of a presolved MILP, whatever its output options
(``disp=False`` and ``output_flag`` do not reach it; a leftover debug line of HiGHS 1.12,
ERGO-Code/HiGHS issue 2783). It lands in the middle of a command's output (``jcaco reproduce``
printed it between its progress and its summary).

:func:`without_stray_line` points file descriptor 1 at a temporary file while a solve runs,
then writes back everything written there except that line, in order. A solve that prints
nothing else thus prints nothing, and anything else written to standard output meanwhile (by
this thread or another) still appears, after the solve.
"""

from __future__ import annotations

import ctypes
import os
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

#: The line HiGHS 1.12 prints from ``HighsMipSolverData::transformNewIntegerFeasibleSolution``.
STRAY_LINE = b"HighsMipSolverData::transformNewIntegerFeasibleSolution tmpSolver.run();"

_lock = threading.Lock()
_state: dict[str, Any] = {"depth": 0, "saved": None, "capture": None}


def _flush_c_stdout() -> None:
    """Flush Python's and C's buffered standard output into file descriptor 1."""
    try:
        sys.stdout.flush()
    except (AttributeError, OSError, ValueError):
        pass
    try:
        ctypes.CDLL(None).fflush(None)
    except (OSError, AttributeError):  # no C library to ask (not a POSIX system)
        pass


def _start() -> None:
    try:
        saved = os.dup(1)
    except OSError:  # no standard output to protect
        return
    _flush_c_stdout()
    capture: IO[bytes] = tempfile.TemporaryFile()
    os.dup2(capture.fileno(), 1)
    _state["saved"], _state["capture"] = saved, capture


def _stop() -> None:
    saved, capture = _state["saved"], _state["capture"]
    _state["saved"] = _state["capture"] = None
    if saved is None:
        return
    _flush_c_stdout()
    os.dup2(saved, 1)
    os.close(saved)
    capture.seek(0)
    written = capture.read()
    capture.close()
    kept = b"".join(
        line for line in written.splitlines(keepends=True) if line.rstrip(b"\r\n") != STRAY_LINE
    )
    while kept:
        kept = kept[os.write(1, kept) :]


@contextmanager
def without_stray_line() -> Iterator[None]:
    """Run the block (a HiGHS solve) with :data:`STRAY_LINE` dropped from standard output
    (file descriptor 1); nested and concurrent blocks share one redirection."""
    with _lock:
        _state["depth"] += 1
        if _state["depth"] == 1:
            _start()
    try:
        yield
    finally:
        with _lock:
            _state["depth"] -= 1
            if _state["depth"] == 0:
                _stop()


__all__ = ["STRAY_LINE", "without_stray_line"]
