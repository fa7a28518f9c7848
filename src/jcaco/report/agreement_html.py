"""The report's "Agreement with the paper" section: a claim × reading table, one sentence per
claim on the readings its verdict depends on, and one on the claims that hold together under
no reading (:mod:`jcaco.report.agreement`).

Each cell gives the verdict and the deciding effect with its 95% interval (signed so that a
negative value supports the claim); the counts of points for / against / undecided and the
deciding numbers in words open on demand.
"""

from __future__ import annotations

import html

from jcaco.report.agreement import (
    ANY_READING,
    STATUSES,
    Judgement,
    by_claim,
    dependence,
    incompatible,
)
from jcaco.report.readings import READINGS

_CSS_CLASS = {"held": "held", "not held": "not", "inconclusive": "inc"}


def _cell(j: Judgement, span: int = 1) -> str:
    v = j.verdict
    css = _CSS_CLASS.get(v.status, "na")
    effect = "" if v.effect is None else f"<br>{html.escape(v.effect.text(j.claim.unit))}"
    counts = "for / against / undecided: {} / {} / {}".format(*v.points)
    detail = (
        f"<details><summary>numbers</summary><p>{counts}</p>"
        f"<p>{html.escape(v.evidence)}</p></details>"
    )
    span_attr = f" colspan={span}" if span > 1 else ""
    return f"<td class=cell{span_attr}><span class={css}>{v.status}</span>{effect}{detail}</td>"


def agreement_html(judgements: list[Judgement]) -> str:
    """The section's HTML (without its heading)."""
    readings = [r.name for group in READINGS.values() for r in group]
    counts = {
        s: sum(j.verdict.status == s for j in judgements if j.verdict.status) for s in STATUSES
    }
    head = (
        f"<p>{len(judgements)} verdicts (a claim that depends on the reading of BR is judged "
        f"once per reading): {counts['held']} held, {counts['not held']} not held, "
        f"{counts['inconclusive']} inconclusive, {counts['not evaluated']} not evaluated. "
        "One rule for every claim: each comparison (a point, a step of a trend, a seed) has a "
        "95% interval (paired over seeds where every algorithm runs on the same seeds); the "
        "claim is held only when every interval excludes zero the claimed way, not held when "
        "one excludes zero the other way, inconclusive otherwise, so a held cell's interval "
        "never covers zero. Two claims add a condition stated before any result that has no "
        "interval of its own and can only make them less held: B1 needs at least half of the "
        "seeds to converge (not held when none does), B2 is not held when a curve still moves "
        "by more than 5% in its last quarter (an interval excluding zero); their cell can "
        "read not held beside an interval that covers zero. "
        "Each cell: the verdict, the deciding "
        "effect (the least favourable point's difference, signed so that negative supports the "
        "claim) with its 95% interval; <i>numbers</i> opens the counts of points (steps for a "
        "trend, seeds for convergence) for / against / undecided and the deciding numbers. "
        "Only the reading's competitors enter a claim; variants and references are listed for "
        "information. The same table: <code>agreement.csv</code>.</p>"
    )
    cols = "".join(f"<th>BR as <code>{html.escape(r)}</code></th>" for r in readings)
    rows = []
    for cid, row in by_claim(judgements).items():
        claim = next(iter(row.values())).claim
        if ANY_READING in row:
            cells = _cell(row[ANY_READING], len(readings))
        else:
            cells = "".join(_cell(row[r]) if r in row else "<td></td>" for r in readings)
        rows.append(
            f"<tr><td class=l>{cid}</td><td class='l claim'>{html.escape(claim.text)}</td>"
            f"{cells}</tr>"
        )
    sentences = "".join(f"<li>{html.escape(s)}</li>" for s in dependence(judgements))
    return (
        head
        + f"<table class=agreement><tr><th>id</th><th>claim</th>{cols}</tr>"
        + "".join(rows)
        + "</table><h3>Which readings each verdict depends on</h3>"
        + f"<ul>{sentences}</ul><p><b>{html.escape(incompatible(judgements))}</b></p>"
    )


__all__ = ["agreement_html"]
