"""The PettingZoo environment's overhead: one step against one slot of ``jcaco simulate``.

On the paper's network (Table III, 5 APs, 5 servers) at 30 and at 10^4 users, every dynamic
on, MASL deciding in both:

* ``simulate``: :func:`jcaco.sim.simulate.simulate` over T slots, per slot;
* ``env step``: the same MASL driven through :class:`jcaco.env.JcacoParallelEnv` (its view
  from ``env.view``, its profile turned into the agents' action dict, ``env.step``, its
  feedback from ``env.feedback``), per step: the same slots, bit for bit
  (``tests/test_env.py``), plus the environment's own work: decoding the action dict,
  building one observation dict per agent, and the reward, termination, truncation and
  info dicts;
* ``ratio``: env step over simulate slot, measured in the same run (target: at most 2 at 30
  users). ``per agent`` is the difference divided by N;
* ``rl``: the same with ``observation="rl"`` (the flat float32 vector and mask per agent that
  trainers use, :mod:`jcaco.learners.policy_features`); ``agent steps/s`` is N over its step.

CPU time of this process (the machine is shared), the least of ``--repeats`` interleaved runs
after a warm-up. Run
``python benchmarks/bench_env.py [--slots 400] [--large-slots 20] [--repeats 3]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

from _common import load_average, machine, markdown_table
from jcaco.env import parallel_env
from jcaco.learners.masl import MASL
from jcaco.rng import SeedBatch, stream
from jcaco.scenario.generator import PRESETS, generate_network, with_overrides
from jcaco.scenario.network import Network
from jcaco.sim.simulate import simulate

SEED = 1


def _cpu_s(fn: Callable[[], None]) -> float:
    """CPU time of one call of ``fn()`` [s]."""
    start = time.process_time()
    fn()
    return time.process_time() - start


def _network(users: int) -> Network:
    config = with_overrides(PRESETS["paper"], {"num_users": users})
    return generate_network(config, stream(SEED, "scenario"))


def _through_env(net: Network, slots: int, observation: str = "dict") -> None:
    env = parallel_env(net, max_cycles=slots, information="masl", observation=observation)
    env.reset(seed=SEED)
    learner = MASL()
    learner.reset(env.setup(learner.declares()), SeedBatch.from_seeds([SEED], "learner"))
    while env.agents:
        profile = learner.act(env.view(learner.declares()))
        env.step(env.actions_of(profile))
        assert env.feedback is not None
        learner.observe(profile, env.feedback)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slots", type=int, default=400, help="Slots at 30 users.")
    parser.add_argument("--large-slots", type=int, default=20, help="Slots at 10^4 users.")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rows = []
    for users, slots in ((30, args.slots), (10_000, args.large_slots)):
        net = _network(users)
        simulate([net], "masl", [SEED], 3)  # warm up (numba kernels, caches)
        _through_env(net, 3)
        _through_env(net, 3, "rl")
        sim_runs, env_runs, rl_runs = [], [], []
        for _ in range(args.repeats):  # interleaved, so that all see the same load
            sim_runs.append(_cpu_s(lambda: simulate([net], "masl", [SEED], slots)))  # noqa: B023
            env_runs.append(_cpu_s(lambda: _through_env(net, slots)))  # noqa: B023
            rl_runs.append(_cpu_s(lambda: _through_env(net, slots, "rl")))  # noqa: B023
        sim_s, env_s, rl_s = min(sim_runs), min(env_runs), min(rl_runs)
        per_slot, per_step, per_rl = sim_s / slots, env_s / slots, rl_s / slots
        rows.append(
            [
                str(users),
                str(slots),
                f"{per_slot * 1e3:.3f}",
                f"{per_step * 1e3:.3f}",
                f"{per_step / per_slot:.2f}",
                f"{(per_step - per_slot) / users * 1e6:.2f}",
                f"{per_rl * 1e3:.3f}",
                f"{per_rl / per_slot:.2f}",
                f"{users / per_rl:.0f}",
            ]
        )
    header = ["users N", "slots", "simulate ms/slot", "env ms/step", "ratio", "per agent µs"]
    header += ["rl env ms/step", "rl ratio", "rl agent steps/s"]
    print(markdown_table(header, rows))
    print(f"\nmachine: {machine()}; load average {load_average()}")
    print(f"command: {' '.join([sys.executable.rsplit('/', 1)[-1], *sys.argv])}")


if __name__ == "__main__":
    main()
