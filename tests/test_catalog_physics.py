"""The catalog's physics: the power_floor AEC, per-server step ranges and the fixed time
(docs/catalog.md); the optional fields leave the paper's game bit for bit."""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np
import pytest

from jcaco.errors import InfeasibleError
from jcaco.io.read import parse_model
from jcaco.model.build import build_instance, check_feasible
from jcaco.model.service import aec, optimal_steps
from jcaco.rng import stream
from jcaco.scenario.generator import PRESETS, generate_network
from jcaco.scenario.network import network_from_model, network_to_dict
from jcaco.scenario.schema import ScenarioModel


def _brute(scale, fitness, floor, limit, lo, hi):
    for s in range(lo, hi + 1):
        if floor + scale * s ** (-fitness) <= limit:
            return s
    return 0


def test_power_floor_steps_equal_brute_force_within_each_range() -> None:
    rng = np.random.default_rng(3)
    scale = rng.uniform(0.5, 20.0, 5)  # [servers]
    floor = np.array([0.0, 0.01, 0.02, 0.03, 0.05])  # [servers]
    fitness = rng.uniform(0.4, 3.0, (40, 5))  # [users, servers]
    limit = rng.uniform(0.005, 0.08, 40)  # [users]
    low = np.array([1, 2, 1, 4, 1])
    high = np.array([300, 8, 300, 300, 50])
    steps = optimal_steps(scale, fitness, limit, "power_floor", high, floor=floor, min_steps=low)
    expected = [
        [_brute(scale[k], fitness[i, k], floor[k], limit[i], low[k], high[k]) for k in range(5)]
        for i in range(40)
    ]
    assert np.array_equal(steps, np.array(expected))
    below = limit[:, None] <= floor[None, :]  # [users, servers]
    assert below.any() and (steps[below] == 0).all()  # under the floor: never feasible
    assert (steps[:, 1][steps[:, 1] > 0] >= 2).all()  # s_min holds


def _doc(max_errors: list[float], floors: list[float], **server: object) -> dict:
    return {
        "schema": "jcaco.scenario/1",
        "aec": {"form": "power_floor", "max_steps": 100},
        "aps": [{"x_m": 10.0, "y_m": 10.0, "bandwidth_hz": 5e6}],
        "servers": [
            {"capacity_flops": 4e12, "flops_per_step": 2e11, "scale": 1.0, "error_floor": f}
            | server
            for f in floors
        ],
        "users": [
            {
                "x_m": 20.0,
                "y_m": 20.0,
                "activity": 0.5,
                "content_bytes": 1e6,
                "max_error": e,
                "fitness": [1.0] * len(floors),
            }
            for e in max_errors
        ],
    }


def test_the_floor_makes_exactly_the_pairs_below_it_infeasible() -> None:
    net = network_from_model(parse_model(ScenarioModel, _doc([0.015, 0.03, 0.5], [0.02, 0.0])))
    game = build_instance(net)
    assert game.feasible.tolist() == [[False, True], [True, True], [True, True]]
    # user 1 on server 0: 0.02 + 1/s <= 0.03 needs s = 100, the step limit
    assert game.steps[1].tolist() == [100, 34]
    assert aec(np.array(100.0), 1.0, 1.0, "power_floor", 0.02) <= 0.03


def test_a_user_below_every_floor_is_an_error_or_dropped_with_a_warning() -> None:
    net = network_from_model(parse_model(ScenarioModel, _doc([0.3, 0.01], [0.02, 0.05])))
    with pytest.raises(InfeasibleError, match="below the quality floor of every server"):
        check_feasible(net)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        kept, dropped = check_feasible(net, drop_infeasible=True)
    assert dropped.tolist() == [1] and kept.num_users == 1 and caught


def test_fixed_time_adds_to_each_feasible_compute_time() -> None:
    plain = network_from_model(parse_model(ScenarioModel, _doc([0.1, 0.5], [0.0])))
    fixed = network_from_model(
        parse_model(ScenarioModel, _doc([0.1, 0.5], [0.0], fixed_time_s=0.25, max_steps=5))
    )
    a, b = build_instance(plain), build_instance(fixed)
    assert a.steps.tolist() == [[10], [2]] and b.steps.tolist() == [[0], [2]]  # s_max = 5
    assert b.compute_time_s[1, 0] == pytest.approx(0.25 + a.compute_time_s[1, 0])


def test_zero_fixed_time_and_default_ranges_reproduce_the_paper_game_bit_for_bit() -> None:
    net = generate_network(PRESETS["paper"], stream(11, "scenario"))
    k = net.num_servers
    explicit = replace(
        net,
        fixed_time_s=np.zeros(k),
        min_steps=np.ones(k, dtype=np.int64),
        server_max_steps=np.full(k, net.max_steps, dtype=np.int64),
    )
    a, b = build_instance(net), build_instance(explicit)
    assert np.array_equal(a.steps, b.steps)
    assert a.compute_time_s.tobytes() == b.compute_time_s.tobytes()  # the same bits
    doc = network_to_dict(net)
    assert set(doc["servers"][0]) == {"name", "capacity_flops", "flops_per_step", "scale"}
    again = build_instance(network_from_model(parse_model(ScenarioModel, doc)))
    assert a.compute_time_s.tobytes() == again.compute_time_s.tobytes()


@pytest.mark.parametrize(
    ("server", "aec_form", "field"),
    [
        ({"error_floor": 0.1}, "exponential", "servers[0].error_floor"),
        ({"min_steps": 9, "max_steps": 4}, "power_floor", "servers[0].min_steps"),
    ],
)
def test_inconsistent_server_fields_name_the_field(server, aec_form, field) -> None:
    from jcaco.errors import InputError

    doc = _doc([0.1], [0.0]) | {"aec": {"form": aec_form}}
    doc["servers"][0] |= server
    with pytest.raises(InputError) as info:
        parse_model(ScenarioModel, doc, source="s.json")
    assert info.value.field == field
