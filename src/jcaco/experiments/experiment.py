"""One experiment of a reproduction as data: what is swept, at which points, which series
run, for how long (:mod:`jcaco.experiments.paper` lists the paper's).

The swept generator parameter is homogeneous at each point; every other parameter is drawn
i.i.d. per seed from its Table III range (docs/model.md §7, O6). Values are SI; ``x_scale``
converts them to the unit of the paper's axis (MHz, TFLOP/s, ...).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import ClassVar

from jcaco.experiments.series import Series
from jcaco.learners.masl.core import both_rates
from jcaco.scenario.generator import PRESETS, GeneratorConfig, with_overrides

DEFAULT_SEEDS = 20
DEFAULT_SLOTS = 2000
DEFAULT_WINDOW = 100


@dataclass(frozen=True)
class Sweep:
    """What a kind of experiment decides about its points; this one is ``kind="sweep"``: total
    service time against ``x`` (Figs. 4–10), the points a homogeneous generator value, each on
    its own networks, the figure's series at every point, ``--quick`` may thin the points.

    A new kind of experiment is a subclass that overrides what differs (:class:`Users`,
    :class:`Rates`, :class:`EndPoints`); :class:`Experiment` asks it and never branches on the
    kind.
    """

    #: The kind's name (``Experiment.kind``; the report draws by the layout class itself).
    kind: ClassVar[str] = "sweep"
    #: Whether ``--algorithms`` sets its series (the comparison figures, Figs. 4–10).
    compares_algorithms: ClassVar[bool] = True
    #: Whether the runs record every user's service time per slot (Fig. 2).
    records_users: ClassVar[bool] = False
    #: Whether :meth:`Experiment.resized` may replace the points (``--quick``'s thinning).
    points_resizable: ClassVar[bool] = True

    def x_name(self, exp: Experiment, point: int) -> str:
        """The quantity swept at ``point``."""
        return exp.x_name

    def config(self, exp: Experiment, base: GeneratorConfig, point: int) -> GeneratorConfig:
        """``base`` with the swept value of ``point`` homogeneous (O6)."""
        name, value = self.x_name(exp, point), exp.points[point]
        if name in ("num_users", "num_aps", "num_servers"):
            value = int(round(value))
        return with_overrides(base, {name: value})

    def network_key(self, exp: Experiment, point: int) -> tuple[int, int]:
        """(figure, point) of the scenario stream key of ``point``'s networks."""
        return exp.number, point

    def series(self, exp: Experiment, point: int) -> tuple[Series, ...]:
        """The series run at ``point``."""
        return exp.series

    def quick_points(self, points: tuple[float, ...]) -> tuple[float, ...] | None:
        """``--quick``'s points: a sweep's ends and middle; ``None`` (keep them) where the
        points are fixed."""
        if not self.points_resizable:
            return None
        if len(points) <= 3:
            return points
        return (points[0], points[len(points) // 2], points[-1])

    def label(self, exp: Experiment, point: int) -> str:
        """``6 MHz``: the point's value in the axis unit."""
        unit = f" {exp.x_unit}" if exp.x_unit else ""
        return f"{exp.display(exp.points[point]):g}{unit}"


@dataclass(frozen=True)
class Users(Sweep):
    """``kind="users"``: per-user service time over slots (Fig. 2); the points are fixed."""

    kind: ClassVar[str] = "users"
    compares_algorithms: ClassVar[bool] = False
    records_users: ClassVar[bool] = True
    points_resizable: ClassVar[bool] = False


@dataclass(frozen=True)
class Rates(Sweep):
    """``kind="rates"``: total over slots per MASL learning rate (Fig. 3). The points are
    rates, not generator values: every rate runs on the same network per seed (point 0 of the
    stream key), with its own copy of each series."""

    kind: ClassVar[str] = "rates"
    compares_algorithms: ClassVar[bool] = False
    points_resizable: ClassVar[bool] = False

    def config(self, exp: Experiment, base: GeneratorConfig, point: int) -> GeneratorConfig:
        """``base`` unchanged (the learning rate is a learner's parameter)."""
        return base

    def network_key(self, exp: Experiment, point: int) -> tuple[int, int]:
        """(figure, 0): Fig. 3's rates share one network per seed."""
        return exp.number, 0

    def series(self, exp: Experiment, point: int) -> tuple[Series, ...]:
        """Each series at ``point``'s rate (both of MASL's rates), labelled ``masl b=0.01``."""
        rate = exp.points[point]
        return tuple(
            replace(
                s,
                label=f"{s.label} b={rate:g}",
                params=MappingProxyType({**s.params, **both_rates(rate)}),
            )
            for s in exp.series
        )


@dataclass(frozen=True)
class EndPoints(Sweep):
    """``kind="horizon"``: total over slots at chosen points of other figures, each its own
    panel (:func:`end_points`); the points are fixed.

    Attributes
    ----------
    x_names, labels : tuple of str
        Per point: the quantity swept there and a caption (``Fig. 4, Number of APs = 2``).
    networks : tuple of (int, int)
        Per point, the (figure, point) whose networks it runs on (the scenario stream key).
    """

    kind: ClassVar[str] = "horizon"
    compares_algorithms: ClassVar[bool] = False
    points_resizable: ClassVar[bool] = False

    x_names: tuple[str, ...]
    labels: tuple[str, ...]
    networks: tuple[tuple[int, int], ...]

    def x_name(self, exp: Experiment, point: int) -> str:
        """The quantity swept at ``point`` in the figure it comes from."""
        return self.x_names[point]

    def network_key(self, exp: Experiment, point: int) -> tuple[int, int]:
        """The (figure, point) ``point`` comes from (common random numbers)."""
        return self.networks[point]

    def label(self, exp: Experiment, point: int) -> str:
        """The point's caption (``Fig. 4, Number of APs = 2``)."""
        return self.labels[point]


@dataclass(frozen=True)
class Experiment:
    """One figure of the paper (or a study beside it, such as ``horizon``).

    Attributes
    ----------
    name, title : str
        ``fig4`` and the caption.
    x_name : str
        The swept quantity: a :class:`GeneratorConfig` field, or ``learning_rate``.
    x_label, x_unit : str
        Axis label and the unit after ``x_scale`` (e.g. ``MHz``).
    x_scale : float
        Display value = SI value / ``x_scale``.
    points : tuple of float
        The swept values (SI).
    series : tuple of Series
        The lines (the kind may build its own per point: :meth:`series_at`).
    layout : Sweep
        What the kind of experiment decides about its points (:class:`Sweep`, :class:`Users`,
        :class:`Rates`, :class:`EndPoints`); :attr:`kind` is its name.
    seeds, slots, window : int
        Seeds R, slots T per run, and the tail window W averaged for a point's value.
    base : GeneratorConfig
        The Table III configuration the points modify.
    in_default : bool
        Part of a run without ``--only`` (and of ``--quick``).
    figure : int
        The paper's figure number when the name does not end in it (``catalog4`` is 4: its
        users and APs are those of Fig. 4's draws, common random numbers).
    catalog_models : tuple of str
        Draw the servers from these models of the shipped catalog (docs/catalog.md) instead
        of Table III's server ranges (empty: Table III).
    """

    name: str
    title: str
    x_name: str
    x_label: str
    x_unit: str
    x_scale: float
    points: tuple[float, ...]
    series: tuple[Series, ...]
    layout: Sweep = Sweep()
    seeds: int = DEFAULT_SEEDS
    slots: int = DEFAULT_SLOTS
    window: int = DEFAULT_WINDOW
    base: GeneratorConfig = PRESETS["paper"]
    in_default: bool = True
    figure: int = 0
    catalog_models: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        """``sweep``, ``users``, ``rates`` or ``horizon`` (the layout's name)."""
        return self.layout.kind

    @property
    def number(self) -> int:
        """The figure number (part of the scenario stream key)."""
        if self.figure:
            return self.figure
        digits = "".join(ch for ch in self.name if ch.isdigit())
        if not digits:
            raise ValueError(f"experiment {self.name!r} has no figure number")
        return int(digits)

    def x_name_at(self, point: int) -> str:
        """The quantity swept at ``point``."""
        return self.layout.x_name(self, point)

    def config_at(self, point: int) -> GeneratorConfig:
        """The generator configuration at point ``point`` (the swept value homogeneous, O6)."""
        base = _catalog_base(self.base, self.catalog_models) if self.catalog_models else self.base
        return self.layout.config(self, base, point)

    def network_key(self, point: int) -> tuple[int, int]:
        """(figure, point) of the scenario stream key of ``point``'s networks."""
        return self.layout.network_key(self, point)

    def series_at(self, point: int) -> tuple[Series, ...]:
        """The series run at ``point``."""
        return self.layout.series(self, point)

    def display(self, x: float) -> float:
        """``x`` in the axis unit."""
        return x / self.x_scale

    def point_label(self, point: int) -> str:
        """``6 MHz``, or the point's own caption (``Fig. 4, 2 APs``)."""
        return self.layout.label(self, point)

    def resized(
        self,
        *,
        seeds: int | None = None,
        slots: int | None = None,
        points: tuple[float, ...] | None = None,
    ) -> Experiment:
        """A copy with other seeds / slots / points; the window shrinks to a quarter of short
        runs so that it stays inside the run. ``points`` applies to sweeps only."""
        slots = self.slots if slots is None else slots
        if points is not None and not self.layout.points_resizable:
            raise ValueError(f"the points of a {self.kind!r} experiment are fixed")
        return replace(
            self,
            seeds=self.seeds if seeds is None else seeds,
            slots=slots,
            window=max(1, min(DEFAULT_WINDOW, slots // 4)),
            points=self.points if points is None else points,
        )


@functools.cache
def _catalog_base(base: GeneratorConfig, models: tuple[str, ...]) -> GeneratorConfig:
    """``base`` with servers from the shipped catalog (fitted once per process, on first use)."""
    from jcaco.model.catalog_servers import catalog_config

    return catalog_config(base, None, list(models))


def end_points(
    name: str,
    title: str,
    origins: tuple[tuple[Experiment, int], ...],
    series: tuple[Series, ...],
    slots: int,
    seeds: int,
    in_default: bool,
) -> Experiment:
    """The points ``origins`` ((figure, point) pairs) run for ``slots`` slots on the same
    networks as there (common random numbers), one panel per point (``kind="horizon"``)."""
    figs = [e for e, _ in origins]
    pairs = list(zip(figs, origins, strict=True))
    return Experiment(
        name=name,
        title=title,
        x_name="point",
        x_label="End point",
        x_unit="",
        x_scale=1.0,
        points=tuple(e.points[p] for e, (_, p) in pairs),
        series=series,
        layout=EndPoints(
            x_names=tuple(e.x_name for e in figs),
            labels=tuple(
                f"Fig. {e.number}, {e.x_label} = {e.point_label(p)}" for e, (_, p) in pairs
            ),
            networks=tuple(e.network_key(p) for e, (_, p) in pairs),
        ),
        seeds=seeds,
        slots=slots,
        in_default=in_default,
    )


__all__ = [
    "DEFAULT_SEEDS",
    "DEFAULT_SLOTS",
    "DEFAULT_WINDOW",
    "EndPoints",
    "Experiment",
    "Rates",
    "Sweep",
    "Users",
    "end_points",
]
