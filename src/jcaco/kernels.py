"""Compiled kernels: one rule for every hot loop (docs/architecture.md#speed-rules).

The rule. A hot loop has its numpy form in the module that uses it, and beside that module, in
the same package, a private module ``_<name>_numba.py`` holding the numba kernel. The kernel
does the same floating-point operations in the same order as the numpy form, so both give the
same bits (each pair is tested for it). The caller asks :func:`load` for the kernel module by
its dotted name and runs the numpy form when it gets ``None``:

>>> from jcaco import kernels
>>> with kernels.use("numpy"):
...     kernels.load("jcaco.game._br_numba") is None
True

numba is imported on first use only (``import jcaco`` stays fast). :func:`load` returns
``None`` without numba, with ``JCACO_NO_NUMBA`` set to anything but ``""`` or ``"0"`` in the
environment (read once, at import), or inside ``with kernels.use("numpy")``. Tests and
benchmarks pick an engine with the :func:`use` context manager; nothing else switches kernels.

This is a leaf module: it imports nothing from the rest of jcaco.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import importlib
import os
from collections.abc import Iterator
from types import ModuleType
from typing import Literal

#: ``auto``: the kernel when it can be loaded; ``numba``: the kernel or an error; ``numpy``:
#: never the kernel.
Engine = Literal["auto", "numba", "numpy"]
ENGINES: tuple[Engine, ...] = ("auto", "numba", "numpy")

#: ``JCACO_NO_NUMBA`` is read once, at import: kernels are looked up on every hot call, and an
#: environment lookup each time cost ~20% of a MASL iteration at N = 10^3.
_FROM_ENVIRONMENT: Engine = "auto" if os.environ.get("JCACO_NO_NUMBA", "") in ("", "0") else "numpy"
_ENGINE: contextvars.ContextVar[Engine] = contextvars.ContextVar("jcaco_engine", default="auto")


def engine() -> Engine:
    """The engine in force: the innermost :func:`use`, else ``numpy`` under ``JCACO_NO_NUMBA``."""
    chosen = _ENGINE.get()
    return _FROM_ENVIRONMENT if chosen == "auto" else chosen


@contextlib.contextmanager
def use(choice: Engine) -> Iterator[None]:
    """Run the block with the kernels of ``choice`` (``auto``, ``numba`` or ``numpy``).

    ``numba`` makes :func:`load` raise ``RuntimeError`` when a kernel cannot be loaded, so a
    benchmark of the compiled path never silently measures the numpy one.
    """
    if choice not in ENGINES:
        raise ValueError(f"engine: got {choice!r}; allowed: {', '.join(ENGINES)}")
    token = _ENGINE.set(choice)
    try:
        yield
    finally:
        _ENGINE.reset(token)


@functools.cache
def _load(module: str) -> ModuleType | None:
    try:
        return importlib.import_module(module)
    except Exception:  # noqa: BLE001 - no numba, or a broken install: the numpy forms run
        return None


def load(module: str) -> ModuleType | None:
    """The kernel module ``module`` (a dotted name), or ``None`` when the numpy form must run."""
    current = engine()
    if current == "numpy":
        return None
    found = _load(module)
    if found is None and current == "numba":
        raise RuntimeError(f"{module}: numba is not available (or JCACO_NO_NUMBA is set)")
    return found


__all__ = ["ENGINES", "Engine", "engine", "load", "use"]
