"""Calibrated servers from measurements: a model's fitted AEC with its latency on each GPU.

A model's quality curve and its latency may come from different rows: its own latency rows,
or those of the model its ``latency_model`` column names (the shipped catalog pairs published
steps-quality curves with published latencies this way; docs/catalog.md says which and why).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from jcaco.errors import InputError
from jcaco.model.calibrate import ModelCalibration, calibrate, calibration_document
from jcaco.model.measurements import read_measurements, shipped_catalog_path
from jcaco.model.service import AecForm
from jcaco.scenario.catalog import CatalogServer, load_servers_file, select_models
from jcaco.scenario.generator import GeneratorConfig


def servers_from_calibration(fits: list[ModelCalibration]) -> tuple[CatalogServer, ...]:
    """One :class:`CatalogServer` per (model with an AEC fit, GPU of its latency model)."""
    by_name = {m.model: m for m in fits}
    out = []
    for m in fits:
        if m.aec is None:
            continue
        timing = by_name.get(m.latency_model or m.model)
        if timing is None or not timing.latency:
            continue
        lows = [v for v in (m.min_steps, timing.min_steps) if v is not None]
        highs = [v for v in (m.max_steps, timing.max_steps) if v is not None]
        for lat in timing.latency:
            out.append(
                CatalogServer(
                    model=m.model,
                    gpu=lat.gpu,
                    scale=m.aec.params["a"],
                    fitness=m.aec.params["b"],
                    error_floor=m.aec.params.get("eps_inf", 0.0),
                    min_steps=max(lows) if lows else 1,
                    max_steps=min(highs) if highs else None,
                    step_time_s=lat.fit.params["t_step_s"],
                    fixed_time_s=lat.fit.params["t_fixed_s"],
                )
            )
    return tuple(out)


def calibrated_servers(
    path: str | Path | None, form: AecForm = "power_floor"
) -> tuple[tuple[CatalogServer, ...], dict]:
    """Calibrate a measurement CSV (None: the shipped catalog); servers and the calibration
    document (``jcaco.calibration/1``)."""
    source = shipped_catalog_path() if path is None else Path(path)
    data = read_measurements(source)
    fits = calibrate(data, form)
    return servers_from_calibration(fits), calibration_document(fits, str(source))


def catalog_servers(
    path: str | Path | None, models: list[str] | None, form: AecForm = "power_floor"
) -> tuple[str, tuple[CatalogServer, ...]]:
    """The servers ``jcaco generate --catalog`` draws from: a ``jcaco.servers/1`` file as
    written, or a measurement CSV (None: the shipped catalog) calibrated with ``form``."""
    if path is not None and str(path).lower().endswith(".json"):
        form_read, servers = load_servers_file(path)
    else:
        form_read = form
        servers, _ = calibrated_servers(path, form)
    source = str(path) if path is not None else "the shipped catalog"
    if not servers:
        raise InputError(
            "no model has both a quality curve and a latency (columns error and latency_s or "
            "step_latency_s, or latency_model)",
            source=source,
        )
    return form_read, select_models(servers, models, source)


def catalog_config(
    config: GeneratorConfig, path: str | Path | None, models: list[str] | None
) -> GeneratorConfig:
    """``config`` with its servers drawn from the catalog (``jcaco generate --catalog``): the
    servers of ``path`` (None: the shipped catalog), restricted to ``models``, and their form
    (a measurement CSV is calibrated with ``power_floor``; a ``jcaco.servers/1`` file keeps
    the form it was calibrated with).
    """
    form, servers = catalog_servers(path, models)
    return replace(config, catalog=servers, aec_form=form)  # type: ignore[arg-type]
