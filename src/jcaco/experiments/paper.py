"""The paper's experiments (Sec. VII, Figs. 2–10) as data.

An :class:`Experiment` (:mod:`jcaco.experiments.experiment`) says what is swept (a Table III
generator parameter, or a learner hyperparameter for Fig. 3), at which points, which series
run (:mod:`jcaco.experiments.series`: competitors, variants and references), and how long.

Beside the paper's figures, ``catalog4``, ``catalog6`` and ``catalog9`` rerun Figs. 4, 6 and 9
with servers drawn from the shipped catalog of real diffusion models (docs/catalog.md) instead
of Table III's ranges; they run only when named (``--only catalog``), not in the default run.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from jcaco.experiments.experiment import (
    DEFAULT_SEEDS,
    DEFAULT_SLOTS,
    Experiment,
    Rates,
    Users,
    end_points,
)
from jcaco.experiments.series import Series, learner_series
from jcaco.game.optimum.social_optimum import DEFAULT_NODE_LIMIT
from jcaco.learners.masl.core import both_rates
from jcaco.learners.registry import PRICED, runnable

#: The competitors of Figs. 4–10: the paper's algorithms (VII-A) with the information the
#: paper gives each (docs/model.md §6); ``br`` and ``br-sync`` are two readings of the paper's BR
#: (:mod:`jcaco.report.readings`: each claim about BR is judged under each reading).
COMPETITORS: tuple[str, ...] = ("masl", "br", "br-sync", "mxfp", "selfish", "raro")
#: Former name of :data:`COMPETITORS`.
ALGORITHMS = COMPETITORS
#: The third reading of BR, one round per slot (every active user best-responds once, in
#: turn): a variant series; the Agreement section judges it as BR under its own reading.
BR_ROUND = "br-round"

#: Readings beyond the paper's, listed beside the competitors (O12), and ``br-round``.
VARIANTS: tuple[str, ...] = ("fp-empirical", BR_ROUND)
#: Learners given more than the paper allows (O11): reference lines.
ORACLES: tuple[str, ...] = ("br-oracle",)
#: Relative cost per (run, slot, user) of the series that cost more than a learner's run
#: (scheduling only: the longest tasks start first). Measured at Fig. 4, M = 6, 20 seeds x 500
#: slots: every learner within 0.2-0.6 s CPU (br-oracle 0.3 s), the planner 0.8 s.
COSTS: Mapping[str, float] = MappingProxyType({"planner": 1.5})

#: Fig. 3's learning rates (O4); docs/model.md §7 default 0.05 is used everywhere else.
LEARNING_RATES: tuple[float, ...] = (0.001, 0.01, 0.05, 0.1)
#: MASL's b_c = b_o in Figs. 2 and 4–10 (docs/model.md O4), set here rather than taken from the
#: learner's default so that the figures do not move when that default does.
MASL_RATE = 0.05
MASL_PARAMS: Mapping[str, Any] = MappingProxyType(both_rates(MASL_RATE))

#: The central planner's reference line of Figs. 4–10 (:mod:`jcaco.experiments.planner`): the
#: exact optimum of the realised slot game (14) at ``sampled_slots`` slots per seed of the
#: measurement window, for the first :data:`PLANNER_SEEDS` runs of each point; and the
#: expected game's optimum and best/worst equilibria (15) for the first ``expected_seeds``
#: runs. Every MILP stops at a node limit, never at wall time (the same numbers on any
#: machine): slots and the expected optimum at the optimum's default; the equilibria at 0 (the
#: equilibria best response finds, with the count bound: what the former 0.05 s limit gave).
#: Seeds chosen by measurement so that the full run grows by about 10% (docs/reproduction.md;
#: with every seed the planner cost 31% of the learners' CPU).
PLANNER_ALGORITHM = "planner"
PLANNER_SEEDS = 4
PLANNER_PARAMS: Mapping[str, Any] = MappingProxyType(
    {
        "sampled_slots": 1,
        "slot_node_limit": DEFAULT_NODE_LIMIT,
        "expected_seeds": 1,
        "expected_node_limit": DEFAULT_NODE_LIMIT,
        "equilibria_node_limit": 0,
    }
)

#: MASL at the figures' rate, the competitors, the variants and the references of Figs. 4–10.
MASL = learner_series("masl", MASL_PARAMS)
#: The planner's series: a reference line, run by the ``planner`` runner.
PLANNER = Series(
    PLANNER_ALGORITHM,
    PLANNER_ALGORITHM,
    PLANNER_PARAMS,
    role="reference",
    runner="planner",
    max_seeds=PLANNER_SEEDS,
    cost=COSTS[PLANNER_ALGORITHM],
)


def _learner(name: str) -> Series:
    if name == BR_ROUND:  # a variant here whatever role its class declares (readings.py)
        return Series(BR_ROUND, BR_ROUND, role="variant", cost=COSTS.get(name, 1.0))
    return MASL if name == "masl" else learner_series(name, cost=COSTS.get(name, 1.0))


def _every_algorithm() -> tuple[Series, ...]:
    """The series of Figs. 4–10: competitors, then variants, then references."""
    return (*(_learner(a) for a in (*COMPETITORS, *VARIANTS, *ORACLES)), PLANNER)


def _sweep(
    name: str, title: str, x_name: str, label: str, unit: str, scale: float, values: tuple
) -> Experiment:
    return Experiment(
        name=name,
        title=title,
        x_name=x_name,
        x_label=label,
        x_unit=unit,
        x_scale=scale,
        points=tuple(float(v) * scale for v in values),
        series=_every_algorithm(),
    )


#: The catalog experiments' models: two with a quality floor on SD 1.5's GPUs, one floorless
#: few-step solver on SDXL's, and one on LCM-LoRA SDXL's with its 2-8 step range (the pairing
#: of published curves with published latencies is the catalog's; docs/catalog.md).
CATALOG_MODELS = ("ddim-cifar10", "ddpm-cifar10", "dpmpp3m-cifar10", "unipc3-cifar10")


def _on_catalog(exp: Experiment) -> Experiment:
    return replace(
        exp,
        name=exp.name.replace("fig", "catalog"),
        title=f"{exp.title} (catalog servers)",
        figure=exp.number,
        catalog_models=CATALOG_MODELS,
        in_default=False,
    )


_RANGE = (2, 4, 6, 8, 10)

EXPERIMENTS: dict[str, Experiment] = {
    "fig2": Experiment(
        name="fig2",
        title="Per-user service time over iterations (MASL, 30 users)",
        x_name="num_users",
        x_label="Number of UEs",
        x_unit="",
        x_scale=1.0,
        points=(30.0,),
        series=(MASL,),
        layout=Users(),
    ),
    "fig3": Experiment(
        name="fig3",
        title="Total service time over iterations for MASL learning rates",
        x_name="learning_rate",
        x_label="Learning rate b",
        x_unit="",
        x_scale=1.0,
        points=LEARNING_RATES,
        series=(learner_series("masl"),),
        layout=Rates(),
    ),
    "fig4": _sweep(
        "fig4", "Total service time vs number of APs", "num_aps", "Number of APs", "", 1.0, _RANGE
    ),  # fmt: skip
    "fig5": _sweep(
        "fig5",
        "Total service time vs AP bandwidth",
        "bandwidth_hz",
        "AP bandwidth",
        "MHz",
        1e6,
        _RANGE,
    ),  # fmt: skip
    "fig6": _sweep(
        "fig6", "Total service time vs number of ES", "num_servers", "Number of ES", "", 1.0, _RANGE
    ),  # fmt: skip
    "fig7": _sweep(
        "fig7",
        "Total service time vs ES computation capacity",
        "capacity_flops",
        "ES computation capacity",
        "TFLOP/s",
        1e12,
        _RANGE,
    ),  # fmt: skip
    "fig8": _sweep(
        "fig8",
        "Total service time vs FLOPs per inference step",
        "flops_per_step",
        "FLOPs per inference step",
        "TFLOP",
        1e12,
        (0.1, 0.2, 0.3, 0.4, 0.5),
    ),  # fmt: skip
    "fig9": _sweep(
        "fig9",
        "Total service time vs number of UEs",
        "num_users",
        "Number of UEs",
        "",
        1.0,
        (10, 15, 20, 25, 30),
    ),  # fmt: skip
    "fig10": _sweep(
        "fig10",
        "Total service time vs content size",
        "content_bytes",
        "UE transmission data volume",
        "MB",
        1e6,
        _RANGE,
    ),  # fmt: skip
}

#: The long run: where each competitor ends when MASL has time to converge.
HORIZON_SLOTS = 20_000
HORIZON_SEEDS = 20
#: MASL's second rate in the long run (Fig. 3's moderate rates: 0.05 ends best at T = 2000,
#: 0.01 is slower but may end lower given time).
HORIZON_RATES: tuple[float, ...] = (MASL_RATE, 0.01)


#: What information buys BR (docs/reproduction.md): ``br`` with less than the paper's
#: information, between the per-slot oracle and MASL. ``br`` knows a(t) and the realised
#: fading; the first rung drops the fading (mean-fading times), the second the others'
#: activity too (the expected game with θ weights, which MASL learns). Variants: listed
#: beside the competitors, never part of a claim.
BR_LADDER: tuple[Series, ...] = (
    Series("br a(t), mean fading", "br", MappingProxyType({"channel": "mean"}), role="variant"),
    Series(
        "br expected game",
        "br",
        MappingProxyType({"activity": "own", "channel": "mean"}),
        role="variant",
    ),
)


def _horizon(origins: tuple[tuple[str, int], ...]) -> Experiment:
    """The end points ``origins`` at :data:`HORIZON_SLOTS` slots, with MASL at
    :data:`HORIZON_RATES` against the competitors, the BR information ladder
    (:data:`BR_LADDER`, ``br-oracle``) and the planner's line."""
    masl = tuple(
        MASL
        if rate == MASL_RATE
        else learner_series("masl", both_rates(rate), label=f"masl b={rate:g}")
        for rate in HORIZON_RATES
    )
    rivals = tuple(_learner(a) for a in COMPETITORS if a != "masl")
    ladder = (*BR_LADDER, _learner("br-oracle"))
    return end_points(
        "horizon",
        f"The end points of Figs. 4 and 9 at T = {HORIZON_SLOTS:,} slots",
        tuple((EXPERIMENTS[f], p) for f, p in origins),
        (*masl, *rivals, *ladder, PLANNER),
        HORIZON_SLOTS,
        HORIZON_SEEDS,
        in_default=False,
    )


#: What BR's information is worth, in the default run (cheap: Fig. 9's end points at the
#: figures' T, five series): ``br`` (it reads every user's a(t) and realised fading, more than
#: the paper gives it), ``br`` at the mean fading, ``br`` on the expected game, ``br-oracle``
#: and MASL, on Fig. 9's networks and seeds (:mod:`jcaco.report.ladder`).
BR_INFO = end_points(
    "brinfo",
    "What BR's information is worth (Fig. 9's end points)",
    ((EXPERIMENTS["fig9"], 0), (EXPERIMENTS["fig9"], 4)),
    (MASL, _learner("br"), *BR_LADDER, _learner("br-oracle")),
    DEFAULT_SLOTS,
    DEFAULT_SEEDS,
    in_default=True,
)


for _name in ("fig4", "fig6", "fig9"):  # each beside its Table III counterpart (report order)
    _at = list(EXPERIMENTS).index(_name) + 1
    _items = list(EXPERIMENTS.items())
    _items.insert(_at, (_name.replace("fig", "catalog"), _on_catalog(EXPERIMENTS[_name])))
    EXPERIMENTS = dict(_items)

EXPERIMENTS["brinfo"] = BR_INFO
EXPERIMENTS["horizon"] = _horizon((("fig4", 0), ("fig4", 4), ("fig9", 0), ("fig9", 4)))

#: Beyond the paper: learners aimed at the social optimum and the same-information
#: planner (:mod:`jcaco.experiments.planner_same_info`), on Figs. 4-10's points, networks and
#: seeds; the other series are the figures' own rows (``--only beyond`` runs both).
SAME_INFO_PLANNER = Series(
    "planner same-info",
    "planner-same-info",
    MappingProxyType({"sampled_slots": 1, "node_limit": 20}),
    role="reference",
    runner="planner-same-info",
    max_seeds=PLANNER_SEEDS,
    cost=10.0,
)

_PRICED = {  # the named configurations of the registry; MASL with the paper's parameters
    label: learner_series(name, {**(MASL_PARAMS if name == "masl" else {}), **params}, label=label)
    for label, (name, params) in PRICED.items()
}
BEYOND_SERIES: tuple[Series, ...] = (
    learner_series("loglinear"),
    *(_PRICED[f"{name} price"] for name in ("loglinear", "masl", "br", "bandit")),
    # what a single-move local optimum of (15) is worth: priced best response on the expected
    # game (own activity bit, mean channel, everybody's actions), beside the learners
    learner_series(
        "br", {"price": True, "activity": "own", "channel": "mean"}, label="br price expected"
    ),
    SAME_INFO_PLANNER,
)


def _beside(number: int, prefix: str, caption: str, series: tuple[Series, ...]) -> None:
    """Register ``<prefix><number>``: Fig. ``number``'s points, networks and seeds with
    ``series``, outside the default run."""
    fig = EXPERIMENTS[f"fig{number}"]
    EXPERIMENTS[f"{prefix}{number}"] = replace(
        fig,
        name=f"{prefix}{number}",
        title=f"{fig.title} ({caption})",
        figure=number,
        series=series,
        in_default=False,
    )


for _n in range(4, 11):
    _beside(_n, "beyond", "beyond the paper", BEYOND_SERIES)

#: The ``learned`` experiment (:mod:`jcaco.experiments.learned`, ``--only learned``, needs the
#: rl extra): a policy trained with MaskablePPO on the ``training`` stream's networks, on the
#: points, networks and seeds of Figs. 4 and 9 beside MASL, ``br``, ``br-sync`` and the planner.
#: Its series run through the ``learned`` runner, which the experiment supplies once the policy
#: is trained or loaded from the store; variants: never part of a claim. Two ways to act: a
#: draw from the masked softmax (the policy as PPO trained it, with the learner stream), and
#: the masked argmax (deterministic).
LEARNED_RUNNER = "learned"
LEARNED = Series(
    "learned policy",
    "policy",
    MappingProxyType({"deterministic": False}),
    role="variant",
    runner=LEARNED_RUNNER,
)
LEARNED_ARGMAX = replace(
    LEARNED, label="learned policy argmax", params=MappingProxyType({"deterministic": True})
)
for _n in (4, 9):
    _beside(
        _n,
        "learned",
        "a learned policy",
        (MASL, _learner("br"), _learner("br-sync"), LEARNED, LEARNED_ARGMAX, PLANNER),
    )

#: Named groups of experiments for ``--only`` (``--only catalog``; ``--only all``: every
#: experiment, the ones outside the default run included).
GROUPS: dict[str, tuple[str, ...]] = {
    "all": tuple(n for n in EXPERIMENTS if not n.startswith("learned")),  # no rl extra
    "beyond": (*(f"fig{n}" for n in range(4, 11)), *(f"beyond{n}" for n in range(4, 11))),
    "learned": ("learned4", "learned9"),
    "catalog": ("catalog4", "catalog6", "catalog9"),
}
#: What a run without ``--only`` runs (the paper's figures; the catalog ones and the long run
#: only when named).
DEFAULT_RUN: tuple[str, ...] = tuple(n for n, e in EXPERIMENTS.items() if e.in_default)


def expand(names: list[str]) -> list[str]:
    """Replace group names (:data:`GROUPS`) by their experiments, keeping the order."""
    return [n for name in names for n in GROUPS.get(name, (name,))]


#: ``--quick``: every default figure, smaller (first look in about a minute; not for
#: conclusions).
QUICK_SEEDS = 3
QUICK_SLOTS = 300


def select(
    only: list[str] | None = None,
    *,
    quick: bool = False,
    seeds: int | None = None,
    slots: int | None = None,
) -> list[Experiment]:
    """The experiments to run, in figure order, resized for ``--quick`` / ``--seeds`` /
    ``--slots`` (explicit values win over ``quick``'s). Without ``only``: :data:`DEFAULT_RUN`
    (not ``horizon`` nor the catalog ones); ``only`` may name groups (:data:`GROUPS`)."""
    names = list(DEFAULT_RUN) if not only else expand(only)
    out = []
    for name in names:
        exp = EXPERIMENTS[name]
        if quick:
            exp = exp.resized(
                seeds=QUICK_SEEDS,
                slots=QUICK_SLOTS,
                points=exp.layout.quick_points(exp.points),
            )
        if seeds is not None or slots is not None:
            exp = exp.resized(seeds=seeds, slots=slots)
        out.append(exp)
    return out


def with_algorithms(experiments: list[Experiment], algorithms: list[str]) -> list[Experiment]:
    """The comparison figures (``layout.compares_algorithms``: Figs. 4-10, and the catalog
    ones when selected) with the series of ``algorithms``.

    A name a figure already has keeps its series (its parameters); the others are dropped,
    except both planners' lines and the ``learned`` experiment's policy (both series). A name
    it lacks (a user's own ``package.module:ClassName``, an installed plug-in, a registered
    learner) is added as a series with its default hyperparameters, labelled by the name, so
    its task keys carry the name and it resumes and caches like the others. Figs. 2 and 3
    (MASL studies) are kept.
    """
    wanted = list(dict.fromkeys(algorithms))
    out = []
    for exp in experiments:
        if not exp.layout.compares_algorithms:
            out.append(exp)
            continue
        keep = {*wanted, PLANNER_ALGORITHM, SAME_INFO_PLANNER.algorithm}  # and the policy
        kept = [s for s in exp.series if s.algorithm in keep or s.runner == LEARNED_RUNNER]
        have = {s.algorithm for s in kept}
        added = [Series(n, n, role=runnable(n).role) for n in wanted if n not in have]
        out.append(replace(exp, series=tuple(kept + added)))
    return out


def is_integer_axis(exp: Experiment) -> bool:
    """Whether the x axis counts entities (ticks at integers)."""
    return all(math.isclose(p, round(p)) for p in exp.points) and exp.x_scale == 1.0


__all__ = [
    "ALGORITHMS",
    "DEFAULT_SEEDS",
    "DEFAULT_SLOTS",
    "COMPETITORS",
    "EXPERIMENTS",
    "GROUPS",
    "PLANNER",
    "Experiment",
    "Series",
    "select",
    "with_algorithms",
]
