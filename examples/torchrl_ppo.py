"""Parameter-shared PPO with TorchRL on the RL observation, then the policy in ``jcaco.simulate``.

TorchRL's ``PettingZooWrapper`` (``use_mask=True``) groups the users as ``"user"`` and reads
the ``action_mask`` of the RL observation; one MLP acts for every user through TorchRL's
``MaskedCategorical``; ``ClipPPOLoss`` with GAE trains it (the TorchRL multi-agent PPO recipe).
The actor is then saved for jcaco's ``policy`` learner (``jcaco.env.training.save_torch_mlp``).

Run (a few minutes on 2 cores at the defaults)::

    pip install 'jcaco[rl]'
    python examples/torchrl_ppo.py [--frames 20000] [--slots 500] [-o torchrl_example]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch
from tensordict.nn import TensorDictModule
from torch import nn
from torchrl.collectors import Collector
from torchrl.data import LazyTensorStorage, ReplayBuffer, SamplerWithoutReplacement
from torchrl.envs import PettingZooWrapper
from torchrl.modules import MLP, MaskedCategorical, ProbabilisticActor, ValueOperator
from torchrl.objectives import ClipPPOLoss, ValueEstimators

import jcaco
from jcaco.env import parallel_env
from jcaco.env.training import against_masl, save_torch_mlp

GROUP = "user"
OBS = (GROUP, "observation", "observation")


def train(env_jcaco, frames: int, seed: int = 1, frames_per_batch: int = 1000):
    """PPO on ``env_jcaco`` (``observation="rl"``) for ``frames`` slots; returns the actor MLP."""
    torch.manual_seed(seed)
    env = PettingZooWrapper(env_jcaco, use_mask=True, categorical_actions=True, seed=seed)
    size = env.observation_spec[OBS].shape[-1]
    actions = env.full_action_spec[GROUP, "action"].space.n
    actor_net = MLP(in_features=size, out_features=actions, num_cells=[64, 64],
                    activation_class=nn.Tanh)  # fmt: skip
    actor = ProbabilisticActor(
        TensorDictModule(actor_net, in_keys=[OBS], out_keys=[(GROUP, "logits")]),
        spec=env.full_action_spec[GROUP, "action"],
        in_keys={"logits": (GROUP, "logits"), "mask": (GROUP, "action_mask")},
        out_keys=[env.action_key],
        distribution_class=MaskedCategorical,
        return_log_prob=True,
    )
    critic = ValueOperator(
        MLP(in_features=size, out_features=1, num_cells=[64, 64], activation_class=nn.Tanh),
        in_keys=[OBS],
        out_keys=[(GROUP, "state_value")],
    )
    collector = Collector(env, actor, frames_per_batch=frames_per_batch,
                                  total_frames=frames)  # fmt: skip
    buffer = ReplayBuffer(storage=LazyTensorStorage(frames_per_batch),
                          sampler=SamplerWithoutReplacement(), batch_size=250)  # fmt: skip
    loss = ClipPPOLoss(actor_network=actor, critic_network=critic, entropy_coeff=0.01)
    loss.set_keys(
        reward=env.reward_key,
        action=env.action_key,
        value=(GROUP, "state_value"),
        done=(GROUP, "done"),
        terminated=(GROUP, "terminated"),
    )
    loss.make_value_estimator(ValueEstimators.GAE, gamma=0.99, lmbda=0.95)
    optimiser = torch.optim.Adam(loss.parameters(), lr=3e-4)
    for batch in collector:
        with torch.no_grad():
            loss.value_estimator(batch, params=loss.critic_network_params,
                                 target_params=loss.target_critic_network_params)  # fmt: skip
        buffer.extend(batch.reshape(-1))
        for _ in range(4):
            for minibatch in buffer:
                parts = loss(minibatch)
                total = parts["loss_objective"] + parts["loss_critic"] + parts["loss_entropy"]
                optimiser.zero_grad()
                total.backward()
                nn.utils.clip_grad_norm_(loss.parameters(), 1.0)
                optimiser.step()
        collector.update_policy_weights_()
    collector.shutdown()
    return actor_net


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", default="torchrl_example")
    parser.add_argument("--frames", type=int, default=20000, help="slots to train")
    parser.add_argument("--slots", type=int, default=500, help="slots of the comparison")
    args = parser.parse_args()
    # the paper's network (Table III), seed 0; the policy sees what MASL sees
    env = parallel_env(jcaco.generate(seed=0), max_cycles=200, information="masl",
                       observation="rl")  # fmt: skip
    actor_net = train(env, args.frames)
    out = Path(args.output)
    path = save_torch_mlp(actor_net, env, out / "policy.npz", stack="torchrl ClipPPOLoss",
                          frames=args.frames)  # fmt: skip
    print(f"saved {path} and {path.with_suffix('.json')}")
    print(against_masl(env, path, args.slots))


if __name__ == "__main__":
    main()
