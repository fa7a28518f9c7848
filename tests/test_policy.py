"""The ``policy`` learner (issue 20): the observation it computes is the environment's RL
observation, its actions respect the mask, a batch of seeds acts as the seeds alone, and a
policy file whose declaration was changed is refused with one line. The policies here have
random weights (numpy); training one is tests/test_rl_training.py (needs ``jcaco[rl]``)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from jcaco.errors import InputError
from jcaco.learners.checks import check_learner
from jcaco.learners.information import Information
from jcaco.learners.policy import PolicyLearner, load_policy, save_policy, sidecar_of
from jcaco.learners.policy_features import feature_names
from jcaco.learners.registry import resolve
from jcaco.rng import stream
from jcaco.scenario.generator import PRESETS, generate_network, with_overrides
from jcaco.scenario.network import Network

MASL_INFO = Information("own", "mean", "none")


def random_policy(
    path: Path, info: Information, num_aps: int, num_servers: int, seed: int = 0
) -> Path:
    """A two-layer tanh policy with random weights, saved at ``path``."""
    rng = np.random.default_rng(seed)
    d = len(feature_names(info, num_aps, num_servers))
    layers = [
        (rng.normal(0, 1, (16, d)), rng.normal(0, 0.1, 16)),
        (rng.normal(0, 1, (num_aps * num_servers, 16)), np.zeros(num_aps * num_servers)),
    ]
    return save_policy(path, layers, information=info, num_aps=num_aps, num_servers=num_servers)


@pytest.fixture(scope="module")
def net() -> Network:
    config = with_overrides(PRESETS["paper"], {"num_users": 8, "num_aps": 3, "num_servers": 3})
    return generate_network(config, stream(6, "scenario"))


@pytest.mark.parametrize("info", [MASL_INFO, Information("all", "all", "actions")])
@pytest.mark.parametrize("deterministic", [True, False])
def test_policy_passes_the_learner_check(tmp_path: Path, info: Information, deterministic: bool):
    # the check's random game has 2 APs and 3 servers
    path = random_policy(tmp_path / "p.npz", info, 2, 3)
    check_learner(lambda: PolicyLearner(path=str(path), deterministic=deterministic))


@pytest.mark.parametrize("information", ["masl", "full", "nothing"])
def test_policy_sees_what_the_environment_shows(tmp_path: Path, net: Network, information: str):
    """Driven through the env, the learner's actions are the masked argmax of the policy's
    logits on the env's own RL observations, slot after slot."""
    pytest.importorskip("pettingzoo")
    from jcaco.env import parallel_env

    env = parallel_env(net, max_cycles=25, information=information, observation="rl")
    path = random_policy(tmp_path / "p.npz", env.information, net.num_aps, net.num_servers)
    acts_as_masked_argmax(env, path, 3)


def acts_as_masked_argmax(env: Any, path: Path, seed: int) -> None:
    """Drive ``env`` (RL observation) with the ``policy`` learner on ``path``: at every slot
    each agent's action is the masked argmax of the policy's logits on its observation."""
    from jcaco.rng import SeedBatch

    saved = load_policy(path)
    obs, _ = env.reset(seed=seed)
    learner = PolicyLearner(path=str(path))
    learner.reset(env.setup(learner.declares()), SeedBatch.from_seeds([seed], "learner"))
    while env.agents:
        profile = learner.act(env.view(learner.declares()))
        actions = env.actions_of(profile)
        for agent in env.possible_agents:
            row = obs[agent]
            logits = saved.logits(row["observation"][None])[0]
            expected = int(np.argmax(np.where(row["action_mask"] == 1, logits, -np.inf)))
            assert actions[agent] == expected
        obs, _, _, _, infos = env.step(actions)
        assert all(info["legal"] for info in infos.values())
        learner.observe(profile, env.feedback)


def test_edited_declaration_and_wrong_network_are_refused(tmp_path: Path, net: Network):
    path = random_policy(tmp_path / "p.npz", MASL_INFO, net.num_aps, net.num_servers)
    side = sidecar_of(path)
    header = json.loads(side.read_text())
    header["information"]["channel"] = "own"  # same vector size, another declaration
    side.write_text(json.dumps(header))
    with pytest.raises(InputError, match="not the declaration the policy was saved with"):
        load_policy(tmp_path / "p.npz")
    other = random_policy(tmp_path / "q.npz", MASL_INFO, 2, 3)
    with pytest.raises(InputError, match="trained with"):
        PolicyLearner(path=str(other), declaration="all,all,actions").declares()
    with pytest.raises(InputError, match="must be activity,channel,others"):
        PolicyLearner(path=str(other), declaration="own").declares()
    with pytest.raises(InputError, match="give the saved policy"):
        PolicyLearner().reset(None, None)  # type: ignore[arg-type]
    assert resolve(f"policy@{other}")().declares() == MASL_INFO


def _jcaco(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jcaco", *args], capture_output=True, text=True, check=False
    )


def test_cli_runs_a_policy_and_refuses_a_mismatch_in_one_line(tmp_path: Path, net: Network):
    scenario = tmp_path / "net.json"
    made = _jcaco("generate", "--users", "8", "--aps", "3", "--servers", "3", "--seed", "6",
                  "-o", str(scenario))  # fmt: skip
    assert made.returncode == 0, made.stderr
    path = random_policy(tmp_path / "p.npz", MASL_INFO, net.num_aps, net.num_servers)
    param = f"path={path}"
    solved = _jcaco(
        "solve", str(scenario), "-a", "policy", "--param", param, "-o", str(tmp_path / "s")
    )
    assert solved.returncode == 0, solved.stderr
    simulated = _jcaco(
        "simulate", str(scenario), "-a", "policy", "--param", param, "--slots", "20",
        "--seed", "2", "-o", str(tmp_path / "sim"),
    )  # fmt: skip
    assert simulated.returncode == 0, simulated.stderr
    refused = _jcaco(
        "simulate", str(scenario), "-a", "policy", "--param", param,
        "--param", "declaration=all,all,actions", "--slots", "5", "-o", str(tmp_path / "x"),
    )  # fmt: skip
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1 and "trained with" in refused.stderr
    small = random_policy(tmp_path / "small.npz", MASL_INFO, 2, 3)
    wrong = _jcaco("solve", str(scenario), "-a", "policy", "--param", f"path={small}", "-o",
                   str(tmp_path / "w"))  # fmt: skip
    assert wrong.returncode == 2 and wrong.stderr.count("\n") == 1, wrong.stderr


def test_check_learner_cli_passes_a_policy_for_its_game(tmp_path: Path) -> None:
    # the check's random game has 2 APs and 3 servers; policy@PATH binds the file
    path = random_policy(tmp_path / "small.npz", MASL_INFO, 2, 3)
    out = _jcaco("check-learner", f"policy@{path}")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "PASSED" in out.stdout and "activity=own channel=mean others=none" in out.stdout


def test_check_learner_cli_refuses_a_missing_policy_file_as_bad_input(tmp_path: Path) -> None:
    """``policy@PATH`` naming no file is bad input (exit 2, one line), not a learner that
    breaks the protocol (exit 1)."""
    result = _jcaco("check-learner", f"policy@{tmp_path / 'nope.npz'}")
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("jcaco: error: "), result.stderr
    assert "nope.npz: path: no such file" in lines[0]
