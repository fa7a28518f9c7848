"""What ``jcaco simulate`` writes: the per-slot trace (Parquet) and a convergence plot (PNG)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from jcaco.io.files import atomic_path, save_figure
from jcaco.sim.recorder import Trace
from jcaco.types import FloatArray


def write_trace(trace: Trace, path: str | Path, metadata: dict[str, Any] | None = None) -> Path:
    """Write ``trace.to_frame(metadata)`` to a Parquet file atomically (:mod:`jcaco.io.files`)."""
    import pyarrow.parquet as pq

    with atomic_path(path) as tmp:
        pq.write_table(trace.to_frame(metadata), tmp)
    return Path(path)


def moving_average(values: FloatArray, window: int) -> FloatArray:
    """Trailing mean over up to ``window`` slots along axis 0 (shorter at the start)."""
    csum = np.cumsum(values, axis=0)
    out = csum.copy()
    out[window:] = csum[window:] - csum[:-window]
    count = np.minimum(np.arange(1, values.shape[0] + 1), window)
    return np.asarray(out / count.reshape(-1, *([1] * (values.ndim - 1))), dtype=float)


def plot_convergence(trace: Trace, path: str | Path, window: int = 100) -> Path:
    """Two panels over the slots: the realised total service time (13) with its moving
    average, and the Nash gap in the slot's expected game. One line per seed (mean in black
    when several).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    slots = np.arange(trace.num_slots)
    window = max(1, min(window, trace.num_slots))
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7.0, 6.0), sharex=True)
    total = trace.total_service_time_s
    top.plot(slots, total, lw=0.4, alpha=0.35)
    top.plot(
        slots,
        moving_average(total, window).mean(axis=1),
        color="k",
        lw=1.5,
        label=f"{window}-slot moving average (mean over seeds)",
    )
    top.set_ylabel("total service time Σ U_i [s]")
    top.legend(loc="upper right", fontsize=8)
    gap = np.maximum(trace.nash_gap_s, 1e-9)
    bottom.semilogy(slots, gap, lw=0.4, alpha=0.5)
    bottom.set_ylabel("Nash gap, expected game [s]")
    bottom.set_xlabel("slot (iteration)")
    seeds = ", ".join(str(s) for s in trace.seeds[:5]) + (" ..." if len(trace.seeds) > 5 else "")
    fig.suptitle(f"jcaco simulate: {trace.algorithm}, seed {seeds}")
    fig.tight_layout()
    save_figure(fig, path, dpi=120)
    plt.close(fig)
    return path


__all__ = ["write_trace", "plot_convergence", "moving_average"]
