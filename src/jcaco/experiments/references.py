"""Reference lines scored like the lines they judge: ratios paired by seed and slot.

A planner (:mod:`jcaco.experiments.planner`, :mod:`jcaco.experiments.planner_same_info`) is
solved at a few sampled slots of the measurement window of its first seeds; a learner's row
holds its W-slot tail mean. Comparing the two means sets one sampled slot against a
100-slot mean. Here every learner row also keeps its realised total (13) at each slot of the
measurement window (``details["window_totals_s"]``, :func:`window_details`), so a learner is
read at *exactly* the planner's sampled slots of the same seeds (common random numbers: the
same activity, fading and positions), and

    ratio = Σ_(seed, slot) learner total / Σ_(seed, slot) planner total

over the pairs both have, with a percentile-bootstrap interval that resamples seeds
(:func:`jcaco.experiments.resample.bootstrap_ratio`; the slots of one seed move together).
At a slot the full-information planner's optimum of (14) is at most any profile's realised
total, so its ratios are ≥ 1 up to the solver's proven gap (a slot the MILP did not prove).
The rows of ``fig<n>`` and ``beyond<n>`` share networks and seeds and are paired together.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jcaco.experiments.resample import bootstrap_ratio

#: Per (experiment group, point, seed): slot -> total [s].
SlotTotals = dict[tuple[str, int, int], dict[int, float]]


def window_details(total_s: np.ndarray, slots: int, window: int) -> str:
    """A learner row's ``details``: its realised total at each slot of the window.

    Parameters
    ----------
    total_s : ndarray, shape (slots,)
        The run's realised total service time (13) per slot [s].
    slots, window : int
        T and W: the window is slots ``T - W .. T - 1``.
    """
    tail = np.asarray(total_s, dtype=float)[slots - window : slots]
    return json.dumps(
        {"window_first_slot": slots - window, "window_totals_s": [float(f"{v:.7g}") for v in tail]}
    )


def group_of(experiment: str) -> str:
    """The experiments that share networks and seeds: ``beyond4`` pairs with ``fig4``."""
    return experiment.replace("beyond", "fig")


@dataclass(frozen=True)
class PairedRatio:
    """One series over one reference at one point, paired by seed and slot.

    Attributes
    ----------
    ratio, low, high : float
        Σ series / Σ reference over the pairs, and its 95% interval (bootstrap over seeds).
    pairs, seeds : int
        (seed, slot) pairs and seeds behind it.
    proven : bool
        Every reference slot was proven optimal (else the ratio is a lower bound).
    """

    ratio: float
    low: float
    high: float
    pairs: int
    seeds: int
    proven: bool

    def text(self) -> str:
        """``1.23 [1.10, 1.35]`` (``≥`` when a reference slot was not proven)."""
        if not math.isfinite(self.ratio):
            return "–"
        bound = "" if self.proven else "≥ "
        if not math.isfinite(self.low):
            return f"{bound}{self.ratio:.3f} (n={self.pairs})"
        return f"{bound}{self.ratio:.3f} [{self.low:.3f}, {self.high:.3f}]"


def _rows(table: pa.Table, learner: str | None = None) -> list[dict[str, Any]]:
    if learner is not None:
        table = table.filter(pc.equal(table.column("learner"), learner))
    cols = ["experiment", "point", "algorithm", "learner", "seed", "details"]
    return table.select([c for c in cols if c in table.column_names]).to_pylist()


def reference_slots(table: pa.Table, learner: str) -> tuple[SlotTotals, dict[tuple, bool]]:
    """A planner's totals at its sampled slots, and per (group, point, seed) whether every
    slot was proven optimal."""
    totals: SlotTotals = {}
    proven: dict[tuple, bool] = {}
    for r in _rows(table, learner):
        doc = json.loads(r.get("details") or "{}")
        key = (group_of(r["experiment"]), int(r["point"]), int(r["seed"]))
        slots = doc.get("sampled_slots", [])
        totals[key] = dict(
            zip(map(int, slots), map(float, doc.get("slot_totals_s", [])), strict=True)
        )
        proven[key] = all(doc.get("slot_proven", [True]))
    return totals, proven


def series_slots(table: pa.Table) -> dict[tuple[str, int, str], dict[int, dict[int, float]]]:
    """Per (group, point, series): seed -> slot -> realised total, from the learner rows that
    kept their window (older stores did not: none then)."""
    out: dict[tuple[str, int, str], dict[int, dict[int, float]]] = defaultdict(dict)
    for r in _rows(table):
        doc = json.loads(r.get("details") or "{}")
        if "window_totals_s" not in doc:
            continue
        first = int(doc["window_first_slot"])
        per_slot = {first + k: float(v) for k, v in enumerate(doc["window_totals_s"])}
        out[group_of(r["experiment"]), int(r["point"]), r["algorithm"]][int(r["seed"])] = per_slot
    return dict(out)


def paired_ratios(table: pa.Table, reference: str) -> dict[tuple[str, int, str], PairedRatio]:
    """Per (group, point, series): the series over the ``reference`` learner's totals, paired
    by seed and slot (module docstring); a series with no common (seed, slot) is left out."""
    ref, proven = reference_slots(table, reference)
    out = {}
    for (group, point, alg), seeds in series_slots(table).items():
        num, den, good = [], [], True
        for seed, per_slot in seeds.items():
            mine = ref.get((group, point, seed), {})
            common = [t for t in mine if t in per_slot]
            if not common:
                continue
            num.append(sum(per_slot[t] for t in common))
            den.append(sum(mine[t] for t in common))
            good &= proven[group, point, seed]
        if num:
            ratio, low, high = bootstrap_ratio(np.array(num), np.array(den))
            pairs = sum(len([t for t in ref[group, point, s] if t in seeds[s]]) for s in seeds
                        if (group, point, s) in ref)  # fmt: skip
            out[group, point, alg] = PairedRatio(ratio, low, high, pairs, len(num), good)
    return out


__all__ = [
    "PairedRatio",
    "group_of",
    "paired_ratios",
    "reference_slots",
    "series_slots",
    "window_details",
]
