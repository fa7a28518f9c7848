"""``summary.csv`` and a self-contained ``report.html``, computed from the results store only.

The report embeds every figure (base64 PNG), a table of numbers per figure (mean over seeds
with its 95% confidence interval; columns grouped by role: competitors, then variants, then
references), the reduction of MASL against each competitor ("by up to X%", the paper's
phrasing in VII-C; variants and references never enter it), the "Agreement with the paper"
section of :mod:`jcaco.report.agreement`, the price-of-anarchy table and the planner
line's caption (:mod:`jcaco.experiments.planner`), and the long run (``horizon``) beside the
same points at the figures' horizon.
"""

from __future__ import annotations

import base64
import html
import math
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from jcaco.experiments.experiment import EndPoints, Rates, Sweep, Users
from jcaco.experiments.paper import EXPERIMENTS, PLANNER_ALGORITHM, Experiment
from jcaco.experiments.planner import price_of_anarchy, sampling_note
from jcaco.experiments.planner_same_info import SAME_INFO_ALGORITHM
from jcaco.experiments.summary import PointStat, by_series, summarise, write_csv
from jcaco.io.files import write_text
from jcaco.report.agreement import TRENDS, assess, write_agreement_csv
from jcaco.report.agreement_html import agreement_html
from jcaco.report.beyond_report import beyond_html
from jcaco.report.figures import STYLE, by_layout, draw_all, ordered
from jcaco.report.headlines import headline_text, headlines
from jcaco.report.ladder import ladder_html
from jcaco.report.learned_report import learned_html

_CSS = """
body{font-family:system-ui,sans-serif;max-width:78rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;margin:0.5rem 0 1.5rem;font-size:0.85rem}
td,th{border:1px solid #ccc;padding:0.2rem 0.5rem;text-align:right}
th{background:#f3f3f3} td.l{text-align:left}
.held{color:#176117;font-weight:bold} .not{color:#a11;font-weight:bold} .na{color:#777}
.inc{color:#8a6100;font-weight:bold} th.variant,th.reference{background:#fafafa;font-style:italic}
img{width:100%;max-width:1100px;min-width:900px}
code{background:#f3f3f3;padding:0 0.2rem} table.ratios td{white-space:nowrap}
table.agreement td.cell{text-align:left;vertical-align:top;white-space:nowrap;min-width:9rem}
table.agreement td.claim{max-width:26rem} details summary{color:#555;cursor:pointer}
details p{white-space:normal;max-width:30rem;font-size:0.8rem}
"""


def reductions(stats: list[PointStat]) -> dict[str, tuple[float, str, float]]:
    """Per competitor: the largest relative reduction of MASL's total service time over the
    points of Figs. 4–10, ``(percent, figure, x)`` (negative: MASL is worse everywhere).
    Only competitors count: variants and references (the planner, ``br-oracle``) are not
    baselines."""
    best: dict[str, tuple[float, str, float]] = {}
    for fig in TRENDS:
        series = by_series(stats, fig)
        if "masl" not in series:
            continue
        masl = {p.point: p for p in series["masl"]}
        for alg, pts in series.items():
            if pts[0].learner == "masl" or pts[0].role != "competitor":
                continue
            for p in pts:
                if p.point in masl and p.mean_s > 0:
                    gain = (p.mean_s - masl[p.point].mean_s) / p.mean_s * 100.0
                    if alg not in best or gain > best[alg][0]:
                        best[alg] = (gain, fig, p.x)
    return best


def _name(alg: str) -> str:
    return STYLE.get(alg, (alg, "", ""))[0]


def _role_name(alg: str, role: str) -> str:
    """``BR-oracle (reference)``: the legend name, with the role unless it is a competitor."""
    name = _name(alg)
    return name if role == "competitor" or role in name else f"{name} ({role})"


def _headline(stats: list[PointStat], table: pa.Table) -> str:
    items = [
        f"<li>{headline_text(h, _name(alg))}</li>" for alg, h in headlines(stats, table).items()
    ]
    if not items:
        return "<p>No comparison figure (Figs. 4–10) in the store.</p>"
    return (
        "<p>Per point, the reduction 100 · (1 − MASL / competitor) of the totals summed over "
        "the seeds both ran, with its 95% bootstrap interval over seeds; significance from "
        "the paired difference MASL − competitor. Every reading of BR has its own line.</p>"
        "<ul>" + "".join(items) + "</ul>"
    )


def _cell(p: PointStat) -> str:
    if math.isnan(p.ci_low_s):
        return f"{p.mean_s:.3f}"
    return f"{p.mean_s:.3f}<br><small>[{p.ci_low_s:.3f}, {p.ci_high_s:.3f}]</small>"


def _rates_table(stats: list[PointStat], name: str) -> str:
    rows = "".join(
        f"<tr><td>{p.x:g}</td><td>{_cell(p)}</td><td>{p.converged_share:.2f}</td>"
        f"<td>{p.switches:.2f}</td></tr>"
        for p in sorted((s for s in stats if s.experiment == name), key=lambda s: s.x)
    )
    return (
        "<table><tr><th>Learning rate b</th><th>final total service time (s)</th>"
        f"<th>share of seeds converged</th><th>switches per slot</th></tr>{rows}</table>"
    )


def _origin(stats: list[PointStat], exp_name: str, point: int, alg: str) -> PointStat | None:
    """For a point with its own network key (``horizon``): the same series at the same value
    of the figure it comes from, if that figure is in the store."""
    exp = EXPERIMENTS[exp_name]
    if not isinstance(exp.layout, EndPoints):
        return None
    fig = f"fig{exp.network_key(point)[0]}"
    hit = [
        s for s in stats
        if s.experiment == fig and s.algorithm == alg and math.isclose(s.x, exp.points[point])
    ]  # fmt: skip
    return hit[0] if hit else None


def _figure_table(stats: list[PointStat], name: str) -> str:
    exp = EXPERIMENTS[name]
    own = isinstance(exp.layout, EndPoints)  # each point its own end point of a figure
    series = by_series(stats, name)
    if not series:
        return ""
    algs = ordered(series)
    points = sorted({p.point: p.x for pts in series.values() for p in pts}.items())
    head = "".join(
        f"<th class={series[a][0].role}>{html.escape(_role_name(a, series[a][0].role))}</th>"
        for a in algs
    )
    label = html.escape(exp.x_label + (f" ({exp.x_unit})" if exp.x_unit else ""))
    body = []
    for point, x in points:
        cells = []
        for a in algs:
            hit = [p for p in series[a] if p.point == point]
            if not hit:
                cells.append("<td></td>")
                continue
            text = _cell(hit[0])
            origin = _origin(stats, name, point, a)
            if own and a != PLANNER_ALGORITHM:
                text += f"<br>converged {hit[0].converged_share:.0%}"
            if origin is not None:
                fig = origin.experiment.replace("fig", "Fig. ")
                text += f"<br><i>{fig}'s run: {origin.mean_s:.3f}</i>"
            cells.append(f"<td>{text}</td>")
        where = exp.point_label(point) if own else f"{exp.display(x):g}"
        body.append(f"<tr><td class=l>{html.escape(where)}</td>{''.join(cells)}</tr>")
    return f"<table><tr><th>{label}</th>{head}</tr>{''.join(body)}</table>"


def _planner_caption(table: pa.Table, beyond: bool = False) -> str:
    if beyond:
        return _same_info_caption(table)
    note = sampling_note(table)
    if not note:
        return ""
    return (
        f"<p><i>{_LINES}"
        "The central planner (exact optimum, reference) knows each slot's activity, fading "
        "and positions and solves the realised slot game (14) exactly, at "
        f"{html.escape(note)}. It is not drawn: the lines are means over every window slot "
        "of every seed, and a level taken at a few other slots would not be scored like "
        "them. The table 'Price of anarchy' divides each series by it at exactly the "
        "planner's slots, paired by seed and slot.</i></p>"
    )


_LINES = (
    "Solid lines: the competitors; dash-dotted: variants; dashed: references, "
    "which are given more than the paper allows and never enter a claim. "
)


def _same_info_caption(table: pa.Table) -> str:
    note = sampling_note(table, SAME_INFO_ALGORITHM)
    if not note:
        return ""
    return (
        f"<p><i>{_LINES}"
        "Dashed: the same-information planner (reference): at each sampled slot the optimum "
        "of the expected game (15) at the slot's positions, the mean fading and θ (what a "
        "planner that knows no more than the learners can aim at), scored on that slot's "
        f"realised activity and fading, at {html.escape(note)} (a node limit stops the "
        "others within a small proven gap). Neither planner is drawn (they are solved at "
        "sampled slots only); the section 'Beyond the paper' divides every series by both "
        "planners at exactly their slots, paired by seed and slot.</i></p>"
    )


def _horizon_caption(name: str, table: pa.Table) -> str:
    rows = table.filter(pc.equal(table.column("experiment"), name))
    slots = "/".join(f"{s:,}" for s in sorted(set(rows.column("slots").to_pylist())))
    if name == "brinfo":
        return (
            "<p><i>What BR's information is worth, at Fig. 9's end points (the same networks "
            f"and seeds, {slots} slots). <code>br</code> reads every user's activity a(t) and "
            "every user's realised fading of the slot (declared information: activity=all, "
            "channel=all, others=actions), more than the paper gives it (the number of active "
            "UEs and their strategies). The rungs below remove the fading (times at the mean "
            "fading), then the others' activity (the expected game with θ weights, what MASL "
            "learns); <code>br-oracle</code> is granted an equilibrium of every slot "
            "(reference). A small gap between <code>br</code> and its rungs means the extra "
            "information is worth little.</i></p>"
        )
    return (
        f"<p><i>The same networks, seeds and dynamics as the figures' points, run for {slots} "
        "slots (the first slots are the figures' runs exactly). Each cell: the mean over the "
        "last W slots and seeds with its 95% interval, the share of runs whose learner's "
        "convergence flag is set at the end, and, where that figure is in the store, the same "
        "series' value in the figure's own (shorter) run. Claims H1, H2 of the Agreement "
        "section judge MASL against the competitors here.</i></p>"
    )


#: What follows each figure's image in the report, by the experiment's layout class (as
#: :data:`jcaco.report.figures.DRAWINGS`): captions and tables, as HTML fragments.
SECTIONS: dict[type[Sweep], Callable[[Experiment, list[PointStat], pa.Table], list[str]]] = {
    Sweep: lambda exp, stats, table: [
        _planner_caption(table, beyond=exp.name.startswith("beyond")),
        _figure_table(stats, exp.name),
    ],
    Users: lambda exp, stats, table: [_figure_table(stats, exp.name)],
    Rates: lambda exp, stats, table: [_rates_table(stats, exp.name)],
    EndPoints: lambda exp, stats, table: [
        _horizon_caption(exp.name, table),
        _figure_table(stats, exp.name),
        ladder_html(table, exp.name),
    ],
}


def _ratio_cell(text: str) -> str:
    """``1.23 [1.10, 1.35]`` as the ratio over its interval in small print."""
    head, _, interval = text.partition(" [")
    tail = f"<br><small>[{html.escape(interval)}</small>" if interval else ""
    return html.escape(head) + tail


def _poa_table(stats: list[PointStat], table: pa.Table) -> str:
    """Per figure point: algorithm / planner, and PoS / PoA of the expected game."""
    listed = {s.algorithm: s for s in stats if s.algorithm != PLANNER_ALGORITHM}
    points = price_of_anarchy(stats, table, list(listed))
    if not points:
        return "<p>No planner line in the store.</p>"
    algs = [
        a
        for a in ordered({a: [s] for a, s in listed.items()})
        if any(a in p.to_planner for p in points)
    ]
    head = "".join(f"<th>{html.escape(_name(a))} / planner</th>" for a in algs)
    body = []
    for p in points:
        exp = EXPERIMENTS.get(p.experiment)
        x = (
            html.escape(exp.point_label(p.point))
            if exp and isinstance(exp.layout, EndPoints)
            else (f"{exp.display(p.x):g}" if exp else f"{p.x:g}")
        )
        cells = "".join(
            f"<td>{_ratio_cell(p.to_planner[a].text()) if a in p.to_planner else ''}</td>"
            for a in algs
        )
        body.append(
            f"<tr><td class=l>{p.experiment}</td><td>{x}</td>{cells}"
            f"<td>{p.planner_proven:.2f}</td><td>{p.expected_seeds}</td>"
            f"<td>{html.escape(p.stability.text())}</td><td>{html.escape(p.anarchy.text())}</td>"
            "</tr>"
        )
    return (
        "<p>Left: each algorithm's realised total service time over the planner's optimum "
        "at exactly the planner's sampled slots of the seeds it ran (paired by seed and slot, "
        "ratio of sums, 95% bootstrap interval over seeds; ≥: a sampled slot's optimum was not "
        "proven, the ratio is then a lower bound). An optimum is never above any profile of "
        "its slot, so every ratio is at least 1; – : rows from a run that did not keep the "
        "window slot by slot. Right: for the expected game (15) of "
        "the first seeds of each point (column <i>seeds</i>) at the mean fading and the "
        "initial positions, the best (PoS) and the worst (PoA) pure equilibrium's expected "
        "total over the optimum of (15), means over those seeds. A number with ≥ is a proven "
        "lower bound (a solver stopped at its time limit); the bracket, where finite, a proven "
        "upper bound.</p><table><tr><th>figure</th><th>x</th>"
        f"{head}<th>planner proven share</th><th>seeds</th><th>PoS</th><th>PoA</th></tr>"
        + "".join(body)
        + "</table>"
    )


def _image(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode()
    return f"<img alt='{path.stem}' src='data:image/png;base64,{data}'>"


def write_report(
    table: pa.Table,
    out_dir: str | os.PathLike[str],
    run: Mapping[str, Any],
    learned: Mapping[str, Any] | None = None,
) -> dict[str, Path]:
    """Write the figures, ``summary.csv`` and ``report.html`` into ``out_dir``; with
    ``learned`` (the learned policy's training record, :func:`jcaco.experiments.learned.prepare`)
    also its training curve and the ``learned`` section."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stats = summarise(table)
    csv_path = write_csv(stats, out / "summary.csv")
    judgements = assess(stats, table)
    agreement_csv = write_agreement_csv(judgements, out / "agreement.csv")
    figures = draw_all(stats, table, out)
    extra: dict[str, Path] = {}
    info = "".join(
        f"<tr><td class=l>{html.escape(str(k))}</td><td class=l>{html.escape(str(v))}</td></tr>"
        for k, v in run.items()
    )
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>jcaco reproduction</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>Reproduction of Liu et al., JCACO game and MASL (Sec. VII)</h1>",
        f"<table>{info}</table>",
        "<p>Each point is the mean realised total service time (13) over the last W slots of a "
        "run, averaged over seeds, with a percentile-bootstrap 95% interval over seeds; all "
        "numbers are computed from <code>results.parquet</code>. Choices where the paper is "
        "silent: <code>docs/reproduction.md</code> and docs/model.md §8.</p>",
        "<h2>MASL against each competitor</h2>",
        _headline(stats, table),
        "<h2>Agreement with the paper</h2>",
        agreement_html(judgements),
        "<h2>Price of anarchy</h2>",
        _poa_table(stats, table),
    ]
    if any(str(e).startswith("beyond") for e in set(table.column("experiment").to_pylist())):
        parts += ["<h2>Beyond the paper: learners against both planners</h2>", beyond_html(table)]
    if learned is not None:
        section, curve = learned_html(stats, table, learned, out, _image)
        parts += ["<h2>Learned: a trained policy at Figs. 4 and 9</h2>", section]
        extra["learned_training"] = curve
    for name, paths in figures.items():
        exp = EXPERIMENTS[name]
        parts.append(f"<h2>{name.replace('fig', 'Fig. ')}: {html.escape(exp.title)}</h2>")
        parts.append(_image(paths[0]))
        parts += by_layout(SECTIONS, exp)(exp, stats, table)
    parts.append("</body></html>")
    report = write_text(out / "report.html", "\n".join(parts))
    return {
        "report": report,
        "summary": csv_path,
        "agreement": agreement_csv,
        **{n: p[0] for n, p in figures.items()},
        **extra,
    }


__all__ = ["reductions", "write_report"]
