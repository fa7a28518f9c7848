"""Simulate one algorithm on a batch of seeds over T time slots.

This module is the contract between ``sim/`` and ``experiments/``: :class:`DynamicsConfig`,
:class:`Trace` and :func:`simulate`. All seeds run as one batch (``[seeds, users, ...]``
arrays) and every random draw comes from the seed's own named stream through a
:class:`jcaco.rng.SeedBatch` (``activity``, ``fading``, ``mobility``, ``learner``), so

* a seed's trace is identical, byte for byte, whether it runs alone or in a batch, and
* two algorithms run with the same seeds and networks see the same activity, fading and
  mobility draws (common random numbers; the dynamics never read the learners' actions).

With the dynamics off (``DynamicsConfig(fading="mean", mobility=False)``, :data:`STATIC`) the
slot's game is the network's mean-fading game and only the activity is redrawn: the static
stochastic game that :func:`jcaco.jobs.solve.solve` plays, through the same slot loop and the
same named streams, so ``masl`` (and every learner that does not see the others' activity)
makes the same moves in both (``tests/test_sim_simulate.py``). One difference is by design: in
a simulation the learners that declare everybody's activity (``br``, ``br-sync``,
``br-oracle``, ``fp-empirical``) play each slot's *realised* game (load weights a(t), (8),
(11)), while ``solve`` has them play the expected game (weights θ).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from jcaco.io import files
from jcaco.learners.base import Learner
from jcaco.learners.registry import make_learner
from jcaco.rng import SeedBatch, check_seed
from jcaco.scenario.network import Network
from jcaco.sim.dynamics import STATIC, DynamicsConfig
from jcaco.sim.environment import DynamicEnvironment
from jcaco.sim.loop import run_loop
from jcaco.sim.recorder import METRICS, Trace, TraceRecorder
from jcaco.types import FloatArray


def algorithm_name(algorithm: str | Callable[..., Learner]) -> str:
    """The registry name of ``algorithm`` (a learner class's ``name``, else its repr)."""
    if isinstance(algorithm, str):
        return algorithm
    return str(getattr(algorithm, "name", "") or getattr(algorithm, "__name__", algorithm))


def simulate(
    networks: Sequence[Network],
    algorithm: str | Callable[..., Learner],
    seeds: Sequence[int],
    slots: int,
    *,
    params: Mapping[str, Any] | None = None,
    dynamics: DynamicsConfig = DynamicsConfig(),  # noqa: B008 (frozen, immutable)
    record_users: bool = False,
    user_sink: Callable[[int, FloatArray], None] | None = None,
    nash_gap_from: int = 0,
    prefetch: bool | None = None,
) -> Trace:
    """Run ``algorithm`` for ``slots`` slots on every (network, seed) pair as one batch:
    :func:`jcaco.api.simulate` (which documents the options) on one network per seed.

    Parameters
    ----------
    networks : sequence of Network
        One per seed, all with the same N, M, K (O6: each seed has its own drawn network).
    seeds : sequence of int
        Root seeds, ``len(seeds) == len(networks)``.
    nash_gap_from : int
        The first slot whose Nash gap the trace holds (NaN before it; a pass over every
        user's times per slot, so a reproduction asks only for its measurement window).
    prefetch : bool, optional
        Make each next slot's environment (draws, walk, channel) in a second thread while
        the learner works on this one (:class:`DynamicEnvironment`'s ``prefetch``: the same
        numbers). Default (None): on when a slot's ``(S, N, M)`` arrays hold at least
        :data:`PREFETCH_FROM_ELEMENTS` entries and the process may use two or more CPUs
        (a reproduction's slots are far smaller: its workers stay one thread each).
    """
    if isinstance(slots, bool) or not isinstance(slots, int | np.integer) or slots < 1:
        raise ValueError(f"slots must be an integer >= 1, got {slots!r}")
    slots = int(slots)
    seeds = tuple(check_seed(s) for s in seeds)
    learner = make_learner(algorithm, params)
    if prefetch is None:
        prefetch = wants_prefetch(networks, dynamics)
    env = DynamicEnvironment(networks, seeds, dynamics, reuse_buffers=True, prefetch=prefetch)
    try:
        game = env.initial()
        recorder = TraceRecorder(
            slots, len(seeds), game.num_users, record_users, user_sink, nash_gap_from=nash_gap_from
        )
        outcome = run_loop(
            env, learner, SeedBatch.from_seeds(list(seeds), "learner"), slots, callback=recorder
        )
    finally:
        env.close()
    return recorder.trace(algorithm_name(algorithm), seeds, outcome.profile)


#: Entries of a slot's ``(S, N, M)`` arrays from which :func:`simulate` prefetches the next
#: slot in a second thread by default (2^21: e.g. 2 x 10^5 users at 10 APs; at a
#: reproduction's 30 users x 10 APs x 20 seeds a thread's hand-over would cost more than
#: the whole environment pass).
PREFETCH_FROM_ELEMENTS = 1 << 21


def wants_prefetch(networks: Sequence[Network], dynamics: DynamicsConfig) -> bool:
    """Whether :func:`simulate` prefetches slots by default: large slots with changing times
    and two or more CPUs this process may use."""
    if dynamics.static or not networks:
        return False
    net = networks[0]
    elements = len(networks) * net.num_users * net.num_aps
    if hasattr(os, "sched_getaffinity"):
        cpus = len(os.sched_getaffinity(0))
    else:  # macOS, Windows
        cpus = os.cpu_count() or 1
    return elements >= PREFETCH_FROM_ELEMENTS and cpus >= 2


def provenance(seeds: Sequence[int]) -> dict[str, Any]:
    """Root seeds, package version and git revision, to store beside
    results (docs/architecture.md)."""
    return {"root_seeds": list(seeds), **files.provenance()}


__all__ = [
    "DynamicsConfig",
    "STATIC",
    "Trace",
    "METRICS",
    "simulate",
    "wants_prefetch",
    "PREFETCH_FROM_ELEMENTS",
    "provenance",
]
