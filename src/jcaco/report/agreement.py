"""Every qualitative claim of the paper's Section VII, checked against the stored data, under
each reading it depends on.

Each :class:`Claim` quotes (or closely paraphrases) the paper; its check
(:mod:`jcaco.report.agreement_checks`) reads the per-point statistics and the stored rows
and returns a :class:`Verdict`: ``held``, ``not held`` or ``inconclusive`` (a 95% interval
that decides the claim covers zero), with the deciding effect, its interval and the count of
points for, against and undecided. A claim that names BR, or counts BR among the algorithms
("MASL is lowest", "every algorithm decreases"), depends on the reading of BR
(:mod:`jcaco.report.readings`) and is judged once per reading, with that reading's series
as BR and the other readings left out. A claim whose data are not in the store is
``not evaluated``. Only competitors enter a claim; variants and references (``fp-empirical``,
``br-oracle``, the planner) are listed beside them for information.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from jcaco.experiments.paper import HORIZON_RATES, HORIZON_SLOTS, MASL_RATE
from jcaco.experiments.summary import PointStat
from jcaco.io.files import atomic_path
from jcaco.report.agreement_checks import (
    NO_DATA,
    Scope,
    Status,
    Verdict,
    all_lowest,
    axis_value,
    converges,
    decreases_then_stable,
    lower,
    lowest,
    trend,
)
from jcaco.report.agreement_rates import rates_tradeoff
from jcaco.report.readings import READINGS, reading_series

#: Figures of the performance comparison (VII-C1–C7) and the direction of their trend.
TRENDS: dict[str, tuple[str, str]] = {
    "fig4": ("decreases", "number of APs"),
    "fig5": ("decreases", "AP bandwidth"),
    "fig6": ("decreases", "number of ES"),
    "fig7": ("decreases", "ES computation capacity"),
    "fig8": ("increases", "FLOPs per inference step"),
    "fig9": ("increases", "number of UEs"),
    "fig10": ("increases", "UE transmission data volume"),
}
#: Every verdict, in the order the report counts them.
STATUSES: tuple[Status, ...] = ("held", "not held", "inconclusive", "not evaluated")
#: The ``reading`` of a claim that depends on none (``agreement.csv``).
ANY_READING = "any"
#: ``agreement.csv``'s columns.
CSV_COLUMNS = (
    "claim",
    "reading",
    "verdict",
    "effect_s",
    "ci_low_s",
    "ci_high_s",
    "points_for",
    "points_against",
    "points_undecided",
    "effect_unit",
)


@dataclass(frozen=True)
class Claim:
    """A qualitative statement of Sec. VII and how the data decide it.

    ``depends`` names the baseline whose reading the verdict may depend on (a key of
    :data:`jcaco.report.readings.READINGS`), or is ``None``.
    """

    id: str
    section: str
    text: str
    check: Callable[[list[PointStat], pa.Table, Scope], Verdict]
    depends: str | None = None
    unit: str = " s"


@dataclass(frozen=True)
class Judgement:
    """One claim under one reading (``reading`` is :data:`ANY_READING` for a claim that
    depends on none)."""

    claim: Claim
    reading: str
    verdict: Verdict


_COMPARISON = tuple(TRENDS)


def _claims() -> list[Claim]:
    out = [
        Claim("B1", "VII-B", "Fig. 2: each UE's service time under MASL first decreases and "
              "then stabilises (MASL converges).", converges("fig2")),
        Claim("B2", "VII-B", "Fig. 3: for every learning rate the total service time first "
              "decreases and then stabilises.", decreases_then_stable("fig3")),
        Claim("B3", "VII-B", "Fig. 3: a large learning rate converges fastest initially.",
              rates_tradeoff("speed"), unit=" slots"),
        Claim("B4", "VII-B", "Fig. 3: a large learning rate ends at a worse (suboptimal) "
              "service time than a moderate one.", rates_tradeoff("large")),
        Claim("B5", "VII-B", "Fig. 3: moderate learning rates give the best final "
              "performance.", rates_tradeoff("moderate")),
        Claim("B6", "VII-B", "Fig. 3: an excessively small rate does not reach the best "
              "value within the iterations run.", rates_tradeoff("small")),
    ]  # fmt: skip
    for i, (fig, (direction, what)) in enumerate(TRENDS.items(), start=1):
        name = fig.replace("fig", "Fig. ")
        out.append(
            Claim(
                f"C{i}a",
                f"VII-C{i}",
                f"{name}: the total service time of every "
                f"algorithm {direction} as the {what} grows.",
                trend(fig, direction),
                "BR",
            )
        )
        out.append(Claim(f"C{i}b", f"VII-C{i}", f"{name}: MASL achieves the lowest total "
                         "service time at every point.", lowest(fig), "BR"))  # fmt: skip
    out += [
        Claim("C8a", "VII-C8", "RARO outperforms Selfish (Selfish herds onto the nearest AP "
              "and the strongest ES).", lower("raro", "selfish", _COMPARISON)),
        Claim("C8b", "VII-C8", "BR outperforms mxFP.", lower("BR", "mxfp", _COMPARISON), "BR"),
        Claim("C8c", "VII-C8", "MASL outperforms BR even without global information.",
              lower("masl", "BR", _COMPARISON), "BR"),
        Claim("C8d", "VII-C8", "MASL is more stable than BR, which oscillates (fewer users "
              "switching (AP, ES) per slot).",
              lower("masl", "BR", _COMPARISON, metric="switches"), "BR",
              " switches per slot"),
        Claim("C8e", "VII-C8", "MASL outperforms every baseline across Figs. 4-10 "
              "(conclusion: 'significantly outperformed existing benchmark methods').",
              all_lowest(_COMPARISON), "BR"),
    ]  # fmt: skip
    for k, rate in enumerate(HORIZON_RATES, start=1):
        label = "masl" if rate == MASL_RATE else f"masl b={rate:g}"
        out.append(
            Claim(f"H{k}", "long run", f"Not in the paper: given T = {HORIZON_SLOTS:,} slots, "
                  f"MASL (b = {rate:g}) has the lowest total service time at the end points "
                  "of Figs. 4 and 9.", lowest("horizon", label), "BR")
        )  # fmt: skip
    return out


CLAIMS: list[Claim] = _claims()


def assess(stats: list[PointStat], table: pa.Table) -> list[Judgement]:
    """Every claim under every reading it depends on (once for a claim that depends on none)."""
    present = set(table.column("algorithm").to_pylist()) if table.num_rows else set()
    out = []
    for claim in CLAIMS:
        if claim.depends is None:
            out.append(Judgement(claim, ANY_READING, claim.check(stats, table, Scope())))
            continue
        group = reading_series(claim.depends)
        for reading in READINGS[claim.depends]:
            if reading.series not in present:
                missing = f"the reading's series {reading.series!r} is not in the store"
                out.append(Judgement(claim, reading.name, Verdict("not evaluated", missing)))
                continue
            scope = Scope(
                reading.name,
                {claim.depends: reading.series},
                frozenset(group) - {reading.series},
            )
            out.append(Judgement(claim, reading.name, claim.check(stats, table, scope)))
    return out


def by_claim(judgements: list[Judgement]) -> dict[str, dict[str, Judgement]]:
    """Claim id -> reading -> judgement, in claim order."""
    out: dict[str, dict[str, Judgement]] = {}
    for j in judgements:
        out.setdefault(j.claim.id, {})[j.reading] = j
    return out


def dependence(judgements: list[Judgement]) -> list[str]:
    """One plain sentence per claim that depends on a reading, saying whether and how its
    verdict does; then one for the claims that depend on none."""
    out, free = [], []
    for cid, row in by_claim(judgements).items():
        if ANY_READING in row:
            free.append(cid)
            continue
        seen = {r: j.verdict.status for r, j in row.items() if j.verdict.status != "not evaluated"}
        if not seen:
            out.append(f"{cid}: not evaluated under any reading.")
        elif len(set(seen.values())) == 1:
            status = next(iter(seen.values()))
            out.append(f"{cid}: {status} under every reading run ({', '.join(seen)}); "
                       "its verdict does not depend on the reading.")  # fmt: skip
        else:
            parts = [
                f"{status} under {', '.join(r for r, s in seen.items() if s == status)}"
                for status in STATUSES
                if status in seen.values()
            ]
            out.append(f"{cid}: its verdict depends on the reading of BR: {'; '.join(parts)}.")
    if free:
        out.append(f"{', '.join(free)}: depend on no reading (BR is not part of them).")
    return out


def incompatible(judgements: list[Judgement]) -> str:
    """One sentence on the claims that cannot hold together under any reading."""
    held: dict[str, set[str]] = {}
    readings: set[str] = set()
    for j in judgements:
        if j.reading == ANY_READING:
            continue
        if j.verdict.status != "not evaluated":
            readings.add(j.reading)
        if j.verdict.status == "held":
            held.setdefault(j.claim.id, set()).add(j.reading)
    if not readings:
        return "No claim that depends on a reading was evaluated."
    ids = list(held)
    pairs = [
        f"{a} (held under {', '.join(sorted(held[a]))}) and {b} (under "
        f"{', '.join(sorted(held[b]))})"
        for k, a in enumerate(ids)
        for b in ids[k + 1 :]
        if not held[a] & held[b]
    ]
    dependent = {
        j.claim.id
        for j in judgements
        if j.reading != ANY_READING and j.verdict.status != "not evaluated"
    }
    best = max(sorted(readings), key=lambda r: sum(r in h for h in held.values()))
    count = sum(best in h for h in held.values())
    if count == len(dependent):
        return f"Under {best} all {count} evaluated reading-dependent claims hold together."
    head = (
        f"No reading makes all {len(dependent)} evaluated reading-dependent claims hold "
        f"together (the most under one reading: {count}, under {best})"
    )
    if not pairs:
        return head + "; every pair of claims held under some reading is held under a common one."
    return head + "; these pairs hold under no common reading: " + "; ".join(pairs) + "."


def _number(x: float) -> str:
    return "" if not math.isfinite(x) else f"{x:.6g}"


def write_agreement_csv(judgements: list[Judgement], path: str | os.PathLike[str]) -> Path:
    """``agreement.csv``: one row per (claim, reading), columns :data:`CSV_COLUMNS` (the
    effect and its interval in the claim's unit, named in ``effect_unit``: ``s``, or
    ``switches per slot`` for C8d, ``slots`` for B3; the numbers are empty when the claim has
    no such number). Written atomically."""
    with atomic_path(path) as tmp, tmp.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(CSV_COLUMNS)
        for j in judgements:
            e = j.verdict.effect
            effect = (e.mean, e.low, e.high) if e is not None else (math.nan,) * 3
            writer.writerow(
                [j.claim.id, j.reading, j.verdict.status, *map(_number, effect),
                 *j.verdict.points, j.claim.unit.strip()]
            )  # fmt: skip
    return Path(path)


__all__ = [
    "ANY_READING",
    "CLAIMS",
    "CSV_COLUMNS",
    "NO_DATA",
    "STATUSES",
    "TRENDS",
    "Claim",
    "Judgement",
    "Verdict",
    "assess",
    "axis_value",
    "by_claim",
    "dependence",
    "incompatible",
    "write_agreement_csv",
]
