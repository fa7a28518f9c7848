"""Parameter-shared MaskablePPO (sb3-contrib) over SuperSuit, then the trained policy in
``jcaco.simulate`` beside MASL.

Every user is one entry of SuperSuit's vector environment, so one network acts for all users
(parameter sharing); MaskablePPO masks the infeasible servers (and the held action of an
inactive user) with the ``action_mask`` of the RL observation. The policy sees what MASL sees
(``information="masl"``: its own activity bit and mean-fading times). The saved policy
(``policy.npz`` + ``policy.json``) runs wherever an algorithm name works:
``jcaco simulate net.json -a policy --param path=policy.npz``.

Run (a few minutes on 2 cores at the defaults)::

    pip install 'jcaco[rl]'
    python examples/sb3_maskable_ppo.py [--steps 30000] [--slots 500] [-o sb3_example]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import jcaco
from jcaco.env import parallel_env
from jcaco.env.training import against_masl, save_sb3, train_maskable_ppo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30000, help="agent steps to train")
    parser.add_argument("--slots", type=int, default=500, help="slots of the comparison")
    parser.add_argument("-o", "--output", default="sb3_example")
    args = parser.parse_args()
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    network = jcaco.generate(seed=0)  # the paper's network (Table III), seed 0
    env = parallel_env(network, max_cycles=200, information="masl", observation="rl")
    model = train_maskable_ppo(env, args.steps, seed=1)
    path = save_sb3(model, env, out / "policy.npz", total_steps=args.steps)
    print(f"saved {path} and {path.with_suffix('.json')}")
    print(against_masl(env, path, args.slots))


if __name__ == "__main__":
    main()
