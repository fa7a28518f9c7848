"""The tables of ``jcaco study masl-normaliser``: markdown for the terminal and docs, CSV."""

from __future__ import annotations

import csv
import io

from jcaco.cli.output import markdown_table
from jcaco.studies.masl_normaliser import (
    MAX_CLIPPED_SHARE,
    REFERENCES,
    CandidateRow,
    ReferenceRow,
    choices_of,
    masl_normaliser,
    pick,
)

CSV_COLUMNS = (
    "series",
    "configuration",
    "ap_constant_s",
    "server_constant_s",
    "ratio_to_o9",
    "clipped_share",
    "mean_total_s",
    *(
        f"{kind}_{ref.replace('-', '_')}_s"
        for ref in REFERENCES
        for kind in ("diff", "low", "high")
    ),
)


def _interval(value: tuple[float, float, float]) -> str:
    mean, low, high = value
    return f"{mean:+.1f} [{low:+.1f}, {high:+.1f}]"


def rule_table(rows: list[CandidateRow]) -> tuple[str, str]:
    """The rule's view (each member's ratio and clipped share) and the member it picks."""
    choices = choices_of(rows)
    chosen = pick(choices)
    cells = [
        [
            c.candidate,
            f"{c.ratio_to_o9:.3f}",
            f"{c.clipped_share:.2%}",
            "yes" if c.clipped_share <= MAX_CLIPPED_SHARE else "no",
            "**picked**" if c is chosen else "",
        ]
        for c in choices
    ]
    header = ["member", "mean ratio to o9", "clipped share (largest)", "<= 1%", "rule"]
    return markdown_table(header, cells), chosen.candidate


def detail_table(rows: list[CandidateRow], references: list[ReferenceRow]) -> str:
    """Each member at each configuration, then the references' totals."""
    header = ["member", "configuration", "T̄max_tr [s]", "T̄max_cp [s]", "ratio to o9"]
    header += ["clipped share", "total [s]", *(f"− {ref} [s] (95% CI)" for ref in REFERENCES)]
    cells = [
        [
            r.candidate,
            r.config,
            f"{r.ap_constant_s:.2f}",
            f"{r.server_constant_s:.2f}",
            f"{r.ratio_to_o9:.3f}",
            f"{r.clipped_share:.2%}",
            f"{r.mean_total_s:.1f}",
            *(_interval(r.differences[ref]) for ref in REFERENCES),
        ]
        for r in rows
    ]
    blank = [""] * (len(header) - 7)
    cells += [
        [ref.algorithm, ref.config, "", "", "", "", f"{ref.mean_total_s:.1f}", *blank]
        for ref in references
    ]
    return markdown_table(header, cells)


def csv_table(rows: list[CandidateRow], references: list[ReferenceRow]) -> str:
    """Every row as CSV (:data:`CSV_COLUMNS`; a reference has only its total)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        diffs = [f"{v:.6g}" for ref in REFERENCES for v in r.differences[ref]]
        values = (r.ap_constant_s, r.server_constant_s, r.ratio_to_o9, r.clipped_share)
        writer.writerow(
            [r.candidate, r.config, *(f"{v:.6g}" for v in values), f"{r.mean_total_s:.6g}", *diffs]
        )
    for ref in references:
        empty = [""] * (len(CSV_COLUMNS) - 7)
        writer.writerow(
            [ref.algorithm, ref.config, "", "", "", "", f"{ref.mean_total_s:.6g}", *empty]
        )
    return out.getvalue()


def normaliser_report(seeds: int, slots: int) -> tuple[str, str]:
    """Run the study; the markdown (the rule's pick, its view, the detail) and the CSV."""
    rows, references = masl_normaliser(seeds, slots)
    rule, chosen = rule_table(rows)
    size = "" if (seeds, slots) == (20, 2000) else " (the rule is defined at 20 seeds, T = 2,000)"
    markdown = (
        f'The rule (docs/algorithms.md, "MASL\'s normaliser") picks **{chosen}**: the tightest '
        f"member whose clipped share is at most {MAX_CLIPPED_SHARE:.0%} "
        f"({seeds} seeds, T = {slots:,}{size}).\n\n{rule}\n\n{detail_table(rows, references)}"
    )
    return markdown, csv_table(rows, references)
