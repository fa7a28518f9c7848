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
from typing import Literal

from jcaco.experiments.series import Series
from jcaco.scenario.generator import PRESETS, GeneratorConfig, with_overrides

DEFAULT_SEEDS = 20
DEFAULT_SLOTS = 2000
DEFAULT_WINDOW = 100


@dataclass(frozen=True)
class Experiment:
    """One figure of the paper (or a study beside it, such as ``horizon``).

    Attributes
    ----------
    name, title : str
        ``fig4`` and the caption.
    kind : {"sweep", "users", "rates", "horizon"}
        ``sweep``: total service time against ``x`` (Figs. 4–10); ``users``: per-user service
        time over slots (Fig. 2); ``rates``: total over slots per learning rate (Fig. 3);
        ``horizon``: total over slots at chosen points of other figures, each its own panel.
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
    in_default : bool
        Part of a run without ``--only`` (and of ``--quick``).
    point_x_names, point_labels : tuple of str
        Per point, when the points come from different figures (``horizon``): the swept
        quantity and a caption (``Fig. 4, 2 APs``); empty: ``x_name`` everywhere.
    point_networks : tuple of (int, int)
        Per point, the (figure, point) whose networks it runs on (the scenario stream key);
        empty: (this figure's number, :meth:`network_point`).
    figure : int
        The paper's figure number when the name does not end in it (``catalog4`` is 4: its
        users and APs are those of Fig. 4's draws, common random numbers).
    catalog_models : tuple of str
        Draw the servers from these models of the shipped catalog (docs/catalog.md) instead
        of Table III's server ranges (empty: Table III).
    """

    name: str
    title: str
    kind: Literal["sweep", "users", "rates", "horizon"]
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
    in_default: bool = True
    point_x_names: tuple[str, ...] = ()
    point_labels: tuple[str, ...] = ()
    point_networks: tuple[tuple[int, int], ...] = ()
    figure: int = 0
    catalog_models: tuple[str, ...] = ()

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
        return self.point_x_names[point] if self.point_x_names else self.x_name

    def config_at(self, point: int) -> GeneratorConfig:
        """The generator configuration at point ``point`` (the swept value homogeneous, O6)."""
        base = _catalog_base(self.base, self.catalog_models) if self.catalog_models else self.base
        if self.kind == "rates":
            return base
        name, value = self.x_name_at(point), self.points[point]
        if name in ("num_users", "num_aps", "num_servers"):
            value = int(round(value))
        return with_overrides(base, {name: value})

    def network_point(self, point: int) -> int:
        """Index in the scenario stream key: Fig. 3's rates share one network per seed."""
        return 0 if self.kind == "rates" else point

    def network_key(self, point: int) -> tuple[int, int]:
        """(figure, point) of the scenario stream key of ``point``'s networks."""
        if self.point_networks:
            return self.point_networks[point]
        return self.number, self.network_point(point)

    def series_at(self, point: int) -> tuple[Series, ...]:
        """The series run at ``point``."""
        if self.kind != "rates":
            return self.series
        rate = self.points[point]
        return tuple(
            replace(
                s,
                label=f"{s.label} b={rate:g}",
                params=MappingProxyType(
                    {**s.params, "learning_rate_ap": rate, "learning_rate_server": rate}
                ),
            )
            for s in self.series
        )

    def display(self, x: float) -> float:
        """``x`` in the axis unit."""
        return x / self.x_scale

    def point_label(self, point: int) -> str:
        """``6 MHz``, or the point's own caption (``Fig. 4, 2 APs``)."""
        if self.point_labels:
            return self.point_labels[point]
        unit = f" {self.x_unit}" if self.x_unit else ""
        return f"{self.display(self.points[point]):g}{unit}"

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
        if points is not None and self.kind != "sweep":
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
    return Experiment(
        name=name,
        title=title,
        kind="horizon",
        x_name="point",
        x_label="End point",
        x_unit="",
        x_scale=1.0,
        points=tuple(e.points[p] for e, (_, p) in zip(figs, origins, strict=True)),
        series=series,
        seeds=seeds,
        slots=slots,
        in_default=in_default,
        point_x_names=tuple(e.x_name for e in figs),
        point_labels=tuple(
            f"Fig. {e.number}, {e.x_label} = {e.point_label(p)}"
            for e, (_, p) in zip(figs, origins, strict=True)
        ),
        point_networks=tuple(e.network_key(p) for e, (_, p) in zip(figs, origins, strict=True)),
    )


__all__ = ["DEFAULT_SEEDS", "DEFAULT_SLOTS", "DEFAULT_WINDOW", "Experiment", "end_points"]
