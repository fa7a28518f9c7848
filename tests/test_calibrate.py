"""Calibration against measurements (docs/catalog.md): the fits, the shipped catalog and the
``jcaco calibrate`` / ``jcaco generate --catalog`` commands."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from jcaco.model.calibrate import aec_curve, fit_aec, fit_latency
from jcaco.model.measurements import read_measurements, shipped_catalog_path

TRUE = {
    "power_floor": {"eps_inf": 0.02, "a": 0.8, "b": 1.3},
    "power": {"a": 0.5, "b": 0.7},
    "exponential": {"a": 0.6, "b": 0.08},
}


@pytest.mark.parametrize("form", list(TRUE))
def test_a_fit_recovers_known_parameters_within_its_reported_error(form: str) -> None:
    steps = np.array([1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 50, 100], dtype=float)
    clean = aec_curve(form, TRUE[form], steps)
    rng = np.random.default_rng(2026)
    hits = total = 0
    for _ in range(40):
        noisy = clean + rng.normal(0.0, 0.002, steps.size)
        fit = fit_aec(steps, noisy, form)  # type: ignore[arg-type]
        assert fit.rmse is not None and fit.rmse < 0.004
        for name, value in TRUE[form].items():
            err = fit.stderr[name]
            assert err is not None and err > 0
            hits += abs(fit.params[name] - value) <= 2 * err
            total += 1
    assert hits / total >= 0.85  # about 95% expected within two standard errors


def test_latency_fit_separates_the_fixed_cost() -> None:
    steps = np.array([1.0, 2, 4, 8, 16, 32])
    latency = 0.06 + 0.02 * steps + np.random.default_rng(1).normal(0, 1e-4, 6)
    fit = fit_latency(steps, latency, np.full(6, np.nan))
    assert fit.params["t_fixed_s"] == pytest.approx(0.06, abs=4e-4)
    assert fit.params["t_step_s"] == pytest.approx(0.02, abs=1e-4)
    assert all(e is not None for e in fit.stderr.values())


def test_every_catalog_row_has_a_source_and_a_locator() -> None:
    with open(shipped_catalog_path(), newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) > 50
    for row in rows:
        assert row["source"].strip() and row["locator"].strip(), row
        if row["error"]:  # the documented reading of the metric (docs/catalog.md)
            value = float(row["value"])
            want = value / 200 if row["metric"] == "FID" else 1 - value
            assert float(row["error"]) == pytest.approx(want, rel=1e-5)
    gpus = {r["gpu"] for r in rows if r["model"] in ("sd15", "sdxl", "lcm-lora-sdxl") and r["gpu"]}
    assert len(gpus) >= 3
    read_measurements(shipped_catalog_path())  # valid as a measurement file


def test_calibrate_reproduces_the_ddim_floor(jcaco) -> None:
    result = jcaco("calibrate", "--json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["schema"] == "jcaco.calibration/1"
    ddim = next(m for m in doc["models"] if m["model"] == "ddim-cifar10")
    assert ddim["form"] == "power_floor" and set(ddim["params"]) == {"eps_inf", "a", "b"}
    # DDIM's CIFAR-10 table levels off at FID 4.03 (ε = 4.03 / 200) with b = 1.72
    assert ddim["params"]["eps_inf"] * 200 == pytest.approx(4.03, abs=0.05)
    assert ddim["params"]["b"] == pytest.approx(1.72, abs=0.02)
    assert ddim["rmse"] * 200 < 0.05


def _write(path, header, rows) -> str:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)


@pytest.mark.parametrize(
    ("header", "rows", "needle"),
    [
        (["model", "steps"], [["m", 1]], "missing column(s) error"),
        (["model", "steps", "error"], [["m", 0, 0.1], ["m", 2, 0.05]], "line 2: steps"),
        (["model", "steps", "error"], [["m", 4, 0.1]], "model m: has 1 step count(s)"),
        (["model", "steps", "error"], [["m", "x", 0.1]], "must be an integer"),
        (["model", "steps", "error"], [["m", 10, "y"]], "must be a number"),
    ],
)
def test_bad_measurement_files_are_one_line_errors(jcaco, tmp_path, header, rows, needle) -> None:
    path = _write(tmp_path / "bad.csv", header, rows)
    result = jcaco("calibrate", path)
    assert result.code == 2 and len(result.err.splitlines()) == 1, result.err
    assert path in result.err and needle in result.err and "Traceback" not in result.err


def test_calibrated_servers_make_a_scenario_that_solves(jcaco, tmp_path) -> None:
    steps = [1, 2, 4, 8, 16, 32]
    rows = [["m1", s, 0.01 + 0.3 * s**-1.1, 0.05 + 0.03 * s, "gpu-a", "extra"] for s in steps]
    rows += [["m2", s, 0.3 * np.exp(-0.2 * s), "", "", ""] for s in steps]
    rows += [["m2", 10, "", 0.5, "gpu-b", ""], ["m2", 20, "", 0.9, "gpu-b", ""]]
    path = _write(
        tmp_path / "meas.csv", ["model", "steps", "error", "latency_s", "gpu", "note"], rows
    )
    servers = tmp_path / "servers.json"
    result = jcaco("calibrate", path, "-o", servers, "--plot", tmp_path / "plots")
    assert result.code == 0, result.err
    assert (tmp_path / "plots" / "aec-m1.png").exists()
    doc = json.loads(servers.read_text())
    assert doc["schema"] == "jcaco.servers/1"
    assert [s["server"]["name"] for s in doc["servers"]] == ["m1@gpu-a", "m2@gpu-b"]
    m1 = doc["servers"][0]["server"]
    assert m1["fixed_time_s"] == pytest.approx(0.05, abs=1e-6)
    assert m1["flops_per_step"] / m1["capacity_flops"] == pytest.approx(0.03)
    scenario = tmp_path / "scenario.json"
    assert jcaco("generate", "--catalog", servers, "--users", 6, "--servers", 3,
                 "--set", "max_error=0.05,0.1", "-o", scenario).code == 0  # fmt: skip
    solved = jcaco("solve", scenario, "--algorithm", "br", "--json")
    assert solved.code == 0, solved.err
    assert json.loads(solved.out)["is_nash"]


def test_generate_from_the_shipped_catalog(jcaco, tmp_path) -> None:
    out = tmp_path / "cat.json"
    models = "ddim-cifar10,unipc3-cifar10"
    result = jcaco("generate", "--catalog", "--models", models, "--servers", 6, "-o", out)
    assert result.code == 0, result.err
    doc = json.loads(out.read_text())
    assert doc["aec"]["form"] == "power_floor"
    assert {s["name"].split("@")[0] for s in doc["servers"]} <= set(models.split(","))
    unipc = [s for s in doc["servers"] if s["name"].startswith("unipc3")]
    assert all((s["min_steps"], s["max_steps"]) == (2, 8) for s in unipc)  # LCM-LoRA's range
    bad = jcaco("generate", "--catalog", "--models", "nope")
    assert bad.code == 2 and "--models" in bad.err and "ddim-cifar10" in bad.err


def test_reproduce_offers_the_catalog_group(jcaco) -> None:
    result = jcaco("reproduce", "--only", "nope")
    assert result.code == 2 and "catalog4" in result.err and "catalog" in result.err.split()[-1]
