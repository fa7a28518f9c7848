"""The paper's figures, drawn from the results store only (matplotlib, Agg, imported lazily).

Each figure is written as PNG and PDF. Figs. 4–10: mean total service time over seeds against
the swept parameter, one line per algorithm with its 95% confidence band. Every series found
in the store is drawn; known algorithms get fixed colours and markers. The line style follows
the series' role (stored with each row): competitors solid, variants dash-dotted, references
(``br-oracle``, the central planner of :mod:`jcaco.experiments.planner`) dashed and labelled
as references. ``horizon``: one panel per end point, the mean total over slots of each series
(the planner, which has no curve, as a dashed level).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jcaco.experiments.paper import EXPERIMENTS, Experiment, is_integer_axis
from jcaco.experiments.series import ROLES
from jcaco.experiments.summary import PointStat, by_series, coarsen, mean_curves
from jcaco.files import save_figure

#: Legend name, colour and marker of the known series (paper's names, VII-A).
STYLE: dict[str, tuple[str, str, str]] = {
    "masl": ("MASL", "tab:red", "o"),
    "masl b=0.01": ("MASL b=0.01", "tab:pink", "o"),
    "br": ("BR", "tab:blue", "s"),
    "br-sync": ("BR-sync", "tab:cyan", "D"),
    "mxfp": ("mxFP", "tab:green", "^"),
    "selfish": ("Selfish", "tab:purple", "v"),
    "raro": ("RARO", "tab:orange", "P"),
    "fp-empirical": ("FP-empirical (variant)", "tab:olive", "^"),
    "br-oracle": ("BR-oracle (reference)", "tab:gray", ""),
    "optimum": ("Optimum (reference)", "black", "*"),
    "planner": ("planner (exact optimum, reference)", "black", ""),
}
#: Line style per role: only competitors are solid.
LINESTYLE: dict[str, str] = {"competitor": "-", "variant": "-.", "reference": "--"}


#: Most points drawn along a slot axis (stored curves are averaged down to this).
DISPLAY_POINTS = 60


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def style_of(algorithm: str, role: str = "competitor") -> dict[str, Any]:
    """Plot keywords for a series with its role (an unknown series: its own name, a colour
    from the cycle, the role's line style)."""
    label, colour, marker = STYLE.get(algorithm, (algorithm, None, "x"))
    if role != "competitor" and f"({role})" not in label and "reference" not in label:
        label = f"{label} ({role})"
    out: dict[str, Any] = {"label": label, "marker": marker, "linestyle": LINESTYLE[role]}
    if colour is not None:
        out["color"] = colour
    return out


def axis_label(exp: Experiment) -> str:
    """``AP bandwidth (MHz)``."""
    return f"{exp.x_label} ({exp.x_unit})" if exp.x_unit else exp.x_label


def ordered(series: Mapping[str, list[PointStat]]) -> list[str]:
    """Series names by role (competitors, variants, references), known names first."""
    known = [a for a in STYLE if a in series] + sorted(a for a in series if a not in STYLE)
    return sorted(known, key=lambda a: ROLES.index(series[a][0].role))


def _sweep(ax: Any, exp: Experiment, stats: list[PointStat]) -> None:
    series = by_series(stats, exp.name)
    for alg in ordered(series):
        pts = series[alg]
        x = np.array([exp.display(p.x) for p in pts])
        y = np.array([p.mean_s for p in pts])
        lo = np.array([p.ci_low_s for p in pts])
        hi = np.array([p.ci_high_s for p in pts])
        line = ax.plot(x, y, **style_of(alg, pts[0].role))[0]
        if np.isfinite(lo).any():
            ax.fill_between(x, lo, hi, color=line.get_color(), alpha=0.15, linewidth=0)
    ax.set_xlabel(axis_label(exp))
    ax.set_ylabel("Total service time (s)")
    if is_integer_axis(exp):
        ax.set_xticks([exp.display(p) for p in exp.points])
    ax.legend(fontsize="small", ncol=2)


def _rates(ax: Any, exp: Experiment, table: pa.Table) -> None:
    curves = mean_curves(table, exp.name, DISPLAY_POINTS)
    for i, (alg, (slot, mean, half)) in enumerate(sorted(curves.items(), key=_rate_key)):
        line = ax.plot(slot, mean, label=alg.replace("masl", "MASL"), color=f"C{i}")[0]
        if np.isfinite(half).any():
            ax.fill_between(slot, mean - half, mean + half, color=line.get_color(), alpha=0.15)
    ax.set_xlabel("Iteration (slot)")
    ax.set_ylabel("Total service time (s)")
    ax.legend(fontsize="small")


def _rate_key(item: tuple[str, Any]) -> float:
    try:
        return float(item[0].rsplit("=", 1)[1])
    except (IndexError, ValueError):
        return float("inf")


def _users(ax: Any, exp: Experiment, table: pa.Table) -> None:
    rows = table.filter(pc.equal(table.column("experiment"), exp.name)).to_pylist()
    rows = [r for r in rows if r["curve_user_service_time_s"]]
    if not rows:
        return
    first = min(rows, key=lambda r: (r["root_seed"] or 0, r["run"] or 0))
    stored = np.array(
        [[np.nan if v is None else v for v in b] for b in first["curve_user_service_time_s"]]
    )  # [bins, users]
    users, factor = coarsen(stored.T, DISPLAY_POINTS)
    users = users.T
    width = int(first["curve_bin_slots"]) * factor
    slot = np.arange(users.shape[0]) * width
    for u in range(users.shape[1]):
        ax.plot(slot, users[:, u], linewidth=0.7, alpha=0.8)
    ax.set_xlabel("Iteration (slot)")
    ax.set_ylabel("Service time of each UE (s)")
    ax.set_yscale("log")  # deep Rayleigh fades give rare spikes tens of times the typical time
    ax.set_title(
        f"run {first['run']}, {users.shape[1]} UEs, each point a mean over {width} slots "
        "(active slots only)",
        fontsize="small",
    )


def _horizon(axes: Any, exp: Experiment, stats: list[PointStat], table: pa.Table) -> None:
    """One panel per point: each series' mean total over slots (no bands: eight series; the
    intervals of the end values are in the report's table); a series without a stored curve
    (the planner) as a level at its mean."""
    series = by_series(stats, exp.name)
    for point, ax in enumerate(np.ravel(axes)[: len(exp.points)]):
        rows = table.filter(pc.equal(table.column("point"), point))
        curves = mean_curves(rows, exp.name, DISPLAY_POINTS)
        for alg in ordered(series):
            hit = [p for p in series[alg] if p.point == point]
            if not hit:
                continue
            style = {**style_of(alg, hit[0].role), "marker": "", "linewidth": 1.2}
            if alg in curves:
                ax.plot(curves[alg][0], curves[alg][1], **style)
            else:
                ax.axhline(hit[0].mean_s, **style)
        ax.set_ylim(bottom=0)
        ax.set_title(exp.point_label(point), fontsize="small")
        ax.set_xlabel("Iteration (slot)")
        ax.set_ylabel("Total service time (s)")
        ax.grid(True, alpha=0.3)
    np.ravel(axes)[0].legend(fontsize="x-small", ncol=2)


def figure_of(exp: Experiment, stats: list[PointStat], table: pa.Table) -> Any:
    """One experiment's matplotlib figure (the caller closes it)."""
    plt = _pyplot()
    if exp.kind == "horizon":
        rows = max(1, -(-len(exp.points) // 2))
        fig, axes = plt.subplots(rows, 2, figsize=(9.0, 3.4 * rows), layout="constrained")
        _horizon(axes, exp, stats, table)
    else:
        fig, ax = plt.subplots(figsize=(5.0, 3.8), layout="constrained")
        if exp.kind == "sweep":
            _sweep(ax, exp, stats)
        elif exp.kind == "rates":
            _rates(ax, exp, table)
        else:
            _users(ax, exp, table)
        ax.grid(True, alpha=0.3)
    fig.suptitle(f"{exp.name.replace('fig', 'Fig. ')}: {exp.title}", fontsize="medium")
    return fig


def draw(
    exp: Experiment, stats: list[PointStat], table: pa.Table, out_dir: str | Path
) -> list[Path]:
    """Draw one experiment's figure and write ``<name>.png`` and ``<name>.pdf``."""
    plt = _pyplot()
    fig = figure_of(exp, stats, table)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for ext in ("png", "pdf"):
        path = out_dir / f"{exp.name}.{ext}"
        save_figure(fig, path, dpi=110)
        paths.append(path)
    plt.close(fig)
    return paths


def draw_all(
    stats: list[PointStat], table: pa.Table, out_dir: str | Path, names: list[str] | None = None
) -> dict[str, list[Path]]:
    """Every experiment present in the store (or ``names``)."""
    present = sorted({s.experiment for s in stats}, key=lambda n: list(EXPERIMENTS).index(n))
    return {
        name: draw(EXPERIMENTS[name], stats, table, out_dir)
        for name in (names or present)
        if name in EXPERIMENTS
    }


__all__ = ["LINESTYLE", "STYLE", "draw", "draw_all", "figure_of", "ordered", "style_of"]
