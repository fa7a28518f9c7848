"""The readings of the paper that can change a verdict, as data: reading -> stored series.

The paper's "BR" baseline admits three readings (docs/model.md §8, written down before
measuring). The paper: "each active UE adjusts its strategy to optimize its payoff,
considering the strategies of other UEs. The BR algorithm iterates this process, with UEs
updating their strategies until no UE can improve" (VII-A), and Sec. V: best-response schemes
are "guaranteed to converge to a pure-strategy NE". Who moves when is not said:

* ``br``: one improving move per slot (a random active user that can improve);
* ``br-round``: one round per slot (every active user best-responds once, in turn);
* ``br-sync``: every active user best-responds at once to the previous profile.

A claim about "BR" (or one that counts BR among the algorithms, such as "MASL is lowest") is
judged once per reading, with that reading's series as the paper's BR and the other readings'
series left out (:mod:`jcaco.report.agreement`). Adding a reading is one line here; the
report, ``agreement.csv`` and the docs' tables follow.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reading:
    """One reading of an ambiguous baseline.

    Attributes
    ----------
    name : str
        The reading's name in tables and ``agreement.csv`` (``br-sync``).
    series : str
        The stored series label (the store's ``algorithm`` column) that plays it.
    summary : str
        What it does, in a few words.
    """

    name: str
    series: str
    summary: str


#: The baseline whose readings a claim may depend on -> its readings, in table order.
READINGS: dict[str, tuple[Reading, ...]] = {
    "BR": (
        Reading("br", "br", "one improving move per slot"),
        Reading("br-round", "br-round", "one round per slot: each active user once, in turn"),
        Reading("br-sync", "br-sync", "every active user at once (simultaneous)"),
    ),
}


def reading_series(group: str) -> tuple[str, ...]:
    """The stored series of every reading of ``group`` (to leave out the other readings)."""
    return tuple(r.series for r in READINGS[group])


def all_reading_series() -> frozenset[str]:
    """Every series that plays some reading (of any group)."""
    return frozenset(r.series for group in READINGS.values() for r in group)


__all__ = ["READINGS", "Reading", "all_reading_series", "reading_series"]
