"""One dynamic slot of ``simulate`` against a numpy floor written here (issue 19).

The slot is the body of :func:`jcaco.sim.loop.run_loop` as ``jcaco simulate`` runs it: the
environment advances activity (1), Rayleigh fading (6) and the random walk (O3) and builds the
slot's game, MASL acts on its view (mean-fading times at the current positions), the slot is
scored, MASL observes, and the recorder records the slot's metrics. Two recorder settings:

* ``gap every slot``: the Nash gap of every slot (what ``jcaco simulate`` writes);
* ``no gap``: a slot outside a reproduction's measurement window, where the recorder leaves
  the gap out (``nash_gap_from``; code without it computes the gap anyway).

Where the slot loop has the fused MASL slot (:mod:`jcaco.learners.masl.slot`), the slot is
also timed on the protocol path (``run_loop(fused=False)``: act, score and observe as three
steps) in the same run, without the gap.

The floor (:class:`FloorSlot`) is what no implementation of a slot can avoid: the activity
draws, the fading draws, one random-walk step, the rates (distances, path gain, Shannon rate,
one time per user and AP), the action sampling (two uniforms per user) and one pass over
both strategy arrays, in plain in-place numpy.

Networks: Table III draws with ``--aps`` APs and ``--servers`` servers; one seed, and a batch
of ``--batch`` seeds (one network each) up to ``--batch-max`` users. Each slot is timed in
CPU time of this process (the machine is shared) between consecutive recorder calls; the
table gives medians. Run
``python benchmarks/bench_slot.py [--sizes 100,1000,10000,100000,1000000]``; to time other
code (e.g. a git worktree of an older commit), run it with ``PYTHONPATH=<worktree>/src``.
"""

from __future__ import annotations

import argparse
import inspect
import statistics
import sys
import time
from typing import Any

import numpy as np

import jcaco
from _common import load_average, machine, markdown_table
from jcaco.learners.registry import make_learner
from jcaco.model.build import check_feasible
from jcaco.rng import SeedBatch, stream
from jcaco.scenario.generator import PRESETS, generate_network, with_overrides
from jcaco.scenario.network import Network
from jcaco.sim.environment import DynamicEnvironment
from jcaco.sim.loop import run_loop
from jcaco.sim.recorder import TraceRecorder
from jcaco.units import dbm_per_hz_to_w_per_hz

#: Slots timed per size (the first, which warms the caches, is not counted).
SLOTS = {100: 400, 1_000: 200, 10_000: 60, 100_000: 20, 1_000_000: 8}


def networks(users: int, seeds: list[int], aps: int, servers: int) -> list[Network]:
    config = with_overrides(
        PRESETS["paper"], {"num_users": users, "num_aps": aps, "num_servers": servers}
    )
    return [check_feasible(generate_network(config, stream(s, "scenario")), True)[0] for s in seeds]


def _accepts(fn: Any, name: str) -> bool:
    return name in inspect.signature(fn).parameters


def slot_cpu_s(
    nets: list[Network], seeds: list[int], slots: int, gap: bool, fused: bool | None = None
) -> float:
    """Median CPU time of one slot of MASL in the slot loop, as ``simulate`` runs it [s];
    ``fused=False``: the protocol path (act, score, observe) instead of the fused slot."""
    reuse = {"reuse_buffers": True} if _accepts(DynamicEnvironment, "reuse_buffers") else {}
    env = DynamicEnvironment(nets, seeds, **reuse)
    window = (
        {"nash_gap_from": 0 if gap else slots} if _accepts(TraceRecorder, "nash_gap_from") else {}
    )
    recorder = TraceRecorder(slots, len(seeds), nets[0].num_users, False, **window)
    marks: list[float] = []

    def timed(*args: Any) -> None:
        recorder(*args)
        marks.append(time.process_time())

    path = {} if fused is None else {"fused": fused}
    learner_rng = SeedBatch.from_seeds(seeds, "learner")
    run_loop(env, make_learner("masl"), learner_rng, slots, callback=timed, **path)
    return statistics.median(np.diff(marks[1:]).tolist())


class FloorSlot:
    """The work no slot can avoid, in plain in-place numpy (shown in docs/performance.md)."""

    def __init__(self, nets: list[Network], seeds: list[int]):
        s, n, m, k = len(nets), nets[0].num_users, nets[0].num_aps, nets[0].num_servers
        first = nets[0]
        self.theta = np.stack([net.theta for net in nets])  # [S, N]
        self.xy = np.stack([net.user_xy_m for net in nets]).astype(float)  # [S, N, 2]
        self.ap_xy = np.stack([net.ap_xy_m for net in nets])  # [S, M, 2]
        self.side = np.array([net.area_m for net in nets])[:, None]  # [S, 1]
        self.bandwidth = np.stack([net.bandwidth_hz for net in nets])[:, None, :]  # [S, 1, M]
        self.noise_w = dbm_per_hz_to_w_per_hz(first.noise_dbm_per_hz) * self.bandwidth
        self.bits = np.stack([net.content_bits for net in nets])[..., None]  # [S, N, 1]
        self.power_w, self.alpha = first.tx_power_w, first.path_loss_exponent
        self.streams = [SeedBatch.from_seeds(seeds, name) for name in ("activity", "fading")]
        self.walk, self.learner = (SeedBatch.from_seeds(seeds, x) for x in ("mobility", "learner"))
        self.gain, self.dx, self.dy = (np.empty((s, n, m)) for _ in range(3))
        self.uniform, self.step = np.empty((s, n, 2)), np.empty((s, n))
        self.probs_ap, self.probs_server = np.full((s, n, m), 1 / m), np.full((s, n, k), 1 / k)

    def __call__(self) -> None:
        s, n, m = self.gain.shape
        active = self.streams[0].random((s, n)) < self.theta  # activity a(t)
        _fill(self.streams[1], "standard_exponential", self.gain)  # fading g
        u, step, xy = _fill(self.walk, "random", self.uniform), self.step, self.xy
        radius, angle = 5.0 * np.sqrt(u[..., 0]), 2 * np.pi * u[..., 1]  # one walk step
        for c, trig in enumerate((np.cos, np.sin)):
            np.multiply(radius, trig(angle, out=step), out=step)
            np.add(xy[..., c], step, out=xy[..., c])
            np.abs(xy[..., c], out=xy[..., c])  # reflected at 0 and at the side
            np.subtract(self.side, np.abs(np.subtract(self.side, xy[..., c])), out=xy[..., c])
        dx, dy = self.dx, self.dy  # rates: distances, path gain, Shannon rate, times
        np.subtract(xy[:, :, None, 0], self.ap_xy[:, None, :, 0], out=dx)
        np.subtract(xy[:, :, None, 1], self.ap_xy[:, None, :, 1], out=dy)
        np.multiply(dx, dx, out=dx)
        np.add(dx, np.multiply(dy, dy, out=dy), out=dx)
        np.power(dx, -self.alpha / 2, out=dx)  # d^-α from d²
        np.multiply(dx, self.gain, out=dx)
        np.multiply(dx, self.power_w / self.noise_w, out=dx)
        np.log2(np.add(dx, 1.0, out=dx), out=dx)
        np.divide(self.bits, np.multiply(dx, self.bandwidth, out=dx), out=dx)
        self.learner.random((s, n))  # action sampling: an AP and a server per user
        self.learner.random((s, n))
        np.multiply(self.probs_ap, 1.0, out=self.probs_ap)  # one pass over the strategies
        np.multiply(self.probs_server, 1.0, out=self.probs_server)
        del active


def _fill(batch: SeedBatch, method: str, out: np.ndarray) -> np.ndarray:
    """Each seed's generator draws its row of ``out`` in place."""
    for generator, row in zip(batch.generators, out.reshape(len(out), -1), strict=True):
        getattr(generator, method)(out=row)
    return out


def floor_cpu_s(nets: list[Network], seeds: list[int], slots: int) -> float:
    """Median CPU time of one :class:`FloorSlot` [s]."""
    floor = FloorSlot(nets, seeds)
    floor()
    times = []
    for _ in range(max(3, slots)):
        start = time.process_time()
        floor()
        times.append(time.process_time() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000,100000,1000000")
    parser.add_argument("--batch", type=int, default=20, help="Seeds of the batched rows.")
    parser.add_argument("--batch-max", type=int, default=10_000, help="Largest batched N.")
    parser.add_argument("--aps", type=int, default=10)
    parser.add_argument("--servers", type=int, default=10)
    parser.add_argument("--slots-scale", type=float, default=1.0, help="Scales SLOTS.")
    args = parser.parse_args()
    rows = []
    for users in (int(x) for x in args.sizes.split(",")):
        slots = max(4, int(SLOTS.get(users, 20) * args.slots_scale))
        for count in (1, args.batch):
            if count > 1 and users > args.batch_max:
                continue
            seeds = list(range(1, count + 1))
            nets = networks(users, seeds, args.aps, args.servers)
            slot_cpu_s(nets, seeds, 3, True)  # warm-up (compiled kernels)
            every = slot_cpu_s(nets, seeds, slots, True)
            no_gap = slot_cpu_s(nets, seeds, slots, False)
            floor = floor_cpu_s(nets, seeds, slots)
            user_slots = users * count
            protocol = ["-", "-"]
            if _accepts(run_loop, "fused"):  # the same code's protocol path, same run
                alone = slot_cpu_s(nets, seeds, slots, False, fused=False)
                protocol = [f"{alone * 1e3:.3g}", f"{no_gap / alone:.2f}"]
            rows.append(
                [
                    f"{users:,}",
                    str(count),
                    f"{every * 1e3:.3g}",
                    f"{no_gap * 1e3:.3g}",
                    f"{floor * 1e3:.3g}",
                    f"{every / floor:.2f}",
                    f"{no_gap / floor:.2f}",
                    f"{every / user_slots * 1e6:.3f}",
                    f"{no_gap / user_slots * 1e6:.3f}",
                    *protocol,
                ]
            )
            print(f"  {users} users x {count}: {rows[-1][2:]}", file=sys.stderr)
    header = [
        "N",
        "seeds",
        "slot CPU [ms] (gap every slot)",
        "slot CPU [ms] (no gap)",
        "floor CPU [ms]",
        "slot / floor",
        "no gap / floor",
        "µs per user-slot",
        "µs per user-slot, no gap",
        "protocol path, no gap [ms]",
        "no gap: fused / protocol",
    ]
    print(markdown_table(header, rows))
    print(f"\ncode: {jcaco.__file__}; machine: {machine()}; load average {load_average()}")
    print(f"command: {' '.join([sys.executable.rsplit('/', 1)[-1], *sys.argv])}")


if __name__ == "__main__":
    main()
