"""The time-slotted environment: dynamics advanced per slot, the slot's game built per batch.

:class:`DynamicEnvironment` is an :class:`jcaco.sim.loop.Environment` over a batch of seeds,
each with its own network (docs/model.md O6). Each slot it advances activity (1), fading (6) and
mobility (O3) (:mod:`jcaco.sim.dynamics`) and builds the slot's batched
:class:`GameInstance` with the math of :func:`jcaco.model.build.build_instance`, vectorised
over seeds: the times that never change (computation (10) at the steps (37), θ) are built
once, and only the transmission times (6)–(7) are rebuilt, from the positions and gains.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np

from jcaco.model.build import build_instance
from jcaco.model.channel import rates_bps, tx_times_s
from jcaco.model.instance import GameInstance, stack_instances
from jcaco.rng import SeedBatch
from jcaco.scenario.network import Network
from jcaco.sim.dynamics import (
    DynamicsConfig,
    initial_state,
    step_activity,
    step_fading,
    step_mobility,
)
from jcaco.sim.loop import Environment, Slot
from jcaco.types import FloatArray

#: Scalar radio parameters the batched channel shares across seeds.
SHARED_RADIO = ("path_loss_exponent", "noise_dbm_per_hz", "tx_power_w", "min_distance_m")


def check_batch(networks: Sequence[Network], seeds: Sequence[int]) -> None:
    """Raise ``ValueError`` unless the networks can run as one batch of ``seeds``."""
    if len(networks) == 0:
        raise ValueError("need at least one network")
    if len(networks) != len(seeds):
        raise ValueError(f"need one network per seed, got {len(networks)} and {len(seeds)}")
    first = networks[0]
    shape = (first.num_users, first.num_aps, first.num_servers)
    for s, net in enumerate(networks):
        if (net.num_users, net.num_aps, net.num_servers) != shape:
            raise ValueError(
                f"networks[{s}] has (N, M, K) = "
                f"{(net.num_users, net.num_aps, net.num_servers)}, networks[0] {shape}"
            )
        for name in SHARED_RADIO:
            if getattr(net, name) != getattr(first, name):
                raise ValueError(f"networks[{s}].{name} differs from networks[0]'s")


def batched_distances_m(
    user_xy_m: FloatArray, ap_xy_m: FloatArray, min_distance_m: float
) -> FloatArray:
    """User–AP distances of a batch, floored at ``min_distance_m`` (docs/model.md (6), O17).

    ``user_xy_m`` is ``(S, N, 2)``, ``ap_xy_m`` ``(S, M, 2)``; returns ``(S, N, M)`` [m].
    """
    # [S, N, M] per coordinate (a sum over a length-2 last axis is slow in numpy); in place,
    # so a slot of 10^6 users holds two such arrays, not five
    dx = user_xy_m[:, :, None, 0] - ap_xy_m[:, None, :, 0]
    dy = user_xy_m[:, :, None, 1] - ap_xy_m[:, None, :, 1]
    np.multiply(dx, dx, out=dx)
    np.multiply(dy, dy, out=dy)
    np.add(dx, dy, out=dx)
    del dy
    np.sqrt(dx, out=dx)
    return np.maximum(dx, min_distance_m, out=dx)


class DynamicEnvironment(Environment):
    """Slots of a time-varying JCACO game, one network and one root seed per batch row.

    Parameters
    ----------
    networks : sequence of Network
        One per seed, all with the same N, M, K and radio constants (each user must have a
        feasible server, :func:`jcaco.model.build.check_feasible`).
    seeds : sequence of int
        Root seeds; the ``activity``, ``fading`` and ``mobility`` streams of each.
    dynamics : DynamicsConfig
        Which dynamics run.

    Notes
    -----
    :meth:`initial` is the mean-fading game at the initial positions (what MASL's O9
    normalisers are computed on). Every slot, slot 0 included, first advances the dynamics and
    then builds its game; the slot's :attr:`Slot.weight` is the realised a(t), so
    complete-information learners play the slot's realised game (8), (11).
    """

    def __init__(
        self,
        networks: Sequence[Network],
        seeds: Sequence[int],
        dynamics: DynamicsConfig = DynamicsConfig(),  # noqa: B008 (frozen, immutable)
    ):
        check_batch(networks, seeds)
        self.config = dynamics
        self.seeds = tuple(int(s) for s in seeds)
        first = networks[0]
        self._radio = {name: getattr(first, name) for name in SHARED_RADIO}
        self._initial = stack_instances([build_instance(net) for net in networks])
        self._ap_xy_m = np.stack([net.ap_xy_m for net in networks])  # [S, M, 2]
        self._bandwidth_hz = np.stack([net.bandwidth_hz for net in networks])[:, None, :]
        self._content_bits = np.stack([net.content_bits for net in networks])  # [S, N]
        self._streams = {
            name: SeedBatch.from_seeds(list(self.seeds), name)
            for name in ("activity", "fading", "mobility")
        }
        self.state = initial_state(
            theta=self._initial.theta,
            area_m=np.array([net.area_m for net in networks], dtype=float),
            user_xy_m=np.stack([net.user_xy_m for net in networks]).astype(float),
            num_aps=first.num_aps,
        )
        assert self._initial.distance_m is not None
        self._distance_m: FloatArray = self._initial.distance_m  # [S, N, M]

    def initial(self) -> GameInstance:
        """The mean-fading game at the initial positions (batched ``(S, ...)``)."""
        return self._initial

    def slot(self, index: int) -> Slot:
        """Advance activity, fading and mobility, then build slot ``index``'s game."""
        config, streams = self.config, self._streams
        state = step_activity(self.state, config, streams["activity"])
        state = step_fading(state, config, streams["fading"])
        state = step_mobility(state, config, streams["mobility"])
        self.state = state
        if config.static:
            game = self._initial
        else:
            game = self._build(state.user_xy_m, state.fading_gain)
        mean_tx = None
        if config.fading != "mean":  # bound to this slot's positions, computed on demand
            mean_tx = functools.partial(self._mean_tx_time_s, self._distance_m)
        return Slot(index, game, state.active, state.active.astype(float), game.distance_m, mean_tx)

    def _tx_time_s(self, distance_m: FloatArray, fading_gain: FloatArray | float) -> FloatArray:
        """Standalone transmission times (6)–(7), ``(S, N, M)`` [s]."""
        rate = rates_bps(
            distance_m,
            self._bandwidth_hz,
            fading_gain,
            tx_power_w=self._radio["tx_power_w"],
            noise_dbm_per_hz=self._radio["noise_dbm_per_hz"],
            path_loss_exponent=self._radio["path_loss_exponent"],
        )
        return tx_times_s(self._content_bits, rate)

    def _mean_tx_time_s(self, distance_m: FloatArray) -> FloatArray:
        """The times at the mean fading g = 1 and the slot's positions (what a learner that
        declares ``channel="mean"`` sees); without mobility, those of :meth:`initial`."""
        if not self.config.mobility:
            return self._initial.tx_time_s
        return self._tx_time_s(distance_m, 1.0)

    def _build(self, user_xy_m: FloatArray, fading_gain: FloatArray) -> GameInstance:
        """The slot's game: new transmission times (6)–(7), everything else kept."""
        if self.config.mobility:
            self._distance_m = batched_distances_m(
                user_xy_m, self._ap_xy_m, self._radio["min_distance_m"]
            )
        init = self._initial
        return GameInstance(
            theta=init.theta,
            tx_time_s=self._tx_time_s(self._distance_m, fading_gain),
            compute_time_s=init.compute_time_s,
            steps=init.steps,
            distance_m=self._distance_m,
            capacity_flops=init.capacity_flops,
        )


__all__ = ["DynamicEnvironment", "batched_distances_m", "check_batch"]
