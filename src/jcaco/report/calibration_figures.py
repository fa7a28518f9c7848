"""Figures of ``jcaco calibrate --plot``: each model's data and fitted AEC; latency per GPU.

Matplotlib (Agg) is imported lazily, as in :mod:`jcaco.report.figures`.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from jcaco.io.files import save_figure
from jcaco.model.calibrate import ModelCalibration, aec_curve


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)


def plot_calibration(fits: list[ModelCalibration], out_dir: str | Path) -> list[Path]:
    """Write ``aec-<model>.png`` per model with a quality fit (points and fitted curve, log
    steps axis) and ``latency-<model>.png`` per model with latency (the fitted
    t_fixed + s·t_step of each GPU). Returns the paths written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for m in fits:
        if m.aec is not None and m.form is not None:
            steps = np.array(m.steps)
            grid = np.geomspace(steps.min(), steps.max(), 200)
            fig, ax = plt.subplots(figsize=(4.8, 3.6), layout="constrained")
            ax.plot(steps, m.error, "o", color="tab:blue", label="data")
            label = ", ".join(f"{k}={v:.3g}" for k, v in m.aec.params.items())
            ax.plot(grid, aec_curve(m.form, m.aec.params, grid), color="tab:red", label=label)
            if "eps_inf" in m.aec.params:
                ax.axhline(m.aec.params["eps_inf"], color="grey", linestyle=":", label="floor")
            ax.set_xscale("log")
            ax.set_xlabel("denoising steps s")
            ax.set_ylabel("normalised error ε")
            ax.set_title(f"{m.model}: {m.form}, RMSE {m.aec.rmse:.2g}", fontsize="medium")
            ax.legend(fontsize="small")
            ax.grid(True, alpha=0.3)
            path = out / f"aec-{_safe(m.model)}.png"
            save_figure(fig, path, dpi=110)
            plt.close(fig)
            paths.append(path)
        if m.latency:
            fig, ax = plt.subplots(figsize=(4.8, 3.6), layout="constrained")
            grid = np.arange(1, 51)
            for i, lat in enumerate(m.latency):
                p = lat.fit.params
                ax.plot(grid, p["t_fixed_s"] + grid * p["t_step_s"], color=f"C{i}", label=lat.gpu)
            ax.set_yscale("log")
            ax.set_xlabel("denoising steps s")
            ax.set_ylabel("computation time t_fixed + s·t_step (s)")
            ax.set_title(f"{m.model}: latency per GPU", fontsize="medium")
            ax.legend(fontsize="x-small", ncol=2)
            ax.grid(True, alpha=0.3)
            path = out / f"latency-{_safe(m.model)}.png"
            save_figure(fig, path, dpi=110)
            plt.close(fig)
            paths.append(path)
    return paths
