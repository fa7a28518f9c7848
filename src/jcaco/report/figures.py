"""The paper's figures, drawn from the results store only (matplotlib, Agg, imported lazily).

Each figure is written as PNG and PDF. Figs. 4–10: mean total service time over seeds against
the swept parameter, one line per algorithm with its 95% band (a percentile bootstrap of the
mean over seeds: never below zero for a time). Every series found in the store is drawn; known
algorithms get fixed colours and markers, any other series (a plug-in, a ``beyond`` learner)
the next unused colour and marker of :data:`EXTRA_COLOURS` / :data:`EXTRA_MARKERS`, so no two
series of a figure look alike. Legends sit to the right of the axes, off the data; a curve's
axis is cut at a high percentile when one spike would flatten the rest (the cut is written on
the panel), and a sweep whose series span more than a factor :data:`LOG_SPREAD` is drawn on
a log axis. Figures are 9.6 inches wide at 110 dpi (about 1,050 px). The line style follows
the series' role (stored with each row): competitors solid, variants dash-dotted, references
(``br-oracle``) dashed and labelled as references. ``horizon``: one panel per end point, the
mean total over slots of each series.

The planners (the exact optimum, :mod:`jcaco.experiments.planner`, and the same-information
planner) are not drawn: they are solved at a few sampled slots of a few seeds, the lines at
every window slot of every seed, so a planner's level would not be scored like the lines it
judges (docs/model.md §9); the report compares each series with them by ratios paired by seed
and slot (:mod:`jcaco.experiments.references`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jcaco.experiments.experiment import EndPoints, Rates, Sweep, Users
from jcaco.experiments.paper import EXPERIMENTS, PLANNER_ALGORITHM, Experiment, is_integer_axis
from jcaco.experiments.planner_same_info import SAME_INFO_ALGORITHM
from jcaco.experiments.series import ROLES
from jcaco.experiments.summary import PointStat, by_series, coarsen, mean_curves
from jcaco.io.files import save_figure

T = TypeVar("T")
#: Draws one experiment on one matplotlib axes: ``panel(ax, exp, stats, table)``.
Panel = Callable[[Any, Experiment, list[PointStat], pa.Table], None]
#: Draws one experiment's whole figure and returns it: ``drawing(exp, stats, table)``.
Drawing = Callable[[Experiment, list[PointStat], pa.Table], Any]

#: Legend name, colour and marker of the known series (paper's names, VII-A).
STYLE: dict[str, tuple[str, str, str]] = {
    "masl": ("MASL", "tab:red", "o"),
    "masl b=0.01": ("MASL b=0.01", "tab:pink", "o"),
    "br": ("BR", "tab:blue", "s"),
    "br-round": ("BR-round", "tab:brown", "X"),
    "br-sync": ("BR-sync", "tab:cyan", "D"),
    "mxfp": ("mxFP", "tab:green", "^"),
    "selfish": ("Selfish", "tab:purple", "v"),
    "raro": ("RARO", "tab:orange", "P"),
    "fp-empirical": ("FP-empirical (variant)", "tab:olive", "^"),
    "br-oracle": ("BR-oracle (reference)", "tab:gray", "."),
    "br a(t), mean fading": ("BR a(t), mean fading", "#1b2a6b", "<"),
    "br expected game": ("BR expected game", "#7f9fd8", ">"),
    "optimum": ("Optimum (reference)", "#555555", "h"),
    "planner": ("planner (exact optimum, reference)", "black", "*"),
}
#: Colours and markers of the series :data:`STYLE` does not know, in order of appearance.
EXTRA_COLOURS: tuple[str, ...] = (
    "#469990", "#f032e6", "#9a6324", "#000075", "#800000", "#3cb44b", "#e6a117", "#911eb4",
    "#aaaa00", "#4363d8",
)  # fmt: skip
EXTRA_MARKERS: tuple[str, ...] = ("*", "h", "p", "8", "d", "H", "1", "2", "3", "4")
#: A curve's axis is cut at this percentile of its values (times this margin) when its
#: maximum is beyond it.
CUT_PERCENTILE = 98.0
CUT_MARGIN = 1.15
#: A sweep's y axis is logarithmic when its largest mean is more than this times its smallest.
LOG_SPREAD = 6.0
#: Figure size [inches] and resolution: at least 900 px wide.
WIDTH_IN, HEIGHT_IN, DPI = 9.6, 4.4, 110
#: Line style per role: only competitors are solid.
LINESTYLE: dict[str, str] = {"competitor": "-", "variant": "-.", "reference": "--"}


#: Most points drawn along a slot axis (stored curves are averaged down to this).
DISPLAY_POINTS = 60


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def style_of(algorithm: str, role: str = "competitor", extra: int = 0) -> dict[str, Any]:
    """Plot keywords for a series with its role; a series :data:`STYLE` does not know is the
    ``extra``-th such series of its figure and gets that colour and marker."""
    k = extra % len(EXTRA_COLOURS)
    label, colour, marker = STYLE.get(algorithm, (algorithm, EXTRA_COLOURS[k], EXTRA_MARKERS[k]))
    if role != "competitor" and f"({role})" not in label and "reference" not in label:
        label = f"{label} ({role})"
    return {"label": label, "marker": marker, "linestyle": LINESTYLE[role], "color": colour}


def styles(series: Mapping[str, list[PointStat]]) -> dict[str, dict[str, Any]]:
    """:func:`style_of` for every series of a figure, in :func:`ordered` order."""
    unknown = [a for a in ordered(series) if a not in STYLE]
    return {
        a: style_of(a, series[a][0].role, unknown.index(a) if a in unknown else 0)
        for a in ordered(series)
    }


def legend_outside(ax: Any) -> None:
    """The legend to the right of the axes, off the data."""
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)


def cut_axis(ax: Any, curves: list[np.ndarray]) -> None:
    """Start the y axis at 0 and, when one spike would set its top, cut it at
    :data:`CUT_PERCENTILE` of the values times :data:`CUT_MARGIN` and say so on the panel."""
    values = np.concatenate([np.ravel(c) for c in curves]) if curves else np.array([])
    values = values[np.isfinite(values)]
    if values.size == 0:
        return
    top = float(np.percentile(values, CUT_PERCENTILE)) * CUT_MARGIN
    peak = float(values.max())
    if peak > top > 0:
        ax.set_ylim(0, top)
        ax.text(0.99, 0.98, f"axis cut at {top:.3g} s (peak {peak:.3g} s)",
                transform=ax.transAxes, ha="right", va="top", fontsize="x-small")  # fmt: skip
    else:
        ax.set_ylim(bottom=0)


def axis_label(exp: Experiment) -> str:
    """``AP bandwidth (MHz)``."""
    return f"{exp.x_label} ({exp.x_unit})" if exp.x_unit else exp.x_label


def ordered(series: Mapping[str, list[PointStat]]) -> list[str]:
    """Series names by role (competitors, variants, references), known names first."""
    known = [a for a in STYLE if a in series] + sorted(a for a in series if a not in STYLE)
    return sorted(known, key=lambda a: ROLES.index(series[a][0].role))


#: Series scored on sampled slots only, compared by paired ratios instead of drawn.
SAMPLED_REFERENCES = frozenset({PLANNER_ALGORITHM, SAME_INFO_ALGORITHM})


def drawn_series(stats: list[PointStat], experiment: str) -> dict[str, list[PointStat]]:
    """The series of ``experiment`` that a figure draws: every one but the planners."""
    series = by_series(stats, experiment)
    return {a: pts for a, pts in series.items() if a not in SAMPLED_REFERENCES}


def _sweep(ax: Any, exp: Experiment, stats: list[PointStat], table: pa.Table) -> None:
    series = drawn_series(stats, exp.name)
    for alg, style in styles(series).items():
        pts = series[alg]
        x = np.array([exp.display(p.x) for p in pts])
        y = np.array([p.mean_s for p in pts])
        lo = np.array([p.ci_low_s for p in pts])
        hi = np.array([p.ci_high_s for p in pts])
        line = ax.plot(x, y, **style)[0]
        if np.isfinite(lo).any():
            ax.fill_between(x, lo, hi, color=line.get_color(), alpha=0.12, linewidth=0)
    ax.set_xlabel(axis_label(exp))
    ax.set_ylabel("Total service time (s)")
    means = [p.mean_s for pts in series.values() for p in pts if p.mean_s > 0]
    if means and max(means) > LOG_SPREAD * min(means):  # one series would flatten the rest
        ax.set_yscale("log")
        ax.set_ylabel("Total service time (s, log scale)")
    else:
        ax.set_ylim(bottom=0)
    if is_integer_axis(exp):
        ax.set_xticks([exp.display(p) for p in exp.points])
    legend_outside(ax)


def _rates(ax: Any, exp: Experiment, stats: list[PointStat], table: pa.Table) -> None:
    curves = mean_curves(table, exp.name, DISPLAY_POINTS)
    drawn = []
    for i, (alg, (slot, mean, lo, hi)) in enumerate(sorted(curves.items(), key=_rate_key)):
        line = ax.plot(slot, mean, label=alg.replace("masl", "MASL"), color=f"C{i}",
                       marker=EXTRA_MARKERS[i % len(EXTRA_MARKERS)], markevery=6)[0]  # fmt: skip
        drawn.append(mean)
        if np.isfinite(lo).any():
            ax.fill_between(slot, lo, hi, color=line.get_color(), alpha=0.15, linewidth=0)
    ax.set_xlabel("Iteration (slot)")
    ax.set_ylabel("Total service time (s)")
    cut_axis(ax, drawn)
    legend_outside(ax)


def _rate_key(item: tuple[str, Any]) -> float:
    try:
        return float(item[0].rsplit("=", 1)[1])
    except (IndexError, ValueError):
        return float("inf")


def _users(ax: Any, exp: Experiment, stats: list[PointStat], table: pa.Table) -> None:
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
    as a level at its mean."""
    series = drawn_series(stats, exp.name)
    look = styles(series)
    for point, ax in enumerate(np.ravel(axes)[: len(exp.points)]):
        rows = table.filter(pc.equal(table.column("point"), point))
        curves = mean_curves(rows, exp.name, DISPLAY_POINTS)
        drawn = []
        for alg, base in look.items():
            hit = [p for p in series[alg] if p.point == point]
            if not hit:
                continue
            style = {**base, "markevery": 8, "markersize": 4, "linewidth": 1.2}
            if alg in curves:
                ax.plot(curves[alg][0], curves[alg][1], **style)
                drawn.append(curves[alg][1])
            else:
                ax.axhline(hit[0].mean_s, **{k: v for k, v in style.items() if "mark" not in k})
        cut_axis(ax, drawn)
        ax.locator_params(axis="x", nbins=5)  # 20,000-slot labels must not run together
        ax.set_title(exp.point_label(point), fontsize="small")
        ax.set_xlabel("Iteration (slot)")
        ax.set_ylabel("Total service time (s)")
        ax.grid(True, alpha=0.3)
    handles, labels = np.ravel(axes)[0].get_legend_handles_labels()
    np.ravel(axes)[0].figure.legend(handles, labels, fontsize="small", loc="outside right upper")


def _one_panel(panel: Panel) -> Drawing:
    """A drawing of one panel: ``panel(ax, exp, stats, table)`` on a figure of its own."""

    def drawing(exp: Experiment, stats: list[PointStat], table: pa.Table) -> Any:
        fig, ax = _pyplot().subplots(figsize=(WIDTH_IN, HEIGHT_IN), layout="constrained")
        panel(ax, exp, stats, table)
        ax.grid(True, alpha=0.3)
        return fig

    return drawing


def _panel_grid(exp: Experiment, stats: list[PointStat], table: pa.Table) -> Any:
    """Two panels a row, one per point (``EndPoints``)."""
    rows = max(1, -(-len(exp.points) // 2))
    fig, axes = _pyplot().subplots(
        rows, 2, figsize=(WIDTH_IN + 2.4, 3.4 * rows), layout="constrained", squeeze=False
    )
    _horizon(axes, exp, stats, table)
    return fig


#: How each kind of experiment is drawn, by its layout class
#: (:mod:`jcaco.experiments.experiment`); a layout without an entry is drawn as the nearest
#: class it derives from. A new kind of experiment registers its drawing here.
DRAWINGS: dict[type[Sweep], Drawing] = {
    Sweep: _one_panel(_sweep),
    Rates: _one_panel(_rates),
    Users: _one_panel(_users),
    EndPoints: _panel_grid,
}


def by_layout(table: Mapping[type, T], exp: Experiment) -> T:
    """The entry of ``table`` for ``exp``'s layout class, or for the nearest class it
    derives from (its method resolution order)."""
    for cls in type(exp.layout).__mro__:
        if cls in table:
            return table[cls]
    raise KeyError(f"nothing for the layout {type(exp.layout).__name__} of {exp.name!r}")


def figure_of(exp: Experiment, stats: list[PointStat], table: pa.Table) -> Any:
    """One experiment's matplotlib figure (the caller closes it), drawn as its layout says
    (:data:`DRAWINGS`)."""
    fig = by_layout(DRAWINGS, exp)(exp, stats, table)
    name = exp.name.replace("fig", "Fig. ") + ": " if exp.name.startswith("fig") else ""
    fig.suptitle(f"{name}{exp.title}", fontsize="medium")
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
        save_figure(fig, path, dpi=DPI)
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


__all__ = [
    "DRAWINGS",
    "EXTRA_COLOURS",
    "EXTRA_MARKERS",
    "LINESTYLE",
    "STYLE",
    "by_layout",
    "cut_axis",
    "draw",
    "draw_all",
    "figure_of",
    "ordered",
    "style_of",
    "styles",
]
