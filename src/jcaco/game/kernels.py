"""Optional compiled kernels: load a numba module lazily, or say it is not there.

Hot loops of one slot (MASL's sampling and L_R-I update, the loads of a profile) have a numba
kernel next to their numpy form. Each kernel does the same floating-point operations in the same
order as the numpy form, so both give the same bits (``tests/test_bench_equivalence.py``
runs both). numba is imported on first use only (``import jcaco`` stays fast); without numba,
or with ``JCACO_NO_NUMBA=1`` in the environment, the numpy forms run.
"""

from __future__ import annotations

import functools
import importlib
import os
from types import ModuleType

#: ``JCACO_NO_NUMBA`` is read once, at import: kernels are looked up on every hot call, and an
#: environment lookup each time cost ~20% of a MASL iteration at N = 10^3.
_FROM_ENVIRONMENT = os.environ.get("JCACO_NO_NUMBA", "") in ("", "0")
_override: bool | None = None


def enabled() -> bool:
    """False when ``JCACO_NO_NUMBA`` was set (at import) to anything but ``""`` or ``"0"``,
    or when :func:`set_enabled` turned the kernels off."""
    return _FROM_ENVIRONMENT if _override is None else _override


def set_enabled(flag: bool | None) -> None:
    """Turn the compiled kernels on or off in this process (``None``: back to the environment)."""
    global _override
    _override = flag


@functools.cache
def _load(module: str) -> ModuleType | None:
    try:
        return importlib.import_module(module)
    except Exception:  # noqa: BLE001 - no numba, or a broken install: the numpy forms run
        return None


def load(module: str) -> ModuleType | None:
    """The kernel module ``module`` (a dotted name), or None without numba or when disabled."""
    return _load(module) if enabled() else None
