"""Training with a mainstream stack (issue 20; needs ``jcaco[rl]``, run by ``make test-rl``):
sb3-contrib's MaskablePPO over SuperSuit trains a few hundred steps, the saved policy acts as
SB3's own masked prediction, and it runs in ``jcaco solve`` and ``jcaco simulate``."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

from jcaco.env import parallel_env
from jcaco.env.training import save_sb3, train_maskable_ppo
from jcaco.learners.policy import load_policy
from jcaco.model.files import load_network
from jcaco.rng import stream
from jcaco.scenario.generator import PRESETS, generate_network

pytestmark = [pytest.mark.rl, pytest.mark.filterwarnings("ignore::UserWarning")]
pytest.importorskip("sb3_contrib")
pytest.importorskip("supersuit")


def _jcaco(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jcaco", *args], capture_output=True, text=True, check=False
    )


def test_maskable_ppo_trains_and_its_policy_runs_in_solve_and_simulate(tmp_path: Path) -> None:
    scenario = tmp_path / "net.json"
    made = _jcaco("generate", "--users", "6", "--aps", "3", "--servers", "3", "--seed", "4",
                  "-o", str(scenario))  # fmt: skip
    assert made.returncode == 0, made.stderr
    env = parallel_env(scenario, max_cycles=40, information="masl", observation="rl")
    model = train_maskable_ppo(env, 6 * 64, seed=1, n_steps=64, batch_size=96, n_epochs=2)
    assert model.num_timesteps >= 6 * 64
    path = save_sb3(model, env, tmp_path / "policy.npz", total_steps=6 * 64)
    saved = load_policy(path)
    assert saved.information == env.information
    obs, _ = env.reset(seed=9)
    rows = np.stack([obs[a]["observation"] for a in env.agents])
    masks = np.stack([obs[a]["action_mask"] for a in env.agents]).astype(bool)
    theirs, _ = model.predict(rows, action_masks=masks, deterministic=True)
    ours = np.argmax(np.where(masks, saved.logits(rows), -np.inf), axis=-1)
    assert np.array_equal(theirs, ours)
    assert load_network(scenario).num_users == 6
    param = f"path={path}"
    solved = _jcaco("solve", str(scenario), "-a", "policy", "--param", param, "-o",
                    str(tmp_path / "solve"))  # fmt: skip
    assert solved.returncode == 0, solved.stderr
    simulated = _jcaco("simulate", str(scenario), "-a", f"policy@{path}", "--slots", "30", "-o",
                       str(tmp_path / "sim"))  # fmt: skip
    assert simulated.returncode == 0, simulated.stderr
    assert (tmp_path / "sim").exists()


@pytest.mark.parametrize("verbose", [0, 1])
def test_training_leaves_nothing_in_the_temp_folder(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    verbose: int,
) -> None:
    """SB3 left alone makes an empty ``SB3-<date>`` folder in the temporary folder per
    training; ours logs to the console (verbose) or nowhere and leaves no folder."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    monkeypatch.delenv("SB3_LOGDIR", raising=False)
    net = generate_network(PRESETS["small"], stream(4, "scenario"))
    env = parallel_env(net, max_cycles=20, information="masl", observation="rl")
    model = train_maskable_ppo(env, 6 * 16, n_steps=16, batch_size=48, n_epochs=1, verbose=verbose)
    assert model.num_timesteps >= 6 * 16
    # torch.optim's first import of torch._dynamo makes torch's per-user compile cache
    # torchinductor_<user> there (one folder every torch program shares and reuses): not ours
    left = [p.name for p in temp.iterdir() if not p.name.startswith("torchinductor_")]
    assert left == []
    assert ("total_timesteps" in capsys.readouterr().out) == (verbose >= 1)


@pytest.mark.parametrize(
    ("script", "budget"),
    [("sb3_maskable_ppo.py", ["--steps", "300"]), ("torchrl_ppo.py", ["--frames", "400"])],
)
def test_examples_train_and_run_their_policy(tmp_path: Path, script: str, budget: list[str]):
    if script.startswith("torchrl"):
        pytest.importorskip("torchrl")
    path = Path(__file__).resolve().parents[1] / "examples" / script
    args = [sys.executable, str(path), *budget, "--slots", "20", "-o", str(tmp_path)]
    out = subprocess.run(args, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "policy:" in out.stdout and "masl:" in out.stdout
    assert (tmp_path / "policy.npz").is_file() and (tmp_path / "policy.json").is_file()
