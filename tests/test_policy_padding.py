"""Padded RL observations and policies (issue 20's ``learned`` experiment): one policy for
networks of up to M_max APs and K_max servers. The padded observation holds the unpadded one's
numbers in their places, every padded entry finite and masked; a padded policy acts in smaller
networks within their own actions and refuses larger ones in one line; and a deterministic
policy reports convergence in ``jcaco solve`` once its profile stops changing. Random weights
(numpy): no training stack needed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from jcaco.api import solve
from jcaco.errors import InputError
from jcaco.learners.information import Information
from jcaco.learners.policy import load_policy, save_policy
from jcaco.learners.policy_features import INFEASIBLE, action_masks, feature_names
from jcaco.rng import stream
from jcaco.scenario.generator import PRESETS, generate_network, with_overrides
from jcaco.scenario.network import Network
from jcaco.sim.simulate import simulate
from test_policy import acts_as_masked_argmax

MASL_INFO = Information("own", "mean", "none")
PAD = (4, 5)


def _net(m: int, k: int, n: int = 7, seed: int = 3) -> Network:
    config = with_overrides(PRESETS["paper"], {"num_users": n, "num_aps": m, "num_servers": k})
    return generate_network(config, stream(seed, "scenario"))


def padded_policy(path: Path, info: Information = MASL_INFO, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    d = len(feature_names(info, *PAD))
    actions = PAD[0] * PAD[1]
    layers = [
        (rng.normal(0, 1, (12, d)), rng.normal(0, 0.1, 12)),
        (rng.normal(0, 1, (actions, 12)), np.zeros(actions)),
    ]
    return save_policy(
        path, layers, information=info, num_aps=PAD[0], num_servers=PAD[1], padded=True
    )


def test_padded_mask_keeps_the_allowed_actions_in_their_places() -> None:
    rng = np.random.default_rng(1)
    feasible = rng.random((2, 6, 3)) < 0.7
    held = rng.integers(0, 2 * 3, (2, 6))
    active = rng.random((2, 6)) < 0.5
    plain = action_masks(feasible, 2, active, held)
    wide = action_masks(feasible, 2, active, held, PAD)
    assert wide.shape == (2, 6, PAD[0] * PAD[1]) and wide.dtype == np.int8
    grid = wide.reshape(2, 6, *PAD)
    assert np.array_equal(grid[..., :2, :3].reshape(2, 6, -1), plain)
    assert not grid[..., 2:, :].any() and not grid[..., :, 3:].any()
    with pytest.raises(ValueError, match="does not fit"):
        action_masks(feasible, 5, None, None, PAD)


@pytest.mark.parametrize("information", ["masl", "full"])
def test_padded_observation_is_the_plain_one_with_absent_entries(information: str) -> None:
    pytest.importorskip("pettingzoo")
    from jcaco.env import parallel_env

    net = _net(2, 3)
    plain = parallel_env(net, max_cycles=6, information=information, observation="rl")
    wide = parallel_env(net, max_cycles=6, information=information, observation="rl", pad_to=PAD)
    assert wide.action_space("user_0").n == PAD[0] * PAD[1]
    assert wide.observation_space("user_0") is wide.observation_space("user_5")
    names = feature_names(wide.information, *PAD)
    short = feature_names(plain.information, 2, 3)
    obs_p, _ = plain.reset(seed=4)
    obs_w, _ = wide.reset(seed=4)
    rng = np.random.default_rng(0)
    while plain.agents:
        for agent in plain.possible_agents:
            p, w = obs_p[agent], obs_w[agent]
            assert wide.observation_space(agent).contains(w)
            values = dict(zip(names, w["observation"].tolist(), strict=True))
            assert np.isfinite(w["observation"]).all()
            for name, value in zip(short, p["observation"].tolist(), strict=True):
                if name.startswith("previous_action"):
                    continue
                assert values[name] == value, name
            for name in ("tx_time[3]", "distance[2]", "compute_time[4]"):
                assert values[name] == INFEASIBLE
            grid = w["action_mask"].reshape(PAD)
            assert np.array_equal(grid[:2, :3].ravel(), p["action_mask"])
            assert grid.sum() == p["action_mask"].sum()
        # the same moves in both layouts: a random allowed action of the plain one
        moves = {a: int(rng.choice(np.flatnonzero(obs_p[a]["action_mask"]))) for a in plain.agents}
        wide_moves = {a: (c // 3) * PAD[1] + c % 3 for a, c in moves.items()}
        obs_p, r_p, *_ = plain.step(moves)
        obs_w, r_w, _, _, infos = wide.step(wide_moves)
        assert r_p == r_w and all(i["legal"] for i in infos.values())
    assert np.array_equal(plain.trace().total_service_time_s, wide.trace().total_service_time_s)


def test_padded_policy_acts_on_smaller_networks_and_refuses_larger(tmp_path: Path) -> None:
    path = padded_policy(tmp_path / "p.npz")
    saved = load_policy(path)
    assert saved.padded and saved.pad_to == PAD
    for m, k in ((1, 5), (2, 3), (4, 5)):
        net = _net(m, k)
        trace = simulate([net], "policy", [5], 30, params={"path": str(path)})
        assert np.isfinite(trace.total_service_time_s).all()
        assert trace.recommendation is not None
        ap, server = trace.recommendation.ap, trace.recommendation.server
        assert (ap < m).all() and (server < k).all()
    with pytest.raises(InputError, match="at most 4 APs and 5 servers; this network has 5 and 2"):
        simulate([_net(5, 2)], "policy", [1], 5, params={"path": str(path)})


def test_padded_policy_acts_as_the_env_masked_argmax(tmp_path: Path) -> None:
    pytest.importorskip("pettingzoo")
    from jcaco.env import parallel_env

    path = padded_policy(tmp_path / "p.npz", seed=2)
    env = parallel_env(_net(3, 4), max_cycles=15, information="masl", observation="rl", pad_to=PAD)
    acts_as_masked_argmax(env, path, 8)


def test_deterministic_policy_converges_in_solve(tmp_path: Path) -> None:
    path = padded_policy(tmp_path / "p.npz", seed=4)
    net = _net(3, 4, n=10)
    result = solve(net, "policy", seed=1, iterations=100_000, params={"path": str(path)})
    assert result.converged and result.iterations < 100
    # converged: one more slot of the same game gives the same profile
    again = solve(
        net, "policy", seed=1, iterations=result.iterations + 1, params={"path": str(path)}
    )
    for key in ("ap", "server"):
        assert again.to_dict()[key] == result.to_dict()[key]
    sampled = solve(
        net, "policy", seed=1, iterations=50, params={"path": str(path), "deterministic": False}
    )
    assert not sampled.converged and sampled.iterations == 50


def test_solve_cli_stops_at_convergence(tmp_path: Path) -> None:
    path = padded_policy(tmp_path / "p.npz", seed=4)
    scenario = tmp_path / "net.json"
    run = [sys.executable, "-m", "jcaco"]
    made = subprocess.run(
        [*run, "generate", "--users", "9", "--aps", "2", "--servers", "3", "-o", str(scenario)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    solved = subprocess.run(
        [*run, "solve", str(scenario), "-a", "policy", "--param", f"path={path}", "--json"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert solved.returncode == 0, solved.stderr
    import json

    doc = json.loads(solved.stdout)
    assert doc["converged"] is True and doc["iterations"] < 100
