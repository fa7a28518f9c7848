"""Train a parameter-shared policy on the RL observation with a mainstream stack, and save it
for the ``policy`` learner (``pip install 'jcaco[rl]'``; docs/env.md).

* **Stable-Baselines3 family**: sb3-contrib's ``MaskablePPO`` over SuperSuit's vectorised
  PettingZoo wrapper (every user is one entry of the vector environment, so one network acts
  for all of them). SuperSuit hands SB3 the ``{"observation", "action_mask"}`` dictionary but
  no ``action_masks`` method, which is where ``MaskablePPO`` looks for the mask;
  :class:`MaskFromObservation` (an SB3 ``VecEnvWrapper``) passes the vector on and answers
  ``action_masks`` with the mask of the same observation.
* **TorchRL family**: see ``examples/torchrl_ppo.py`` (TorchRL's ``PettingZooWrapper`` reads the
  mask where this environment puts it) and :func:`save_torch_mlp`.

Only the saved file crosses into jcaco: :func:`save_sb3` and :func:`save_torch_mlp` write the
network's weights and the information it was trained with
(:func:`jcaco.learners.policy.save_policy`), which the ``policy`` learner runs with numpy.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from jcaco.env.parallel import JcacoParallelEnv
from jcaco.learners.policy import save_policy

EXTRA = "training needs the rl extra: pip install 'jcaco[rl]'"


def need(module: str) -> Any:
    """Import ``module`` or fail with one line naming the extra."""
    import importlib

    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        raise ModuleNotFoundError(f"{EXTRA} ({exc.name} is missing)", name=exc.name) from None


def sb3_vec_env(env: JcacoParallelEnv, copies: int = 1) -> Any:
    """``env`` (``observation="rl"``) as an SB3 vector environment of its N agents (times
    ``copies``) that ``MaskablePPO`` can mask: SuperSuit's ``pettingzoo_env_to_vec_env_v1``
    and ``concat_vec_envs_v1``, then :class:`MaskFromObservation`."""
    if env.observation != "rl":
        raise ValueError("train on parallel_env(..., observation='rl')")
    ss = need("supersuit")
    venv = ss.pettingzoo_env_to_vec_env_v1(env)
    venv = ss.concat_vec_envs_v1(venv, copies, num_cpus=0, base_class="stable_baselines3")
    return _wrapper_class()(venv)


def sb3_vec_envs(envs: list[JcacoParallelEnv]) -> Any:
    """Several environments (one network each, the same information and padding,
    ``observation="rl"``) as one SB3 vector environment of all their agents, which
    ``MaskablePPO`` can mask (SuperSuit's ``ConcatVecEnv`` of each one's
    ``pettingzoo_env_to_vec_env_v1``, then :class:`MaskFromObservation`): one shared policy
    trained on networks of different sizes (``pad_to``)."""
    if len(envs) == 1:
        return sb3_vec_env(envs[0])
    if any(e.observation != "rl" for e in envs):
        raise ValueError("train on parallel_env(..., observation='rl')")
    if len({(e.action_shape, e.information) for e in envs}) != 1:
        raise ValueError("the environments must share information and action layout (pad_to)")
    ss = need("supersuit")
    wrapper = need("supersuit.vector.sb3_vector_wrapper").SB3VecEnvWrapper
    concat = need("supersuit.vector").ConcatVecEnv
    parts = [ss.pettingzoo_env_to_vec_env_v1(e) for e in envs]
    venv = concat([lambda part=part: part for part in parts])
    return _wrapper_class()(wrapper(venv))


def _wrapper_class() -> type:
    vec_env = need("stable_baselines3.common.vec_env")

    class MaskFromObservation(vec_env.VecEnvWrapper):  # type: ignore[name-defined]
        """Hand SB3 the ``observation`` vector and answer ``action_masks`` from the
        ``action_mask`` of the same step."""

        def __init__(self, venv: Any):
            super().__init__(venv, observation_space=venv.observation_space["observation"])
            self.masks = np.ones((venv.num_envs, venv.action_space.n), dtype=bool)

        def _split(self, obs: dict[str, np.ndarray]) -> np.ndarray:
            self.masks = obs["action_mask"].astype(bool)
            return obs["observation"]

        def reset(self) -> np.ndarray:
            return self._split(self.venv.reset())

        def step_wait(self) -> tuple[Any, ...]:
            obs, rewards, dones, infos = self.venv.step_wait()
            return self._split(obs), rewards, dones, infos

        def seed(self, seed: int | None = None) -> list[None]:
            """The episodes are the environment's: ``reset(seed=S)`` it before wrapping
            (SuperSuit's concatenated vector environment takes no seed here)."""
            return [None] * self.num_envs

        def action_masks(self) -> list[np.ndarray]:
            return list(self.masks)

        def env_method(self, method_name: str, *args: Any, **kwargs: Any) -> list[Any]:
            if method_name == "action_masks":
                return self.action_masks()
            return self.venv.env_method(method_name, *args, **kwargs)

        def has_attr(self, attr_name: str) -> bool:
            if attr_name == "action_masks":
                return True
            try:
                return bool(self.venv.has_attr(attr_name))
            except AttributeError:  # SuperSuit's vector environment does not say
                return False

        def get_attr(self, attr_name: str, indices: Any = None) -> list[Any]:
            if attr_name == "action_masks":
                return [self.action_masks] * self.num_envs
            return self.venv.get_attr(attr_name, indices)

    return MaskFromObservation


def train_maskable_ppo(
    env: JcacoParallelEnv | list[JcacoParallelEnv],
    total_steps: int,
    *,
    seed: int = 0,
    curve: list[tuple[int, float]] | None = None,
    **ppo: Any,
) -> Any:
    """Train sb3-contrib's ``MaskablePPO`` (``MlpPolicy``, shared by every agent) on ``env``
    (or on several, :func:`sb3_vec_envs`) for ``total_steps`` agent steps (N per slot and
    environment); ``ppo`` goes to ``MaskablePPO``.

    ``curve``, when given, receives one ``(agent steps so far, mean reward per agent step)``
    per rollout (the training curve; the reward is minus the user's service time U_i (13) in
    seconds, 0 when inactive).

    Training writes no files unless ``ppo`` names a ``tensorboard_log`` folder: without one,
    the model logs only to the console (``verbose`` >= 1) or nowhere (:func:`_file_free_logger`).
    """
    contrib = need("sb3_contrib")
    envs = env if isinstance(env, list) else [env]
    for index, each in enumerate(envs):  # the root seeds of the episodes the trainer runs
        each.reset(seed=seed + index)
    with warnings.catch_warnings():  # SB3 asks SuperSuit's wrapper for a render_mode
        warnings.filterwarnings("ignore", "The `render_mode` attribute", UserWarning)
        venv = sb3_vec_envs(envs)
    options = {"n_steps": 64, "batch_size": 256, "learning_rate": 3e-4, "verbose": 0}
    options.update(ppo)
    model = contrib.MaskablePPO("MlpPolicy", venv, seed=seed, **options)
    if options.get("tensorboard_log") is None:  # learn() keeps a logger that was set
        model.set_logger(_file_free_logger(int(options["verbose"])))
    callback = None if curve is None else _curve_callback(curve)
    model.learn(total_timesteps=total_steps, callback=callback)
    return model


def _file_free_logger(verbose: int) -> Any:
    """An SB3 logger with no folder: SB3's console table when ``verbose`` >= 1, else no output.

    Left to itself, ``learn`` gives a model without ``tensorboard_log`` a logger whose folder
    is a new ``SB3-<date and time>`` in the temporary folder (``$SB3_LOGDIR`` if set), made
    even though nothing is written there: an empty folder left behind by every training.
    """
    logger = need("stable_baselines3.common.logger")
    outputs = [logger.HumanOutputFormat(sys.stdout)] if verbose >= 1 else []
    return logger.Logger(folder=None, output_formats=outputs)


def _curve_callback(curve: list[tuple[int, float]]) -> Any:
    callbacks = need("stable_baselines3.common.callbacks")

    class RewardCurve(callbacks.BaseCallback):  # type: ignore[name-defined]
        """Append (agent steps, mean reward per agent step of the rollout) to ``curve``."""

        def _on_step(self) -> bool:
            return True

        def _on_rollout_end(self) -> None:
            rewards = self.model.rollout_buffer.rewards
            curve.append((int(self.num_timesteps), float(np.mean(rewards))))

    return RewardCurve()


def _linear_layers(module: Any) -> list[tuple[np.ndarray, np.ndarray]]:
    nn = need("torch.nn")
    return [
        (m.weight.detach().cpu().numpy(), m.bias.detach().cpu().numpy())
        for m in module.modules()
        if isinstance(m, nn.Linear)
    ]


def _activation_of(module: Any) -> str:
    nn = need("torch.nn")
    kinds = {type(m) for m in module.modules()} & {nn.Tanh, nn.ReLU}
    if len(kinds) != 1:
        raise ValueError("the policy network must use Tanh or ReLU between its layers")
    return "tanh" if nn.Tanh in kinds else "relu"


def save_sb3(model: Any, env: JcacoParallelEnv, path: str | Path, **trainer: Any) -> Path:
    """Save the actor of a trained SB3 policy (its ``mlp_extractor.policy_net`` and
    ``action_net``) for the ``policy`` learner; ``trainer`` is recorded in the sidecar."""
    policy = model.policy
    layers = _linear_layers(policy.mlp_extractor.policy_net) + _linear_layers(policy.action_net)
    num_aps, num_servers = env.action_shape
    return save_policy(
        path,
        layers,
        information=env.information,
        num_aps=num_aps,
        num_servers=num_servers,
        activation=_activation_of(policy.mlp_extractor.policy_net),
        trainer={"stack": "sb3-contrib MaskablePPO", **trainer},
        padded=env.pad_to is not None,
    )


def save_torch_mlp(module: Any, env: JcacoParallelEnv, path: str | Path, **trainer: Any) -> Path:
    """Save a torch MLP (``Linear`` layers with ``Tanh`` or ``ReLU`` between them, observation
    vector in, M K logits out) for the ``policy`` learner."""
    num_aps, num_servers = env.action_shape
    return save_policy(
        path,
        _linear_layers(module),
        information=env.information,
        num_aps=num_aps,
        num_servers=num_servers,
        activation=_activation_of(module),
        trainer=trainer,
        padded=env.pad_to is not None,
    )


def against_masl(env: JcacoParallelEnv, path: str | Path, slots: int, seed: int = 7) -> str:
    """The saved policy at ``path`` and MASL in ``jcaco simulate`` on ``env``'s network, the
    same seed: one line each, the mean total service time (13) over the last 100 slots."""
    from jcaco.sim.simulate import simulate

    lines = []
    for name, params in (("policy", {"path": str(path)}), ("masl", {})):
        trace = simulate([env.network], name, [seed], slots, params=params)
        tail_s = float(trace.total_service_time_s[-100:].mean())
        lines.append(f"{name:>7}: mean total service time, last 100 slots: {tail_s:.1f} s")
    return "\n".join(lines)


__all__ = [
    "EXTRA",
    "against_masl",
    "need",
    "save_sb3",
    "save_torch_mlp",
    "sb3_vec_env",
    "sb3_vec_envs",
    "train_maskable_ppo",
]
