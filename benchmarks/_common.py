"""Helpers shared by the benchmarks: timing, peak memory, the machine, markdown tables."""

from __future__ import annotations

import os
import platform
import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np

from jcaco.cli.output import markdown_table  # noqa: F401 (re-exported to the benchmarks)


def median_s(fn: Callable[[], Any], repeats: int, warmup: int = 1) -> float:
    """Median wall time of ``fn()`` over ``repeats`` calls after ``warmup`` calls [s]."""
    return median_wall_cpu_s(fn, repeats, warmup)[0]


def median_wall_cpu_s(fn: Callable[[], Any], repeats: int, warmup: int = 1) -> tuple[float, float]:
    """Median wall time and median CPU time of this process per call of ``fn()`` [s].

    The CPU time is less disturbed than the wall time when other jobs share the cores.
    """
    for _ in range(warmup):
        fn()
    wall, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def load_average() -> str:
    """The 1-minute load average (how busy the shared machine was), or '?'."""
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "?"


def peak_bytes(fn: Callable[[], Any]) -> int:
    """Peak memory allocated by ``fn()`` above what was allocated before (tracemalloc)."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    base, _ = tracemalloc.get_traced_memory()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak - base


def blas_name() -> str:
    """The BLAS numpy was built against (from ``numpy.show_config``)."""
    try:
        config = np.show_config(mode="dicts")  # type: ignore[func-returns-value]
        blas = config["Build Dependencies"]["blas"]
        return f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:  # noqa: BLE001 - best effort, informational only
        return "unknown"


def machine() -> str:
    """One line: cores, CPU model, Python, numpy and BLAS."""
    model = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores (nproc), {model}; Python {platform.python_version()}, "
        f"numpy {np.__version__}, BLAS {blas_name()}"
    )


def fmt_ms(seconds: float) -> str:
    """Seconds as milliseconds, 3 significant digits."""
    return f"{seconds * 1e3:.3g}"
