"""The PettingZoo environment (issue 9): PettingZoo's own tests, determinism over a whole
episode, and the same per-slot totals as ``jcaco simulate``, to the bit."""

from __future__ import annotations

import re
import subprocess
import sys
import warnings
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("pettingzoo")

from pettingzoo.test import api_test, max_cycles_test, parallel_api_test, render_test

import jcaco.env
from jcaco.env import JcacoParallelEnv, parallel_env
from jcaco.learners.masl import MASL
from jcaco.learners.registry import LEARNERS
from jcaco.model.build import network_steps
from jcaco.rng import SeedBatch, stream
from jcaco.scenario.generator import PRESETS, generate_network, with_overrides
from jcaco.scenario.network import Network
from jcaco.sim.dynamics import STATIC, DynamicsConfig
from jcaco.sim.simulate import simulate

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:pettingzoo.*")


@pytest.fixture(scope="module")
def net() -> Network:
    """A small network of the paper's Table III (6 users)."""
    config = with_overrides(PRESETS["paper"], {"num_users": 6, "num_aps": 3, "num_servers": 3})
    return generate_network(config, stream(4, "scenario"))


@pytest.fixture(scope="module")
def tight(net: Network) -> Network:
    """``net`` with ``max_steps`` cut so that some servers cannot meet some users' limits."""
    steps = network_steps(net)  # [N, K]
    tight = replace(net, max_steps=int(np.where(steps > 0, steps, 10**9).min(axis=1).max()))
    assert 0 < (network_steps(tight) == 0).sum() < steps.size
    return tight


def _random_actions(
    env: JcacoParallelEnv, obs: dict[str, Any], rng: np.random.Generator
) -> dict[str, int]:
    """A masked uniform action per live agent from ``rng``."""
    out = {}
    for agent in env.agents:
        allowed = np.flatnonzero(obs[agent]["action_mask"])
        out[agent] = int(rng.choice(allowed))
    return out


def _episode(env: JcacoParallelEnv, seed: int) -> list[Any]:
    """Everything an episode returns, with actions drawn from a seeded generator."""
    rng = np.random.default_rng(99)
    obs, infos = env.reset(seed=seed)
    out: list[Any] = [obs, infos]
    while env.agents:
        step = env.step(_random_actions(env, obs, rng))
        obs = step[0]
        out.extend(step)
    return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(np.array_equal(a, b))


def test_parallel_api(net: Network, tight: Network) -> None:
    parallel_api_test(parallel_env(tight, max_cycles=30), num_cycles=40)
    parallel_api_test(parallel_env(net, information="full"), num_cycles=10)
    parallel_api_test(parallel_env(net, information="nothing"), num_cycles=10)


def test_aec_api(net: Network) -> None:
    api_test(jcaco.env.env(net, max_cycles=20), num_cycles=30)


#: What PettingZoo's ``api_test`` says of every ``Dict`` observation of an environment not on
#: its own list of names (``env_obs_dicts``, ``env_obs_space``: chess, go, connect four, ...,
#: whose observations are the same ``{"observation", "action_mask"}`` pair).
NAME_LISTED = {
    "Observation is not a NumPy array",
    "Observation space for each agent probably should be gymnasium.spaces.box or "
    "gymnasium.spaces.discrete",
}


def _warnings_of(check: Any) -> set[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check()
    return {str(w.message) for w in caught}


@pytest.mark.parametrize("information", ["nothing", "own", "full"])
def test_rl_observation_passes_the_api_tests_without_warnings(
    tight: Network, information: str
) -> None:
    par = parallel_env(tight, max_cycles=20, information=information, observation="rl")
    assert _warnings_of(lambda: parallel_api_test(par, num_cycles=30)) == set()
    aec = jcaco.env.env(tight, max_cycles=20, information=information, observation="rl")
    assert _warnings_of(lambda: api_test(aec, num_cycles=30)) <= NAME_LISTED


@pytest.mark.parametrize("information", ["nothing", "own", "full", "masl"])
def test_rl_observation_is_finite_flat_float32_and_the_same_space_for_every_agent(
    tight: Network, information: str
) -> None:
    env = parallel_env(tight, max_cycles=10, information=information, observation="rl")
    plain = parallel_env(tight, max_cycles=10, information=information)
    spaces_ = {id(env.observation_space(a)) for a in env.possible_agents}
    assert len(spaces_) == 1 and len({id(env.action_space(a)) for a in env.possible_agents}) == 1
    space = env.observation_space("user_0")
    assert set(space.spaces) == {"observation", "action_mask"}
    assert space["observation"].dtype == np.float32 and space["action_mask"].dtype == np.int8
    assert (
        np.isfinite(space["observation"].low).all() and np.isfinite(space["observation"].high).all()
    )
    obs, _ = env.reset(seed=2)
    reference, _ = plain.reset(seed=2)
    rng = np.random.default_rng(1)
    k = tight.num_servers
    for _ in range(6):
        for agent in env.possible_agents:
            row = obs[agent]
            assert row in space and np.isfinite(row["observation"]).all()
            assert np.abs(row["observation"]).max() < 10.0  # order 1
            assert np.array_equal(row["action_mask"], reference[agent]["action_mask"])
            compute = reference[agent]["compute_time_s"]  # inf: infeasible, -1 in the vector
            start = 1 + tight.num_aps
            coded = row["observation"][start : start + k]
            assert np.array_equal(coded == -1.0, ~np.isfinite(compute))
        actions = _random_actions(env, obs, rng)
        obs = env.step(actions)[0]
        reference = plain.step(actions)[0]


def test_rl_episode_is_deterministic(net: Network) -> None:
    make = lambda: parallel_env(net, max_cycles=15, observation="rl")  # noqa: E731
    assert _same(_episode(make(), 3), _episode(make(), 3))
    assert not _same(_episode(make(), 3), _episode(make(), 4))


def test_max_cycles() -> None:
    max_cycles_test(jcaco.env)


def test_render() -> None:
    def has_table(text: str) -> bool:
        return text.startswith("slot ") and ("user" in text or "no actions" in text)

    render_test(
        lambda render_mode=None: jcaco.env.env(max_cycles=8, render_mode=render_mode),
        custom_tests={"ansi": has_table},
    )


def test_whole_episode_is_deterministic(net: Network) -> None:
    first = _episode(parallel_env(net, max_cycles=60), 3)
    again = _episode(parallel_env(net, max_cycles=60), 3)
    other = _episode(parallel_env(net, max_cycles=60), 4)
    assert len(first) == 2 + 5 * 60
    assert _same(first, again)
    assert not _same(first, other)


def test_unseeded_resets_are_new_episodes_and_a_seed_replays(net: Network) -> None:
    env = parallel_env(net, max_cycles=5)
    env.reset(seed=8)
    assert env.episode_seed == 8
    env.reset()
    second = env.episode_seed
    env.reset()
    assert len({8, second, env.episode_seed}) == 3
    assert _same(_episode(env, 8), _episode(parallel_env(net, max_cycles=5), 8))


@pytest.mark.parametrize(
    "dynamics", [DynamicsConfig(), STATIC, DynamicsConfig(activity=False)], ids=str
)
def test_masl_through_the_env_matches_simulate_to_the_bit(
    net: Network, dynamics: DynamicsConfig
) -> None:
    slots, seed = 200, 11
    env = parallel_env(net, max_cycles=slots, information="masl", dynamics=dynamics)
    env.reset(seed=seed)
    learner = MASL()
    learner.reset(env.setup(learner.declares()), SeedBatch.from_seeds([seed], "learner"))
    rewards = []
    while env.agents:
        profile = learner.act(env.view(learner.declares()))
        _, reward, _, _, infos = env.step(env.actions_of(profile))
        assert all(info["legal"] for info in infos.values())
        assert env.feedback is not None
        learner.observe(profile, env.feedback)
        rewards.append([reward[a] for a in env.possible_agents])
    ours = env.trace()
    theirs = simulate([net], "masl", [seed], slots, dynamics=dynamics, record_users=True)
    for name in ("total_service_time_s", "num_active", "nash_gap_s", "max_load_s", "switches"):
        assert np.array_equal(getattr(ours, name), getattr(theirs, name)), name
    assert theirs.user_service_time_s is not None
    users = theirs.user_service_time_s[:, 0]
    assert np.array_equal(np.array(rewards), np.where(np.isnan(users), 0.0, -users))


def test_observation_is_the_views_rows(net: Network) -> None:
    env = parallel_env(net, information="full")
    obs, _ = env.reset(seed=2)
    view = env.view(env.information)
    assert view.others is not None
    for i, agent in enumerate(env.possible_agents):
        row = obs[agent]
        assert np.array_equal(row["tx_time_s"], view.tx_time_s[0, i])
        assert np.array_equal(row["others_tx_time_s"], view.others.tx_time_s[0])
        assert row["num_active"] == int(view.active.sum()) if view.active is not None else True
        assert row in env.observation_space(agent)
    lean = parallel_env(net, information="nothing")
    obs, infos = lean.reset(seed=2)
    assert "active" not in obs["user_0"] and "active" not in infos["user_0"]
    masl = parallel_env(net, information="masl").reset(seed=2)[0]["user_0"]
    assert set(masl) == set(lean.reset(seed=2)[0]["user_0"]) | {"active"}


def test_mask_rules_out_infeasible_servers_and_holds_inactive_users(tight: Network) -> None:
    env = parallel_env(tight, max_cycles=50)
    obs, _ = env.reset(seed=5)
    k = tight.num_servers
    feasible = env.world.initial().feasible[0]  # [N, K]
    for i, agent in enumerate(env.possible_agents):
        mask = obs[agent]["action_mask"].reshape(-1, k)
        assert np.array_equal(mask.astype(bool), np.broadcast_to(feasible[i], mask.shape))
    rng = np.random.default_rng(0)
    seen_idle = 0
    for _ in range(20):
        actions = _random_actions(env, obs, rng)
        obs, _, _, _, infos = env.step(actions)
        for agent, action in actions.items():
            if not infos[agent]["active"]:
                seen_idle += 1
                assert np.flatnonzero(obs[agent]["action_mask"]).tolist() == [action]
    assert seen_idle > 0


def test_illegal_or_missing_action_holds_the_previous_one(tight: Network) -> None:
    env = parallel_env(tight, max_cycles=5, dynamics=DynamicsConfig(activity=False))
    obs, _ = env.reset(seed=1)
    first = {a: int(np.flatnonzero(o["action_mask"])[-1]) for a, o in obs.items()}
    env.step(first)
    feasible = env.world.initial().feasible[0]
    user = int(np.flatnonzero(~feasible.all(axis=1))[0])  # has an infeasible server
    agent = f"user_{user}"
    bad = int(np.flatnonzero(~feasible[user])[0])  # AP 0, that server
    actions = dict(first)
    actions[agent] = bad
    del actions["user_0"]
    _, _, _, _, infos = env.step(actions)
    assert not infos[agent]["legal"] and not infos["user_0"]["legal"]
    assert env.actions_of(env.trace().recommendation) == first
    with pytest.raises(ValueError, match="unknown agents"):
        env.step({"user_99": 0})


def test_truncation_empties_agents(net: Network) -> None:
    env = parallel_env(net, max_cycles=3)
    obs, _ = env.reset(seed=0)
    for t in range(3):
        obs, _, terminations, truncations, _ = env.step({a: None for a in env.agents})
        assert not any(terminations.values())
        assert all(truncations.values()) == (t == 2)
    assert env.agents == [] and len(obs) == net.num_users
    assert env.trace().num_slots == 3
    with pytest.raises(RuntimeError, match="reset"):
        env.step({})


@pytest.mark.parametrize("name", sorted(LEARNERS))
def test_information_by_learner_name(net: Network, name: str) -> None:
    env = parallel_env(net, information=name)
    assert env.information == LEARNERS[name]().declares()


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="information must be"):
        parallel_env(information="psychic")
    with pytest.raises(ValueError, match="max_cycles"):
        parallel_env(max_cycles=0)
    with pytest.raises(ValueError, match="render_mode"):
        parallel_env(render_mode="rgb_array")


def test_without_pettingzoo_one_line_says_what_to_install() -> None:
    code = (
        "import sys; sys.modules['pettingzoo'] = None\n"
        "import jcaco\n"
        "try:\n    import jcaco.env\nexcept ModuleNotFoundError as exc:\n    print(exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == (
        "jcaco.env needs PettingZoo and Gymnasium: pip install 'jcaco[env]'"
    )


def test_example_runs(tmp_path) -> None:
    script = Path(__file__).resolve().parents[1] / "examples" / "independent_learners.py"
    args = [sys.executable, str(script), "--slots", "12", "--seeds", "1", "-o", str(tmp_path)]
    out = subprocess.run(args, capture_output=True, text=True, check=True)
    assert "epsilon-greedy" in out.stdout and "UCB1" in out.stdout
    assert (tmp_path / "independent_learners.png").stat().st_size > 0


def test_the_docs_table_is_what_the_example_prints(tmp_path) -> None:
    """docs/env.md's table of the example's default run (2,000 slots, 3 seeds) is what it
    prints, number for number (it is deterministic)."""
    root = Path(__file__).resolve().parents[1]
    script = root / "examples" / "independent_learners.py"
    args = [sys.executable, str(script), "-o", str(tmp_path)]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    printed = dict(re.findall(r"^  (\S.*?)\s+(\d+\.\d+) s$", out, flags=re.M))
    doc = (root / "docs" / "env.md").read_text()
    table = dict(re.findall(r"^\| (MASL|epsilon-greedy|UCB1)[^|]* \| (\d+\.\d+) s \|$", doc, re.M))
    assert printed.keys() >= {"MASL (b = 0.05)", "epsilon-greedy", "UCB1"}
    assert table == {label.split(" ")[0]: value for label, value in printed.items()}


def test_without_the_rl_extra_one_line_says_what_to_install() -> None:
    code = (
        "import sys; sys.modules['supersuit'] = None; sys.modules['sb3_contrib'] = None\n"
        "from jcaco.env import parallel_env\n"
        "from jcaco.env.training import train_maskable_ppo\n"
        "try:\n    train_maskable_ppo(parallel_env(observation='rl'), 10)\n"
        "except ModuleNotFoundError as exc:\n    print(exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().startswith("training needs the rl extra: pip install 'jcaco[rl]'")
    assert out.stdout.count("\n") == 1
