"""The paper's experiments (Sec. VII, Figs. 2–10) as data.

An :class:`Experiment` says what is swept (a Table III generator parameter, or a learner
hyperparameter for Fig. 3), at which points, which algorithms run (:class:`Series`), and how
long. The swept generator parameter is homogeneous at each point; every other parameter is
drawn i.i.d. per seed from its Table III range (MODEL.md §7, O6). Values are SI; ``x_scale``
converts them to the unit the paper's axis uses (MHz, TFLOP/s, ...).

Beside the paper's figures, ``catalog4``, ``catalog6`` and ``catalog9`` rerun Figs. 4, 6 and 9
with servers drawn from the shipped catalog of real diffusion models (docs/catalog.md) instead
of Table III's ranges; they run only when named (``--only catalog``), not in the default run.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Literal

from jcaco.scenario.generator import PRESETS, GeneratorConfig, with_overrides

#: Every algorithm of the comparison (VII-A); ``br`` and ``br-sync`` are the two BR readings
#: of MODEL.md O11.
ALGORITHMS: tuple[str, ...] = ("masl", "br", "br-sync", "mxfp", "selfish", "raro")

#: Fig. 3's learning rates (O4); MODEL.md §7 default 0.05 is used everywhere else.
LEARNING_RATES: tuple[float, ...] = (0.001, 0.01, 0.05, 0.1)
#: MASL's b_c = b_o in Figs. 2 and 4–10 (MODEL.md O4), set here rather than taken from the
#: learner's default so that the figures do not move when that default does.
MASL_RATE = 0.05
MASL_PARAMS: Mapping[str, Any] = MappingProxyType(
    {"learning_rate_ap": MASL_RATE, "learning_rate_server": MASL_RATE}
)

#: The central planner's reference line of Figs. 4–10 (:mod:`jcaco.experiments.planner`): the
#: exact optimum of the realised slot game (14) at ``sampled_slots`` slots per seed of the
#: measurement window, for the first ``seeds`` seeds of each point; and the expected game's
#: optimum and best/worst equilibria (15) for the first ``expected_seeds`` seeds, each MILP
#: limited to the stated seconds. Chosen by measurement so that the full run grows by about
#: 10% (docs/reproduction.md; with every seed the planner cost 31% of the learners' CPU).
PLANNER_ALGORITHM = "planner"
PLANNER_PARAMS: Mapping[str, Any] = MappingProxyType(
    {
        "seeds": 4,
        "sampled_slots": 1,
        "slot_time_limit_s": 10.0,
        "expected_seeds": 1,
        "expected_time_limit_s": 0.05,
    }
)

DEFAULT_SEEDS = 20
DEFAULT_SLOTS = 2000
DEFAULT_WINDOW = 100


@dataclass(frozen=True)
class Series:
    """One line of a figure: an algorithm with its hyperparameters.

    Attributes
    ----------
    label : str
        The legend entry and the ``algorithm`` column of the store.
    algorithm : str
        Registered learner name (``jcaco list``).
    params : mapping
        Learner hyperparameters.
    """

    label: str
    algorithm: str
    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class Experiment:
    """One figure of the paper.

    Attributes
    ----------
    name, title : str
        ``fig4`` and the caption.
    kind : {"sweep", "users", "rates"}
        ``sweep``: total service time against ``x`` (Figs. 4–10); ``users``: per-user service
        time over slots (Fig. 2); ``rates``: total over slots per learning rate (Fig. 3).
    x_name : str
        The swept quantity: a :class:`GeneratorConfig` field, or ``learning_rate``.
    x_label, x_unit : str
        Axis label and the unit after ``x_scale`` (e.g. ``MHz``).
    x_scale : float
        Display value = SI value / ``x_scale``.
    points : tuple of float
        The swept values (SI).
    series : tuple of Series
        The lines (for ``rates`` one per point is built by :meth:`series_at`).
    seeds, slots, window : int
        Seeds R, slots T per run, and the tail window W averaged for a point's value.
    base : GeneratorConfig
        The Table III configuration the points modify.
    figure : int
        The paper's figure number when the name does not end in it (``catalog4`` is 4: its
        users and APs are those of Fig. 4's draws, common random numbers).
    catalog_models : tuple of str
        Draw the servers from these models of the shipped catalog (docs/catalog.md) instead
        of Table III's server ranges (empty: Table III).
    """

    name: str
    title: str
    kind: Literal["sweep", "users", "rates"]
    x_name: str
    x_label: str
    x_unit: str
    x_scale: float
    points: tuple[float, ...]
    series: tuple[Series, ...]
    seeds: int = DEFAULT_SEEDS
    slots: int = DEFAULT_SLOTS
    window: int = DEFAULT_WINDOW
    base: GeneratorConfig = PRESETS["paper"]
    figure: int = 0
    catalog_models: tuple[str, ...] = ()

    @property
    def number(self) -> int:
        """The figure number (part of the scenario stream key)."""
        return self.figure or int(self.name.removeprefix("fig"))

    def config_at(self, point: int) -> GeneratorConfig:
        """The generator configuration at point ``point`` (the swept value homogeneous, O6)."""
        base = _catalog_base(self.base, self.catalog_models) if self.catalog_models else self.base
        if self.kind == "rates":
            return base
        value = self.points[point]
        if self.x_name in ("num_users", "num_aps", "num_servers"):
            value = int(round(value))
        return with_overrides(base, {self.x_name: value})

    def network_point(self, point: int) -> int:
        """Index in the scenario stream key: Fig. 3's rates share one network per seed."""
        return 0 if self.kind == "rates" else point

    def series_at(self, point: int) -> tuple[Series, ...]:
        """The series run at ``point``."""
        if self.kind != "rates":
            return self.series
        rate = self.points[point]
        return tuple(
            Series(
                f"{s.label} b={rate:g}",
                s.algorithm,
                MappingProxyType(
                    {**s.params, "learning_rate_ap": rate, "learning_rate_server": rate}
                ),
            )
            for s in self.series
        )

    def display(self, x: float) -> float:
        """``x`` in the axis unit."""
        return x / self.x_scale

    def resized(
        self,
        *,
        seeds: int | None = None,
        slots: int | None = None,
        points: tuple[float, ...] | None = None,
    ) -> Experiment:
        """A copy with other seeds / slots / points; the window shrinks to a quarter of short
        runs so that it stays inside the run."""
        slots = self.slots if slots is None else slots
        return replace(
            self,
            seeds=self.seeds if seeds is None else seeds,
            slots=slots,
            window=max(1, min(DEFAULT_WINDOW, slots // 4)),
            points=self.points if points is None else points,
        )


def _every_algorithm() -> tuple[Series, ...]:
    return tuple(Series(a, a, MASL_PARAMS if a == "masl" else {}) for a in ALGORITHMS)


#: The planner's series (a reference line, not one of :data:`ALGORITHMS`).
PLANNER = Series(PLANNER_ALGORITHM, PLANNER_ALGORITHM, PLANNER_PARAMS)


def seed_count(series: Series, seeds: int) -> int:
    """How many of a point's ``seeds`` a series runs: all, but the planner only its first
    ``params["seeds"]`` (its exact solves cost more per seed than a learner's run)."""
    if series.algorithm != PLANNER_ALGORITHM:
        return seeds
    return min(seeds, int(series.params.get("seeds", seeds)))


def _sweep(
    name: str, title: str, x_name: str, label: str, unit: str, scale: float, values: tuple
) -> Experiment:
    return Experiment(
        name=name,
        title=title,
        kind="sweep",
        x_name=x_name,
        x_label=label,
        x_unit=unit,
        x_scale=scale,
        points=tuple(float(v) * scale for v in values),
        series=(*_every_algorithm(), PLANNER),
    )


@functools.cache
def _catalog_base(base: GeneratorConfig, models: tuple[str, ...]) -> GeneratorConfig:
    """``base`` with servers from the shipped catalog (fitted once per process, on first use)."""
    from jcaco.model.catalog_servers import catalog_config

    return catalog_config(base, None, list(models))


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
    )


_RANGE = (2, 4, 6, 8, 10)
_TENTHS = (0.1, 0.2, 0.3, 0.4, 0.5)

EXPERIMENTS: dict[str, Experiment] = {
    "fig2": Experiment(
        name="fig2",
        title="Per-user service time over iterations (MASL, 30 users)",
        kind="users",
        x_name="num_users",
        x_label="Number of UEs",
        x_unit="",
        x_scale=1.0,
        points=(30.0,),
        series=(Series("masl", "masl", MASL_PARAMS),),
    ),
    "fig3": Experiment(
        name="fig3",
        title="Total service time over iterations for MASL learning rates",
        kind="rates",
        x_name="learning_rate",
        x_label="Learning rate b",
        x_unit="",
        x_scale=1.0,
        points=LEARNING_RATES,
        series=(Series("masl", "masl"),),
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

for _name in ("fig4", "fig6", "fig9"):  # each beside its Table III counterpart (report order)
    _at = list(EXPERIMENTS).index(_name) + 1
    _items = list(EXPERIMENTS.items())
    _items.insert(_at, (_name.replace("fig", "catalog"), _on_catalog(EXPERIMENTS[_name])))
    EXPERIMENTS = dict(_items)

#: Named groups of experiments for ``--only`` (``--only catalog``).
GROUPS: dict[str, tuple[str, ...]] = {"catalog": ("catalog4", "catalog6", "catalog9")}
#: What a run without ``--only`` runs (the paper's figures; the catalog ones only when named).
DEFAULT_RUN: tuple[str, ...] = tuple(n for n in EXPERIMENTS if n.startswith("fig"))


def expand(names: list[str]) -> list[str]:
    """Replace group names (:data:`GROUPS`) by their experiments, keeping the order."""
    return [n for name in names for n in GROUPS.get(name, (name,))]


#: ``--quick``: every figure, smaller (first look in about a minute; not for conclusions).
QUICK_SEEDS = 3
QUICK_SLOTS = 300


def _ends_and_middle(points: tuple[float, ...]) -> tuple[float, ...]:
    if len(points) <= 3:
        return points
    return (points[0], points[len(points) // 2], points[-1])


def select(
    only: list[str] | None = None,
    *,
    quick: bool = False,
    seeds: int | None = None,
    slots: int | None = None,
) -> list[Experiment]:
    """The experiments to run, in figure order, resized for ``--quick`` / ``--seeds`` /
    ``--slots`` (explicit values win over ``quick``'s); ``only`` may name groups."""
    names = list(DEFAULT_RUN) if not only else expand(only)
    out = []
    for name in names:
        exp = EXPERIMENTS[name]
        if quick:
            exp = exp.resized(
                seeds=QUICK_SEEDS,
                slots=QUICK_SLOTS,
                points=exp.points if exp.kind == "rates" else _ends_and_middle(exp.points),
            )
        if seeds is not None or slots is not None:
            exp = exp.resized(seeds=seeds, slots=slots)
        out.append(exp)
    return out


def with_algorithms(experiments: list[Experiment], algorithms: list[str]) -> list[Experiment]:
    """The comparison figures (``kind="sweep"``: Figs. 4-10, and the catalog ones when
    selected) with the series of ``algorithms``.

    A name a figure already has keeps its series (with its parameters); the figure's other
    algorithms are dropped, except the planner's reference line; a name it lacks (a user's own
    ``package.module:ClassName``, an installed plug-in, a registered learner) is added as a
    series with its default hyperparameters, labelled by the name, so its task keys carry the
    name and it resumes and caches like the others. Figs. 2 and 3 (MASL studies) are kept.
    """
    wanted = list(dict.fromkeys(algorithms))
    out = []
    for exp in experiments:
        if exp.kind != "sweep":
            out.append(exp)
            continue
        kept = [s for s in exp.series if s.algorithm in wanted or s.algorithm == PLANNER_ALGORITHM]
        have = {s.algorithm for s in kept}
        added = [Series(name, name) for name in wanted if name not in have]
        out.append(replace(exp, series=tuple(kept + added)))
    return out


def is_integer_axis(exp: Experiment) -> bool:
    """Whether the x axis counts entities (ticks at integers)."""
    return all(math.isclose(p, round(p)) for p in exp.points) and exp.x_scale == 1.0


__all__ = [
    "ALGORITHMS",
    "EXPERIMENTS",
    "GROUPS",
    "PLANNER",
    "Experiment",
    "Series",
    "select",
    "with_algorithms",
]
