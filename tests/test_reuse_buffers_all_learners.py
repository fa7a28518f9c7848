"""Every registered learner makes the same moves whether the environment reuses its buffers.

``simulate`` runs ``DynamicEnvironment(reuse_buffers=True)``: a slot's arrays (times,
distances, fading gains) are overwritten by the next slot, so a learner that keeps a reference
to a view's (or the set-up's) array across slots would silently read later slots' values. Each
learner of :data:`jcaco.learners.registry.LEARNERS` and :data:`~jcaco.learners.registry.
FROM_FILES` (and the variants that read other arrays: MASL's normalisers and price, br-round's
declarations, the policy's observations) runs the same slot loop on a small dynamic network
(Rayleigh fading and mobility) with and without reuse; the traces must be identical byte for
byte. A new registered learner is covered by being registered; one that runs from a file needs
its file below (the test fails until it has one).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from jcaco.learners.information import Information
from jcaco.learners.masl.normalisers import NORMALISERS
from jcaco.learners.policy import save_policy
from jcaco.learners.policy_features import feature_names
from jcaco.learners.registry import FROM_FILES, LEARNERS
from jcaco.model.build import check_feasible
from jcaco.rng import stream
from jcaco.scenario.generator import PRESETS, generate_network, with_overrides
from jcaco.scenario.network import Network
from jcaco.sim import simulate as simulate_module
from jcaco.sim.dynamics import DynamicsConfig
from jcaco.sim.environment import DynamicEnvironment
from jcaco.sim.recorder import METRICS, Trace
from jcaco.sim.simulate import simulate

SEEDS = (5, 17)
SLOTS = 60
DYNAMICS = DynamicsConfig(step_radius_m=20.0)  # Rayleigh fading and mobility


@pytest.fixture(scope="module")
def nets() -> list[Network]:
    config = with_overrides(PRESETS["paper"], {"num_users": 40})
    return [check_feasible(generate_network(config, stream(s, "scenario")), True)[0] for s in SEEDS]


def _policy(
    info: Information, deterministic: bool = True
) -> Callable[[Path, Network], dict[str, Any]]:
    def make(folder: Path, net: Network) -> dict[str, Any]:
        m, k = net.num_aps, net.num_servers
        rng = np.random.default_rng(0)
        d = len(feature_names(info, m, k))
        layers = [
            (rng.normal(0, 1, (16, d)), rng.normal(0, 0.1, 16)),
            (rng.normal(0, 1, (m * k, 16)), np.zeros(m * k)),
        ]
        name = f"{info.activity}-{info.channel}-{info.others}.npz"
        path = save_policy(folder / name, layers, information=info, num_aps=m, num_servers=k)
        return {"path": str(path), "deterministic": deterministic}

    return make


#: The parameters that each learner of FROM_FILES runs with (a file made for the network).
FILE_PARAMS: dict[str, list[Callable[[Path, Network], dict[str, Any]]]] = {
    "policy": [
        _policy(Information("own", "mean", "none")),
        _policy(Information("all", "all", "actions")),
        _policy(Information("all", "own", "loads")),
        _policy(Information("own", "own", "none"), deterministic=False),
    ],
}

#: Variants beyond the defaults whose state reads other arrays of the set-up or the views.
VARIANTS: list[tuple[str, dict[str, Any]]] = [
    *[("masl", {"normaliser": name}) for name in NORMALISERS],
    *[("masl", {"normaliser": name, "reward_signal": "measured"}) for name in NORMALISERS],
    ("masl", {"price": True}),
    ("masl", {"price": True, "reward_signal": "measured"}),
    ("br-round", {"start": "greedy"}),
    ("br-round", {"activity": "own", "channel": "mean"}),
]


def _cases() -> list[Any]:
    cases = [pytest.param(name, {}, id=name) for name in sorted(LEARNERS)]
    cases += [
        pytest.param(name, params, id=f"{name}-{'-'.join(map(str, params.values()))}")
        for name, params in VARIANTS
    ]
    for name in sorted(FROM_FILES):
        makers = FILE_PARAMS.get(name, [None])
        cases += [
            pytest.param(name, maker, id=f"{name}-{index}") for index, maker in enumerate(makers)
        ]
    return cases


def _run(
    nets: list[Network],
    name: str,
    params: dict[str, Any],
    reuse: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> Trace:
    """``simulate`` as ``jcaco simulate`` runs it, with the environment's reuse forced."""

    def environment(*args: Any, **kwargs: Any) -> DynamicEnvironment:
        kwargs["reuse_buffers"] = reuse
        return DynamicEnvironment(*args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(simulate_module, "DynamicEnvironment", environment)
        slots = 8 if LEARNERS.get(name) is LEARNERS["optimum"] else SLOTS  # a MILP a slot
        return simulate(
            nets, name, SEEDS, slots, params=params, dynamics=DYNAMICS, record_users=True
        )


def _contents(trace: Trace) -> list[tuple[str, bytes]]:
    out = [(name, np.ascontiguousarray(getattr(trace, name)).tobytes()) for name in METRICS]
    assert trace.user_service_time_s is not None and trace.recommendation is not None
    out.append(("user_service_time_s", trace.user_service_time_s.tobytes()))
    out.append(("recommendation.ap", np.asarray(trace.recommendation.ap).tobytes()))
    out.append(("recommendation.server", np.asarray(trace.recommendation.server).tobytes()))
    return out


@pytest.mark.parametrize(("name", "params"), _cases())
def test_reused_buffers_give_the_same_trace(
    name: str,
    params: Any,
    nets: list[Network],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if name in FROM_FILES:
        assert params is not None, f"{name} runs from a file: give it one in FILE_PARAMS"
        params = params(tmp_path, nets[0])
    fresh = _run(nets, name, params, False, monkeypatch)
    reused = _run(nets, name, params, True, monkeypatch)
    for (field, a), (_, b) in zip(_contents(fresh), _contents(reused), strict=True):
        assert a == b, f"{name} {params}: {field} differs with reuse_buffers=True"
