"""Physics and units: Rayleigh moments, activity frequencies, the step formula (37), unit
conversions and the channel sanity scale of docs/model.md §7."""

from __future__ import annotations

import math

import numpy as np
import pytest

from jcaco import units
from jcaco.errors import InfeasibleError
from jcaco.io.read import parse_model
from jcaco.model.build import build_instance, check_feasible
from jcaco.model.channel import distances_m, rates_bps, rayleigh_power_gain, tx_times_s
from jcaco.model.instance import GameInstance
from jcaco.model.service import compute_times_s, optimal_steps
from jcaco.rng import SeedBatch, stream
from jcaco.scenario.network import network_from_model
from jcaco.scenario.schema import ScenarioModel
from jcaco.sim.loop import StaticEnvironment


def test_rayleigh_power_gain_has_unit_mean_and_variance() -> None:
    gain = rayleigh_power_gain(stream(0, "fading"), (200_000,))
    # standard errors: mean 1/sqrt(n) = 0.0022, variance sqrt(8/n) = 0.0063
    assert gain.min() >= 0
    assert gain.mean() == pytest.approx(1.0, abs=0.015)
    assert gain.var() == pytest.approx(1.0, abs=0.04)


def test_static_environment_activity_frequencies_match_theta() -> None:
    theta = np.array([0.0, 0.3, 0.75, 1.0])
    game = GameInstance(
        theta=np.tile(theta, (2, 1)),
        tx_time_s=np.ones((2, 4, 2)),
        compute_time_s=np.ones((2, 4, 2)),
        steps=np.ones((2, 4, 2), dtype=np.int64),
    )
    env = StaticEnvironment(game, SeedBatch.from_seeds([1, 2], "activity"))
    slots = 20_000
    counts = sum(env.slot(t).active.astype(int) for t in range(slots))
    freq = counts / slots  # [seeds, users]; standard error at most 0.0035
    assert (freq[:, 0] == 0).all() and (freq[:, 3] == 1).all()
    np.testing.assert_allclose(freq, np.tile(theta, (2, 1)), atol=0.02)


def _brute_force_steps(scale, fitness, max_error, form, max_steps):
    s = np.arange(1, max_steps + 1, dtype=float)
    if form == "exponential":
        error = scale * np.exp(-fitness * s)
    else:
        error = scale * s ** (-fitness)
    ok = np.flatnonzero(error <= max_error)
    return int(s[ok[0]]) if ok.size else 0


@pytest.mark.parametrize(
    ("form", "fitness_range"), [("exponential", (0.01, 0.15)), ("power", (0.4, 2.0))]
)
def test_optimal_steps_equal_brute_force(form: str, fitness_range: tuple[float, float]) -> None:
    rng = np.random.default_rng(37)
    max_steps = 300
    scale = rng.uniform(0.5, 1.0, 4)  # [servers]
    fitness = rng.uniform(*fitness_range, (25, 4))  # [users, servers]
    max_error = 10.0 ** rng.uniform(-3, -0.2, 25)  # [users], log-uniform
    steps = optimal_steps(scale, fitness, max_error, form, max_steps)  # type: ignore[arg-type]
    expected = np.array(
        [
            [
                _brute_force_steps(scale[k], fitness[i, k], max_error[i], form, max_steps)
                for k in range(4)
            ]
            for i in range(25)
        ]
    )
    assert np.array_equal(steps, expected)
    assert (steps == 0).any() and (steps > 1).any()  # both infeasible and feasible cases
    compute = compute_times_s(steps, np.full(4, 2e11), np.full(4, 4e12))
    assert np.isinf(compute[steps == 0]).all()
    np.testing.assert_allclose(compute[steps > 0], steps[steps > 0] * 0.05)


def test_exponential_step_example() -> None:
    # λ = 1, β = 0.1, ε = 0.05: ln(20)/0.1 = 29.96 -> 30 steps; e^{-2.9} = 0.055 > 0.05
    assert (
        optimal_steps(np.array([1.0]), np.array([[0.1]]), np.array([0.05]), "exponential", 100)[
            0, 0
        ]
        == 30
    )
    assert (
        optimal_steps(np.array([1.0]), np.array([[0.1]]), np.array([0.05]), "exponential", 29)[0, 0]
        == 0
    )


def test_unit_conversions() -> None:
    assert units.dbm_per_hz_to_w_per_hz(-174.0) == pytest.approx(3.981e-21, rel=1e-3)
    assert units.dbm_per_hz_to_w_per_hz(-174.0) * 2e6 == pytest.approx(7.96e-15, rel=1e-3)
    assert float(units.dbm_to_w(23.0)) == pytest.approx(0.1995, rel=1e-3)
    assert float(units.w_to_dbm(0.2)) == pytest.approx(23.01, abs=0.01)
    assert float(units.dbm_to_w(units.w_to_dbm(0.37))) == pytest.approx(0.37)
    assert float(units.mb_to_bits(6.0)) == 48e6  # decimal MB (O14)
    assert float(units.bytes_to_bits(6e6)) == 48e6


def _one_link_scenario(distance_m: float, max_error: float = 0.05) -> dict:
    return {
        "schema": "jcaco.scenario/1",
        "area_m": 500.0,
        "aps": [{"x_m": 0.0, "y_m": 0.0, "bandwidth_hz": 5e6}],
        "servers": [
            {"name": "a", "capacity_flops": 6e12, "flops_per_step": 3e11, "scale": 1.0},
        ],
        "users": [
            {
                "x_m": distance_m,
                "y_m": 0.0,
                "activity": 0.9,
                "content_bytes": 6e6,
                "max_error": max_error,
                "fitness": [0.1],
            }
        ],
    }


def test_channel_sanity_scale_of_model_section_7() -> None:
    """d = 100 m, B = 5 MHz, P = 0.2 W, N0 = -174 dBm/Hz, α = 4: SNR ≈ 1e5, ≈ 83 Mb/s, 6 MB
    in ≈ 0.6 s at g = 1; and 50 steps × 0.3 TFLOP / 6 TFLOP/s = 2.5 s."""
    distance = np.array([[100.0]])
    noise_w = units.dbm_per_hz_to_w_per_hz(-174.0) * 5e6
    assert 0.2 * 100.0**-4 / noise_w == pytest.approx(1.005e5, rel=0.01)
    rate = rates_bps(
        distance,
        np.array([5e6]),
        1.0,
        tx_power_w=0.2,
        noise_dbm_per_hz=-174.0,
        path_loss_exponent=4.0,
    )
    assert float(rate[0, 0]) == pytest.approx(5e6 * math.log2(1 + 1.005e5), rel=1e-3)
    assert 82e6 < float(rate[0, 0]) < 84e6
    tx = tx_times_s(np.array([units.mb_to_bits(6.0)]), rate)
    assert 0.56 < float(tx[0, 0]) < 0.60
    # the same through a scenario file: bytes -> bits, geometry -> distance, mean fading
    net = network_from_model(parse_model(ScenarioModel, _one_link_scenario(100.0)))
    game = build_instance(net)
    assert float(game.tx_time_s[0, 0]) == pytest.approx(float(tx[0, 0]))
    assert float(compute_times_s(np.array([50]), np.array([3e11]), np.array([6e12]))[0]) == 2.5
    # ln(1/0.05)/0.1 = 29.96 -> 30 steps on the one server
    assert int(game.steps[0, 0]) == 30
    assert float(game.compute_time_s[0, 0]) == pytest.approx(30 * 3e11 / 6e12)


def test_distance_floor() -> None:
    d = distances_m(np.array([[0.2, 0.0], [3.0, 4.0]]), np.array([[0.0, 0.0]]), 1.0)
    np.testing.assert_allclose(d[:, 0], [1.0, 5.0])


def test_infeasible_beyond_max_steps_marked_and_reported() -> None:
    doc = _one_link_scenario(100.0, max_error=1e-9)  # needs ln(1e9)/0.1 = 208 steps
    doc["aec"] = {"form": "exponential", "max_steps": 200}
    net = network_from_model(parse_model(ScenarioModel, doc))
    with pytest.raises(InfeasibleError, match=r"users\[0\]\.max_error"):
        check_feasible(net)
    doc["aec"]["max_steps"] = 208
    game = build_instance(network_from_model(parse_model(ScenarioModel, doc)))
    assert int(game.steps[0, 0]) == 208 and np.isfinite(game.compute_time_s).all()


def test_build_instance_sampled_fading_is_seeded() -> None:
    net = network_from_model(parse_model(ScenarioModel, _one_link_scenario(100.0)))
    a = build_instance(net, "sample", stream(4, "fading"))
    b = build_instance(net, "sample", stream(4, "fading"))
    c = build_instance(net, "sample", stream(5, "fading"))
    assert np.array_equal(a.tx_time_s, b.tx_time_s)
    assert not np.array_equal(a.tx_time_s, c.tx_time_s)
