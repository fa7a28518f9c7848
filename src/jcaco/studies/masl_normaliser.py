"""MASL's normaliser: the rule that picks the default, and the table (docs/algorithms.md).

The rule, written before anything was measured with it (docs/algorithms.md, "MASL's
normaliser"): among the members of the family (:data:`CANDIDATES`, each at ``scale`` 1), the
default is the tightest constant (the smallest mean ratio to ``o9``) whose clipped share is at
most :data:`MAX_CLIPPED_SHARE`. The clipped share of a constant is the largest, over the
four configurations of :data:`CONFIGS` and the two subgames, of the share of MASL's reward
evaluations (an active user's update in a slot) whose delay exceeds the constant, so that
the reward (35), (38) is clipped at 0; it is measured on MASL's own runs with that constant
(the figures' b = 0.05, T = 2,000 slots, seeds 0..19) on networks drawn like Table III from
the ``sensitivity`` stream, never on the figures' networks. The totals the constants produce
play no part in the rule: :func:`pick` reads only the ratios and the clipped shares.

The table adds, per configuration (the end points of Figs. 4 and 9), each constant's mean
total service time over the last 100 slots and its paired difference to ``br`` and
``br-sync`` on the same networks and random draws (95% Student-t intervals over seeds).
Run it as ``jcaco study masl-normaliser [--seeds 20] [--slots 2000] [-o DIR]``.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from jcaco.experiments.paper import MASL_PARAMS
from jcaco.game.profile import Profile
from jcaco.learners.base import Feedback, measured_costs
from jcaco.learners.masl.core import MASL
from jcaco.learners.views import Setup
from jcaco.rng import RandomSource
from jcaco.scenario.generator import PRESETS, with_overrides
from jcaco.scenario.network import Network
from jcaco.sim.recorder import Trace
from jcaco.sim.simulate import simulate
from jcaco.studies.masl_options import paired_interval, sensitivity_networks
from jcaco.types import BoolArray, FloatArray

#: The end points of Fig. 4 (number of APs) and Fig. 9 (number of UEs), Table III otherwise.
CONFIGS: tuple[tuple[str, dict[str, int]], ...] = (
    ("Fig. 4, M = 2", {"num_aps": 2}),
    ("Fig. 4, M = 10", {"num_aps": 10}),
    ("Fig. 9, N = 10", {"num_users": 10}),
    ("Fig. 9, N = 30", {"num_users": 30}),
)
#: The family the rule chooses from: (label, MASL options), loosest first.
CANDIDATES: tuple[tuple[str, dict[str, Any]], ...] = (
    ("o9", {"normaliser": "o9"}),
    ("per-user", {"normaliser": "per-user"}),
    ("worst-resource", {"normaliser": "worst-resource"}),
    ("start-quantile δ=0.01", {"normaliser": "start-quantile", "delta": 0.01}),
    ("start-quantile δ=0.1", {"normaliser": "start-quantile", "delta": 0.1}),
    ("start-quantile δ=0.5", {"normaliser": "start-quantile", "delta": 0.5}),
)
#: The rule's bound on the clipped share.
MAX_CLIPPED_SHARE = 0.01
#: The references each constant is compared with (paired), and one shown beside them.
REFERENCES: tuple[str, ...] = ("br", "br-sync")
SHOWN: tuple[str, ...] = ("br-round",)
WINDOW = 100


class ClipCountingMASL(MASL):
    """MASL that counts, per subgame, the reward evaluations its constant clips at 0.

    ``clipped_`` and ``updates_`` are ``(2,)`` counts (AP, server) over the run;
    ``ratio_`` is the mean ratio of its constants to the ``o9`` ones (AP and server).
    """

    def reset(self, setup: Setup, rng: RandomSource) -> None:
        """MASL's reset, then the counters and the ratio to ``o9``."""
        super().reset(setup, rng)
        self.clipped_ = np.zeros(2, dtype=np.int64)
        self.updates_ = np.zeros(2, dtype=np.int64)
        notes = setup.announcements
        o9 = (
            (notes.expected_max_ap_load_s, notes.expected_max_server_load_s)
            if self.reward_signal == "expected"
            else (notes.max_ap_load_s, notes.max_server_load_s)
        )
        mine = (self.max_ap_delay_s_, self.max_server_delay_s_)
        ratios = [np.broadcast_to(m / o, setup.theta.shape) for m, o in zip(mine, o9, strict=True)]
        self.ratio_ = float(np.mean(ratios))
        self.constant_s_ = (float(np.mean(mine[0])), float(np.mean(mine[1])))

    def observe(self, profile: Profile, feedback: Feedback) -> None:
        """Count the clipped rewards of the updating users, then MASL's update."""
        delays = measured_costs(feedback, profile, self.reward_signal)
        updating = feedback.active & self.players_
        for index, (delay, bound) in enumerate(
            zip(delays, (self.max_ap_delay_s_, self.max_server_delay_s_), strict=True)
        ):
            count, total = clipped(delay, bound, updating)
            self.clipped_[index] += count
            self.updates_[index] += total
        super().observe(profile, feedback)


def clipped(delay: FloatArray, bound: FloatArray, updating: BoolArray) -> tuple[int, int]:
    """How many of the ``updating`` users' delays exceed their constant ``bound`` (their
    reward (35), (38) is clipped at 0), and how many update: ``delay`` and ``updating``
    ``(S, N)``, ``bound`` ``(S, 1)`` or ``(S, N)`` [s]."""
    return int(np.count_nonzero(updating & (delay > bound))), int(np.count_nonzero(updating))


@dataclass(frozen=True)
class CandidateRow:
    """One constant at one configuration."""

    candidate: str
    config: str
    ap_constant_s: float  # mean over seeds (and users) [s]
    server_constant_s: float
    ratio_to_o9: float
    clipped_share: float  # the larger of the two subgames' shares
    mean_total_s: float
    differences: Mapping[str, tuple[float, float, float]]  # reference -> (mean, low, high) [s]


@dataclass(frozen=True)
class Choice:
    """What the rule saw of one candidate: its tightness and its clipped share."""

    candidate: str
    ratio_to_o9: float  # mean over the configurations
    clipped_share: float  # the largest over the configurations and subgames


def pick(choices: Sequence[Choice], max_clipped_share: float = MAX_CLIPPED_SHARE) -> Choice:
    """The rule: the tightest candidate (smallest ``ratio_to_o9``) whose ``clipped_share`` is
    at most ``max_clipped_share``; if none is, the one that clips least."""
    valid = [c for c in choices if c.clipped_share <= max_clipped_share]
    if not valid:
        return min(choices, key=lambda c: c.clipped_share)
    return min(valid, key=lambda c: c.ratio_to_o9)


def choices_of(rows: Sequence[CandidateRow], labels: Sequence[str] | None = None) -> list[Choice]:
    """Each candidate's :class:`Choice` over the configurations of ``rows``, in the order of
    ``labels`` (default: :data:`CANDIDATES`)."""
    out = []
    for label in labels if labels is not None else [c for c, _ in CANDIDATES]:
        mine = [r for r in rows if r.candidate == label]
        if mine:
            ratio = float(np.mean([r.ratio_to_o9 for r in mine]))
            out.append(Choice(label, ratio, max(r.clipped_share for r in mine)))
    return out


@dataclass(frozen=True)
class ReferenceRow:
    """A reference learner's mean total at one configuration."""

    algorithm: str
    config: str
    mean_total_s: float


def run_counting(
    networks: Sequence[Network], seeds: Sequence[int], slots: int, params: Mapping[str, Any]
) -> tuple[Trace, ClipCountingMASL]:
    """:func:`~jcaco.sim.simulate.simulate` of :class:`ClipCountingMASL`, and the learner."""
    made: list[ClipCountingMASL] = []

    def factory(**options: Any) -> ClipCountingMASL:
        made.append(ClipCountingMASL(**options))
        return made[-1]

    factory.name = "masl"  # type: ignore[attr-defined]
    factory.__signature__ = inspect.signature(MASL)  # type: ignore[attr-defined]
    trace = simulate(networks, factory, seeds, slots, params=params)
    return trace, made[-1]


def masl_normaliser(
    seeds: int = 20, slots: int = 2000
) -> tuple[list[CandidateRow], list[ReferenceRow]]:
    """Every candidate and reference at every configuration (module docstring)."""
    seed_list = list(range(seeds))
    rows: list[CandidateRow] = []
    references: list[ReferenceRow] = []
    window = min(WINDOW, slots)
    for index, (label, overrides) in enumerate(CONFIGS):
        networks = sensitivity_networks(
            with_overrides(PRESETS["paper"], overrides), seed_list, index
        )
        totals = {}
        for name in (*REFERENCES, *SHOWN):
            totals[name] = simulate(networks, name, seed_list, slots).tail_mean(window)
            references.append(ReferenceRow(name, label, float(np.mean(totals[name]))))
        for candidate, options in CANDIDATES:
            trace, learner = run_counting(networks, seed_list, slots, {**MASL_PARAMS, **options})
            total = trace.tail_mean(window)
            shares = learner.clipped_ / np.maximum(learner.updates_, 1)
            rows.append(
                CandidateRow(
                    candidate,
                    label,
                    *learner.constant_s_,
                    learner.ratio_,
                    float(shares.max()),
                    float(np.mean(total)),
                    {ref: paired_interval(total - totals[ref]) for ref in REFERENCES},
                )
            )
    return rows, references


__all__ = [
    "CANDIDATES",
    "CONFIGS",
    "MAX_CLIPPED_SHARE",
    "CandidateRow",
    "Choice",
    "ClipCountingMASL",
    "ReferenceRow",
    "choices_of",
    "clipped",
    "masl_normaliser",
    "pick",
]
