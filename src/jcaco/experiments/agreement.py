"""Every qualitative claim of the paper's Section VII, checked against the stored data.

Each :class:`Claim` quotes (or closely paraphrases) the paper; its check
(:mod:`jcaco.experiments.agreement_checks`) reads the per-point statistics and the stored rows
and returns a :class:`Verdict`: ``held``, ``not held`` or ``inconclusive`` (a 95% interval
that decides the claim covers zero), with the numbers that decide it. A claim whose figure is
not in the store is ``not evaluated``. Only competitors enter a claim; variants and references
(``fp-empirical``, ``br-oracle``, the planner) are listed beside them for information.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa

from jcaco.experiments.agreement_checks import (
    NO_DATA,
    Status,
    Verdict,
    all_lowest,
    axis_value,
    decreases_then_stable,
    lower,
    lowest,
    rates_tradeoff,
    trend,
)
from jcaco.experiments.paper import COMPETITORS, HORIZON_RATES, HORIZON_SLOTS, MASL_RATE
from jcaco.experiments.summary import PointStat

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
#: The algorithms the paper compares (its BR is checked in both our readings, O11).
PAPER_ALGORITHMS = COMPETITORS
#: Every verdict, in the order the report counts them.
STATUSES: tuple[Status, ...] = ("held", "not held", "inconclusive", "not evaluated")


@dataclass(frozen=True)
class Claim:
    """A qualitative statement of Sec. VII and how the data decide it."""

    id: str
    section: str
    text: str
    check: Callable[[list[PointStat], pa.Table], Verdict]


_COMPARISON = tuple(TRENDS)


def _claims() -> list[Claim]:
    out = [
        Claim("B1", "VII-B", "Fig. 2: each UE's service time under MASL first decreases and "
              "then stabilises (MASL converges).", decreases_then_stable("fig2")),
        Claim("B2", "VII-B", "Fig. 3: for every learning rate the total service time first "
              "decreases and then stabilises.", decreases_then_stable("fig3")),
        Claim("B3", "VII-B", "Fig. 3: a large learning rate converges fastest initially.",
              rates_tradeoff("speed")),
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
            )
        )
        out.append(Claim(f"C{i}b", f"VII-C{i}", f"{name}: MASL achieves the lowest total "
                         "service time at every point.", lowest(fig)))  # fmt: skip
    out += [
        Claim("C8a", "VII-C8", "RARO outperforms Selfish (Selfish herds onto the nearest AP "
              "and the strongest ES).", lower("raro", "selfish", _COMPARISON)),
        Claim("C8b", "VII-C8", "BR outperforms mxFP (`br`: best-response moves that advance with "
              "the slots, one per slot).",
              lower("br", "mxfp", _COMPARISON)),
        Claim("C8c", "VII-C8", "BR outperforms mxFP (BR as simultaneous best response, "
              "`br-sync`).", lower("br-sync", "mxfp", _COMPARISON)),
        Claim("C8d", "VII-C8", "MASL outperforms BR even without global information (`br`).",
              lower("masl", "br", _COMPARISON)),
        Claim("C8e", "VII-C8", "MASL outperforms BR even without global information "
              "(`br-sync`).", lower("masl", "br-sync", _COMPARISON)),
        Claim("C8f", "VII-C8", "MASL is more stable than BR, which oscillates (fewer users "
              "switching (AP, ES) per slot than `br`).",
              lower("masl", "br", _COMPARISON, metric="switches")),
        Claim("C8g", "VII-C8", "MASL is more stable than BR, which oscillates (fewer users "
              "switching (AP, ES) per slot than `br-sync`).",
              lower("masl", "br-sync", _COMPARISON, metric="switches")),
        Claim("C8h", "VII-C8", "MASL outperforms every baseline across Figs. 4-10 "
              "(conclusion: 'significantly outperformed existing benchmark methods').",
              all_lowest(_COMPARISON)),
    ]  # fmt: skip
    for k, rate in enumerate(HORIZON_RATES, start=1):
        label = "masl" if rate == MASL_RATE else f"masl b={rate:g}"
        out.append(
            Claim(f"H{k}", "long run", f"Not in the paper: given T = {HORIZON_SLOTS:,} slots, "
                  f"MASL (b = {rate:g}) has the lowest total service time at the end points "
                  "of Figs. 4 and 9.", lowest("horizon", label))
        )  # fmt: skip
    return out


CLAIMS: list[Claim] = _claims()


def assess(stats: list[PointStat], table: pa.Table) -> list[tuple[Claim, Verdict]]:
    """Every claim with its verdict from the data."""
    return [(c, c.check(stats, table)) for c in CLAIMS]


__all__ = [
    "CLAIMS",
    "NO_DATA",
    "PAPER_ALGORITHMS",
    "STATUSES",
    "TRENDS",
    "Claim",
    "Verdict",
    "assess",
    "axis_value",
]
