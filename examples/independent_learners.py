"""Independent bandit learners in the JCACO PettingZoo environment, against MASL.

Every user is an agent with its own table of action values over its (AP, server) pairs, and
learns only from its own reward (minus its realised service time (13)) in the slots it was
active: an epsilon-greedy learner and a UCB1 learner, numpy only. Each runs one episode of T
slots per seed in ``jcaco.env`` (activity, Rayleigh fading and the random walk on, as
``jcaco simulate``); MASL runs through ``jcaco.simulate`` on the same network and seeds, so
all three see the same activity, fading and mobility draws. The plot shows the realised total
service time per slot (a moving average), the mean over the seeds.

Run (a few seconds)::

    pip install 'jcaco[env]'
    python examples/independent_learners.py [--slots 2000] [--seeds 3] [-o env_example]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import jcaco
from jcaco.env import parallel_env
from jcaco.rng import stream


class EpsilonGreedyAgent:
    """Sample-average action values; explore a uniformly drawn legal action w.p. epsilon."""

    def __init__(self, num_actions: int, rng: np.random.Generator, epsilon: float = 0.05):
        self.values = np.zeros(num_actions)  # mean reward of each action (optimistic start: 0)
        self.counts = np.zeros(num_actions)
        self.rng, self.epsilon = rng, epsilon

    def act(self, mask: np.ndarray) -> int:
        legal = np.flatnonzero(mask)
        if self.rng.random() < self.epsilon:
            return int(self.rng.choice(legal))
        return int(legal[np.argmax(self.values[legal])])

    def learn(self, action: int, reward: float) -> None:
        self.counts[action] += 1
        self.values[action] += (reward - self.values[action]) / self.counts[action]


class UCBAgent(EpsilonGreedyAgent):
    """UCB1 on rewards scaled by the agent's worst reward seen so far."""

    def __init__(self, num_actions: int, rng: np.random.Generator, bonus: float = 0.5):
        super().__init__(num_actions, rng, epsilon=0.0)
        self.bonus, self.plays, self.scale = bonus, 0, 1e-9

    def act(self, mask: np.ndarray) -> int:
        legal = np.flatnonzero(mask)
        untried = legal[self.counts[legal] == 0]
        if untried.size:
            return int(untried[0])
        width = np.sqrt(np.log(max(self.plays, 1)) / self.counts[legal])
        return int(legal[np.argmax(self.values[legal] / self.scale + self.bonus * width)])

    def learn(self, action: int, reward: float) -> None:
        self.plays += 1
        self.scale = max(self.scale, -reward)
        super().learn(action, reward)


def run_episode(net, seed: int, slots: int, agent_class) -> np.ndarray:
    """One episode of independent ``agent_class`` learners; the per-slot total [s]."""
    env = parallel_env(net, max_cycles=slots, information="own")
    observations, _ = env.reset(seed=seed)
    rng = stream(seed, "learner")  # the agents' exploration draws: the seed's learner stream
    size = env.action_space(env.possible_agents[0]).n
    agents = {name: agent_class(size, rng) for name in env.possible_agents}
    while env.agents:
        actions = {name: agents[name].act(observations[name]["action_mask"]) for name in env.agents}
        observations, rewards, _, _, infos = env.step(actions)
        for name, action in actions.items():
            if infos[name]["rewarded"] and infos[name]["legal"]:  # active: a real reward
                agents[name].learn(action, rewards[name])
    return env.trace().total_service_time_s[:, 0]


def moving_average(values: np.ndarray, window: int) -> np.ndarray:
    """Trailing mean over ``window`` slots (shorter at the start)."""
    sums = np.cumsum(np.insert(values, 0, 0.0))
    starts = np.maximum(np.arange(1, values.size + 1) - window, 0)
    return (sums[1:] - sums[starts]) / (np.arange(1, values.size + 1) - starts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slots", type=int, default=2000)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("-o", "--output", default="env_example")
    args = parser.parse_args()
    net = jcaco.generate(seed=0)  # the paper's network: 30 users, 5 APs, 5 servers
    seeds = list(range(1, args.seeds + 1))
    totals = {
        "MASL (b = 0.05)": jcaco.simulate(
            net,
            "masl",
            seed=seeds,
            slots=args.slots,
            params={"learning_rate_ap": 0.05, "learning_rate_server": 0.05},
        ).total_service_time_s.mean(axis=1),
        "epsilon-greedy": np.mean(
            [run_episode(net, s, args.slots, EpsilonGreedyAgent) for s in seeds], axis=0
        ),
        "UCB1": np.mean([run_episode(net, s, args.slots, UCBAgent) for s in seeds], axis=0),
    }
    window = max(1, min(100, args.slots // 4))
    print(f"mean total service time over the last {window} slots, {len(seeds)} seeds:")
    for label, total in totals.items():
        print(f"  {label:<16} {total[-window:].mean():8.2f} s")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    for label, total in totals.items():
        ax.plot(moving_average(total, window), label=label)
    ax.set_xlabel("Slot")
    ax.set_ylabel(f"Total service time (s), moving average of {window}")
    ax.set_title("Independent bandit learners vs MASL (same seeds)")
    ax.legend()
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(out / "independent_learners.png", dpi=120)
    print(f"wrote {out / 'independent_learners.png'}")


if __name__ == "__main__":
    main()
