"""The tables of docs/reproduction.md, as markdown, from a results store.

``python -m jcaco.report.docs_tables DIR`` prints, from ``DIR/results.parquet`` (written
by ``jcaco reproduce -o DIR``): the claim × reading table of the Agreement section with the
sentences on which readings each verdict depends on, the headline lines, the references
paired by seed and slot, and, where those experiments are in the store, the "what BR's
information is worth" table. The docs paste these tables, so refreshing them after a new run
is one command.
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from jcaco.experiments.paper import EXPERIMENTS, PLANNER_ALGORITHM
from jcaco.experiments.planner_same_info import SAME_INFO_ALGORITHM
from jcaco.experiments.references import paired_ratios
from jcaco.experiments.summary import PointStat, by_series, summarise
from jcaco.report.agreement import (
    ANY_READING,
    Judgement,
    assess,
    by_claim,
    dependence,
    incompatible,
)
from jcaco.report.figures import STYLE, ordered
from jcaco.report.headlines import headline_text, headlines
from jcaco.report.ladder import ladder, ladder_markdown
from jcaco.report.readings import READINGS


def _cell(j: Judgement) -> str:
    v = j.verdict
    effect = "" if v.effect is None else f" {v.effect.text(j.claim.unit)}"
    word = v.status if v.status in ("held", "not evaluated") else f"**{v.status}**"
    return f"{word}{effect} ({v.points[0]}/{v.points[1]}/{v.points[2]})"


def agreement_markdown(judgements: list[Judgement]) -> str:
    """The claim × reading table (cell: verdict, effect [95% interval], points for / against /
    undecided), the sentences on the readings, and the one on incompatible claims."""
    readings = [r.name for group in READINGS.values() for r in group]
    lines = [
        "| claim | " + " | ".join(f"BR as `{r}`" for r in readings) + " |",
        "|---" * (len(readings) + 1) + "|",
    ]
    for cid, row in by_claim(judgements).items():
        if ANY_READING in row:
            cells = [_cell(row[ANY_READING]) + " (any reading)", *[""] * (len(readings) - 1)]
        else:
            cells = [_cell(row[r]) if r in row else "" for r in readings]
        lines.append(f"| {cid} | " + " | ".join(cells) + " |")
    lines += ["", *(f"* {s}" for s in dependence(judgements)), "", incompatible(judgements)]
    return "\n".join(lines)


def references_markdown(table: pa.Table) -> str:
    """Per figure point: each series over the full- and the same-information planner, paired
    by seed and slot (ratio [95% interval])."""
    planners = (PLANNER_ALGORITHM, SAME_INFO_ALGORITHM)
    ratios = {p: paired_ratios(table, p) for p in planners}
    keys = sorted({k for r in ratios.values() for k in r}, key=lambda k: (k[0], k[1], k[2]))
    series = sorted({k[2] for k in keys})
    order = list(EXPERIMENTS)
    points = sorted({(k[0], k[1]) for k in keys if k[0] in EXPERIMENTS},
                    key=lambda k: (order.index(k[0]), k[1]))  # fmt: skip
    if not points:
        return "(no planner rows with slot-paired learner rows in the store)"
    lines = [
        "| figure | point | " + " | ".join(STYLE.get(a, (a,))[0] for a in series) + " |",
        "|---|---" + "|---" * len(series) + "|",
    ]
    xs = dict(zip(zip(table.column("experiment").to_pylist(), table.column("point").to_pylist(),
                      strict=True), table.column("x").to_pylist(), strict=True))  # fmt: skip
    for fig, point in points:
        exp = EXPERIMENTS[fig]
        cells = []
        for a in series:
            found = [ratios[p][fig, point, a] for p in planners if (fig, point, a) in ratios[p]]
            cells.append(" / ".join(r.text() for r in found))
        lines.append(f"| {fig} | {exp.display(xs[fig, point]):g} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def figure_markdown(stats: list[PointStat], name: str) -> str:
    """One figure's means over seeds [s], one column per series (competitors, variants,
    references); the lowest competitor of each row in bold."""
    series = by_series(stats, name)
    if not series:
        return ""
    exp = EXPERIMENTS[name]
    algs = ordered(series)
    lines = [
        "| x | " + " | ".join(_role_label(a, series[a][0].role) for a in algs) + " |",
        "|---" * (len(algs) + 1) + "|",
    ]
    for point in sorted({p.point for pts in series.values() for p in pts}):
        here = {a: p for a in algs for p in series[a] if p.point == point}
        rivals = [a for a, p in here.items() if p.role == "competitor"]
        best = min(rivals, key=lambda a: here[a].mean_s) if rivals else None
        cells = [
            ("" if a not in here else (f"**{here[a].mean_s:.0f}**" if a == best
                                       else f"{here[a].mean_s:.0f}"))
            for a in algs
        ]  # fmt: skip
        x = next(iter(here.values())).x
        lines.append(f"| {exp.display(x):g} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _role_label(alg: str, role: str) -> str:
    return alg if role == "competitor" else f"{alg} ({role[:3]}.)"


def main(argv: list[str] | None = None) -> int:
    """Print every table of the store in ``argv[0]`` (a ``jcaco reproduce -o`` folder)."""
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0] if args else "results")
    table = pq.read_table(folder / "results.parquet")
    stats = summarise(table)
    out = ["## Agreement (claim × reading)", "", agreement_markdown(assess(stats, table)), ""]
    out += ["## Headlines", ""]
    for alg, h in headlines(stats, table).items():
        out.append("* " + html.unescape(headline_text(h, STYLE.get(alg, (alg,))[0])))
    out += ["", "## References paired by seed and slot", "", references_markdown(table), ""]
    for name in (f"fig{n}" for n in range(4, 11)):
        if by_series(stats, name):
            title = EXPERIMENTS[name].x_label
            out += [f"**Fig. {name[3:]}** — {title}", "", figure_markdown(stats, name), ""]
    for name in ("brinfo", "horizon"):
        if ladder(table, name):
            out += [f"## What information buys ({name})", "", ladder_markdown(table, name), ""]
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
