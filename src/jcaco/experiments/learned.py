"""The ``learned`` experiment: a policy trained with a mainstream RL stack, as a series of
Figs. 4 and 9 (``jcaco reproduce --only learned``; needs ``pip install 'jcaco[rl]'``).

One parameter-shared policy is trained with sb3-contrib's ``MaskablePPO`` over SuperSuit
(:func:`jcaco.env.training.train_maskable_ppo`) on networks drawn from the ``training`` seed
stream (:mod:`jcaco.rng`), never on a figure's networks: one network per pair (M, N) of Fig. 4's
numbers of APs and Fig. 9's numbers of users, the other parameters of Table III's ranges. Its
observations are the RL observation padded to (M_max, K) (``pad_to``,
:mod:`jcaco.learners.policy_features`), so the one policy acts at every point of Fig. 4 (M from
2 to 10) and of Fig. 9; it sees what MASL sees (``information="masl"``: its own activity bit,
its own mean-fading times, nobody else's). The experiments ``learned4`` and ``learned9``
(:mod:`jcaco.experiments.paper`) then run it (the ``policy`` learner, masked argmax) beside
MASL, ``br``, ``br-sync`` and the planner on the figures' own networks and seeds, scored as the
figures are.

The trained policy is cached in the store, ``DIR/policies/KEY.npz`` and its sidecar
(:func:`jcaco.learners.policy.save_policy`, written atomically), ``KEY`` a digest of the
training configuration (:class:`TrainingConfig`) and of the code that trains (this module's
:data:`TRAINING_VERSION`, the observation layout's version, the versions of jcaco, numpy and the
training stack): a rerun with the same configuration and code loads it instead of training,
any change trains again. Training is deterministic given the seed on one machine (``seed``
seeds torch, numpy and the environments' episodes; torch runs one thread while it trains);
bitwise equality across machines, CPUs or torch builds is not guaranteed.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from jcaco.errors import InputError
from jcaco.experiments.paper import EXPERIMENTS, LEARNED_RUNNER, Experiment
from jcaco.experiments.sweep import SeriesRunner, Simulator, learner_rows
from jcaco.experiments.tasks import Task, draw_network
from jcaco.learners.policy import load_policy
from jcaco.learners.policy_features import FEATURES_VERSION
from jcaco.scenario.generator import with_overrides
from jcaco.scenario.network import Network

#: Bump when the training code changes what it trains (a cached policy is then retrained).
TRAINING_VERSION = 1
#: The packages whose versions key a cached policy (and that training needs).
STACK = ("torch", "stable-baselines3", "sb3-contrib", "supersuit", "numpy")
EXTRA = "the learned experiment trains a policy and needs the rl extra: pip install 'jcaco[rl]'"
#: The store's folder of cached policies.
POLICIES = "policies"


def _fig_points(name: str) -> tuple[int, ...]:
    return tuple(int(round(x)) for x in EXPERIMENTS[name].points)


@dataclass(frozen=True)
class TrainingConfig:
    """What the learned policy is trained with (every field keys the cache).

    Attributes
    ----------
    steps : int
        Training budget in agent steps (one user's decision in one slot).
    seed : int
        Root seed: the ``training`` stream's networks, torch's and the episodes' seeds.
    num_aps, num_users : tuple of int
        One training network per pair (Fig. 4's M values x Fig. 9's N values).
    information : str
        The information declaration of the observations (``masl``: own activity bit, own
        mean-fading times, nothing of the others; docs/model.md §6).
    max_cycles : int
        Slots per training episode.
    ppo : tuple of (str, value)
        ``MaskablePPO``'s options (``n_steps`` per environment entry, ``batch_size``,
        ``n_epochs``, ``gamma``, ``learning_rate``); its MLP is SB3's default (64, 64, tanh).
    """

    steps: int = 500_000
    seed: int = 0
    num_aps: tuple[int, ...] = field(default_factory=lambda: _fig_points("fig4"))
    num_users: tuple[int, ...] = field(default_factory=lambda: _fig_points("fig9"))
    information: str = "masl"
    max_cycles: int = 200
    ppo: tuple[tuple[str, Any], ...] = (
        ("n_steps", 8),
        ("batch_size", 1000),
        ("n_epochs", 5),
        ("gamma", 0.9),
        ("learning_rate", 1e-3),
    )

    @property
    def pad_to(self) -> tuple[int, int]:
        """(M_max, K): the most APs of Fig. 4 (and of the training networks), Table III's
        servers."""
        return max(*self.num_aps, *_fig_points("fig4")), EXPERIMENTS["fig4"].base.num_servers

    def as_dict(self) -> dict[str, Any]:
        """The configuration as JSON-ready data."""
        doc = asdict(self)
        doc["ppo"] = dict(self.ppo)
        doc["pad_to"] = list(self.pad_to)
        return doc


#: The default training budget (``jcaco reproduce --only learned``).
DEFAULT_TRAINING = TrainingConfig()
#: ``--quick``'s budget: a first look only, a policy trained this little is poor.
QUICK_TRAINING = TrainingConfig(steps=10_000)

#: Policies trained by this process (tests read it to tell a cache hit from a retraining).
TRAININGS = 0


def need_extra() -> None:
    """Raise :class:`InputError` naming the extra unless the training stack is importable."""
    for module in ("torch", "stable_baselines3", "sb3_contrib", "supersuit"):
        if importlib.util.find_spec(module) is None:
            raise InputError(f"{EXTRA} ({module} is missing)", field="--only")


def code_versions() -> dict[str, Any]:
    """The versions of the code that trains (part of the cache key)."""
    versions: dict[str, Any] = {
        "training": TRAINING_VERSION,
        "observation": FEATURES_VERSION,
        "jcaco": importlib.metadata.version("jcaco"),
    }
    for package in STACK:
        versions[package] = importlib.metadata.version(package)
    return versions


def training_key(config: TrainingConfig) -> str:
    """The cache key of ``config`` under this code (:func:`code_versions`)."""
    doc = {"config": config.as_dict(), "code": code_versions()}
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def policy_path(directory: str | Path, key: str) -> Path:
    """Where the policy of ``key`` is cached in the store ``directory``."""
    return Path(directory) / POLICIES / f"{key}.npz"


def training_networks(config: TrainingConfig) -> list[Network]:
    """The training networks: one per (M, N) pair, from the ``training`` stream (keyed by
    the pair's index), each with every user servable."""
    base = EXPERIMENTS["fig4"].base
    pairs = [(m, n) for m in config.num_aps for n in config.num_users]
    return [
        draw_network(
            with_overrides(base, {"num_aps": m, "num_users": n}), config.seed, 0, i, "training"
        )
        for i, (m, n) in enumerate(pairs)
    ]


def train(config: TrainingConfig, path: Path, command: str) -> Path:
    """Train the shared policy of ``config`` and save it at ``path`` (with its training
    curve, wall time and configuration in the sidecar's ``trainer``)."""
    global TRAININGS
    from jcaco.env import parallel_env
    from jcaco.env.training import need, save_sb3, train_maskable_ppo

    torch = need("torch")

    envs = [
        parallel_env(
            net,
            max_cycles=config.max_cycles,
            information=config.information,
            observation="rl",
            pad_to=config.pad_to,
        )
        for net in training_networks(config)
    ]
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # one thread: the same arithmetic on every run of a machine
    curve: list[tuple[int, float]] = []
    start = time.perf_counter()
    try:
        model = train_maskable_ppo(
            envs, config.steps, seed=config.seed, curve=curve, **dict(config.ppo)
        )
    finally:
        torch.set_num_threads(threads)
    wall_s = time.perf_counter() - start
    TRAININGS += 1
    return save_sb3(
        model,
        envs[0],
        path,
        key=path.stem,
        config=config.as_dict(),
        versions=code_versions(),
        curve=[[s, r] for s, r in curve],
        agent_steps=int(model.num_timesteps),
        wall_time_s=round(wall_s, 1),
        torch_threads=1,
        command=command,
    )


def cached(path: Path) -> dict[str, Any] | None:
    """The ``trainer`` record of the policy cached at ``path``, or None if there is none (or
    it does not read back)."""
    if not path.is_file():
        return None
    try:
        trainer = load_policy(path).trainer
    except InputError:
        return None
    return trainer if trainer.get("key") == path.stem else None


@dataclass(frozen=True)
class PolicyRunner:
    """The ``learned`` runner: the learner runner with the ``policy`` learner on ``path``,
    deterministic or not as the series says (the rows keep the series' own parameters, the
    training key, not the path)."""

    path: str

    def __call__(
        self, task: Task, networks: Sequence[Network], simulator: Simulator | None = None
    ) -> list[dict[str, Any]]:
        """Run the cached policy on the task's networks (:func:`learner_rows`)."""
        own = dict(task.series.params)
        params = {"path": self.path, "deterministic": own.get("deterministic", True)}
        series = replace(task.series, params=MappingProxyType(params))
        rows = learner_rows(replace(task, series=series), networks, simulator)
        return [{**row, "params": json.dumps(own, sort_keys=True)} for row in rows]


def prepare(
    experiments: Sequence[Experiment], directory: str | Path, *, quick: bool
) -> tuple[list[Experiment], dict[str, SeriesRunner], dict[str, Any] | None]:
    """Train (or load from the store ``directory``) the policy of the learned series among
    ``experiments`` (a series with the ``learned`` runner).

    Returns
    -------
    experiments
        ``experiments`` with the training key added to each learned series' parameters (a
        retrained policy has new rows).
    runners
        The ``learned`` runner, for :func:`jcaco.experiments.sweep.run_sweep`.
    record
        The policy's ``trainer`` record (budget, curve, wall time, command) with
        ``trained_now`` and ``path`` (relative to the store), or None when no experiment has
        a learned series.

    Raises
    ------
    InputError
        Without the rl extra (one line naming it).
    """
    if not any(s.runner == LEARNED_RUNNER for e in experiments for s in e.series):
        return list(experiments), {}, None
    need_extra()
    config = QUICK_TRAINING if quick else DEFAULT_TRAINING
    key = training_key(config)
    path = policy_path(directory, key)
    record = cached(path)
    trained_now = record is None
    if record is None:
        command = "jcaco reproduce --only learned" + (" --quick" if quick else "")
        train(config, path, command)
        record = load_policy(path).trainer
    trained = {"training": key, "steps": config.steps, "information": config.information}
    out = [
        replace(
            e,
            series=tuple(
                replace(s, params=MappingProxyType({**s.params, **trained}))
                if s.runner == LEARNED_RUNNER
                else s
                for s in e.series
            ),
        )
        for e in experiments
    ]
    record = {**record, "trained_now": trained_now, "path": f"{POLICIES}/{path.name}"}
    return out, {LEARNED_RUNNER: PolicyRunner(str(path.resolve()))}, record


__all__ = [
    "DEFAULT_TRAINING",
    "QUICK_TRAINING",
    "PolicyRunner",
    "TrainingConfig",
    "cached",
    "need_extra",
    "policy_path",
    "prepare",
    "train",
    "training_key",
    "training_networks",
]
