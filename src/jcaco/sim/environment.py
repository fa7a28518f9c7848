"""The time-slotted environment: dynamics advanced per slot, the slot's game built per batch.

:class:`DynamicEnvironment` is an :class:`jcaco.sim.loop.Environment` over a batch of seeds,
each with its own network (docs/model.md O6). Each slot it advances activity (1), fading (6) and
mobility (O3) (:mod:`jcaco.sim.dynamics`) and builds the slot's batched
:class:`GameInstance` with the math of :func:`jcaco.model.build.build_instance`, vectorised
over seeds: the times that never change (computation (10) at the steps (37), θ) are built
once, and only the transmission times (6)–(7) are rebuilt, from the positions and gains, in
one pass over the users (:class:`jcaco.sim.slot_channel.SlotChannel`) that also makes the
mean-fading times when the consumer declared them (:meth:`DynamicEnvironment.declare`).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np

from jcaco.learners.information import Information
from jcaco.learners.views import needs_mean_tx
from jcaco.model.build import build_instance
from jcaco.model.instance import GameInstance, stack_instances
from jcaco.rng import SeedBatch
from jcaco.scenario.network import Network
from jcaco.sim.dynamics import (
    DrawAhead,
    DynamicsConfig,
    DynamicState,
    WalkBuffers,
    initial_state,
    step_activity,
    step_fading,
    step_mobility,
)
from jcaco.sim.loop import Environment, Slot
from jcaco.sim.slot_channel import SlotChannel, batched_distances_into
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
    """User–AP distances of a batch, floored at ``min_distance_m`` (docs/model.md (6)).

    ``user_xy_m`` is ``(S, N, 2)``, ``ap_xy_m`` ``(S, M, 2)``; returns a new ``(S, N, M)``
    array [m] (:func:`jcaco.sim.slot_channel.batched_distances_into` fills given buffers).
    """
    shape = (user_xy_m.shape[0], user_xy_m.shape[1], ap_xy_m.shape[1])
    return batched_distances_into(
        user_xy_m, ap_xy_m, min_distance_m, np.empty(shape), np.empty(shape)
    )


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
    reuse_buffers : bool
        Make every ``(S, N, M)`` array of a slot (fading gains, distances, both sets of
        times) and the random walk's arrays once and write each slot over them: no per-slot
        allocation, memory flat over slots, the same numbers; a slot's arrays are then valid
        until the next :meth:`slot` (``simulate`` runs so). Default: new arrays every slot.
    prefetch : bool
        With ``reuse_buffers``: make slot t + 1 in a background thread while the caller
        works on slot t (two sets of buffers, taken in turns; the same draws in the same
        order per stream, so the same slots). numpy releases the GIL in its random fills and
        in its ufuncs on large arrays, so on two cores the environment's pass overlaps the
        learner's; it pays for large slots only (:func:`jcaco.sim.simulate.simulate` turns
        it on from :data:`PREFETCH_FROM_ELEMENTS`). Calls of :meth:`slot` must then come in
        order (0, 1, 2, ...), and one slot past the last asked for is made and dropped.

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
        *,
        reuse_buffers: bool = False,
        prefetch: bool = False,
    ):
        check_batch(networks, seeds)
        if prefetch and not reuse_buffers:
            raise ValueError("prefetch needs reuse_buffers=True")
        self.reuse = reuse_buffers
        self.config = dynamics
        self.seeds = tuple(int(s) for s in seeds)
        first = networks[0]
        self._radio = {name: getattr(first, name) for name in SHARED_RADIO}
        self._initial = stack_instances([build_instance(net) for net in networks])
        self._streams = {  # each stream's draws made a few slots ahead (the same numbers)
            name: DrawAhead(SeedBatch.from_seeds(list(self.seeds), name))
            for name in ("activity", "fading", "mobility")
        }
        self.state = initial_state(
            theta=self._initial.theta,
            area_m=np.array([net.area_m for net in networks], dtype=float),
            user_xy_m=np.stack([net.user_xy_m for net in networks]).astype(float),
            num_aps=first.num_aps,
        )
        assert self._initial.distance_m is not None
        sides = 2 if prefetch else 1  # buffer sets, slot t takes set t % sides
        self._channels = [
            SlotChannel(
                ap_xy_m=np.stack([net.ap_xy_m for net in networks]),  # [S, M, 2]
                bandwidth_hz=np.stack([net.bandwidth_hz for net in networks])[:, None, :],
                content_bits=np.stack([net.content_bits for net in networks]),  # [S, N]
                distance_m=self._initial.distance_m,  # [S, N, M]
                radio=self._radio,
                reuse=reuse_buffers,
            )
            for _ in range(sides)
        ]
        # the fading gains, with reuse_buffers: one array even with prefetch (only the
        # thread that makes the slots reads them, one slot after the other)
        self._gain_buffer: FloatArray | None = None
        self._walk: WalkBuffers | None = None  # the random walk's arrays, with reuse_buffers
        self._index = -1  # the last slot advanced to
        self._made = [-1] * sides  # the last slot made in each set of buffers
        self._eager_mean = False  # whether each slot's pass makes the mean-fading times
        self._executor: ThreadPoolExecutor | None = None  # the prefetching thread
        self._pending: tuple[int, Future[Slot]] | None = None  # (index, slot being made)
        if prefetch:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="jcaco-slot")

    def initial(self) -> GameInstance:
        """The mean-fading game at the initial positions (batched ``(S, ...)``)."""
        return self._initial

    def declare(self, information: Information) -> None:
        """Make the mean-fading times in each slot's pass when ``information`` needs them
        (:func:`jcaco.learners.views.needs_mean_tx`), instead of on demand."""
        self._eager_mean = needs_mean_tx(information)

    def slot(self, index: int) -> Slot:
        """Advance activity, fading and mobility, then build slot ``index``'s game."""
        if self._executor is None:
            return self._make(index)
        pending = self._pending
        if pending is None:
            slot = self._make(index)
        elif pending[0] != index:
            raise ValueError(f"slot {index} asked for while slot {pending[0]} was prefetched")
        else:
            slot = pending[1].result()
        self._pending = (index + 1, self._executor.submit(self._make, index + 1))
        return slot

    def close(self) -> None:
        """Stop the prefetching thread (after the slot it is making); no-op without one."""
        if self._executor is not None:
            if self._pending is not None:
                self._pending[1].cancel()
            self._executor.shutdown(wait=True)
            self._executor, self._pending = None, None

    def _make(self, index: int) -> Slot:
        return self._slot_game(index, self._advance(index))

    def advance(self, index: int) -> DynamicState:
        """Advance activity, fading and mobility to slot ``index`` without building its game
        (a replay that needs only some slots' games: :meth:`slot` at those, this at the
        others; the same draws, so the same slots). Not with ``prefetch``: there the
        second thread advances the dynamics."""
        if self._executor is not None:
            raise ValueError("advance() is not for a prefetching environment; call slot()")
        return self._advance(index)

    def _advance(self, index: int) -> DynamicState:
        config, streams = self.config, self._streams
        state = step_activity(self.state, config, streams["activity"])
        rayleigh = config.fading != "mean"
        gain_out = None
        if self.reuse and rayleigh:
            gain_out = self._gain_buffer
            if gain_out is None:
                gain_out = self._gain_buffer = np.empty(state.fading_gain.shape)
        state = step_fading(state, config, streams["fading"], out=gain_out)
        walk = None
        if self.reuse and config.mobility:
            walk = self._walk
            if walk is None:
                walk = self._walk = WalkBuffers(state.user_xy_m.shape)
        state = step_mobility(state, config, streams["mobility"], work=walk)
        self.state = state
        self._index = index
        return state

    def _slot_game(self, index: int, state: DynamicState) -> Slot:
        """Slot ``index``'s game from its advanced ``state`` (one pass over the channel)."""
        config = self.config
        rayleigh = config.fading != "mean"
        if config.static:
            game = self._initial
            return Slot(index, game, state.active, state.active.astype(float), game.distance_m)
        side = index % len(self._channels)
        self._made[side] = index
        channel = self._channels[side]
        channel.sweep(
            state.user_xy_m if config.mobility else None,
            state.fading_gain if rayleigh else None,
            # with prefetch the mean-fading times a view reads are made on demand by the
            # caller's thread (same numbers): it balances the two threads' work per slot
            mean=not rayleigh or (config.mobility and self._eager_mean and not self._executor),
        )
        distance = channel.distance_m
        if rayleigh:
            assert channel.tx_time_s is not None
            tx_time_s = channel.tx_time_s
            mean_tx = functools.partial(self._mean_tx_time_s, index, distance)
        else:  # the slot's times are the mean ones
            tx_time_s, mean_tx = channel.mean_tx_time_s(distance), None
        init = self._initial
        game = GameInstance(
            theta=init.theta,
            tx_time_s=tx_time_s,
            compute_time_s=init.compute_time_s,
            steps=init.steps,
            distance_m=distance,
            capacity_flops=init.capacity_flops,
        )
        return Slot(index, game, state.active, state.active.astype(float), distance, mean_tx)

    def _mean_tx_time_s(self, index: int, distance_m: FloatArray) -> FloatArray:
        """Slot ``index``'s times at the mean fading g = 1 and its distances ``distance_m``
        (what a learner that declares ``channel="mean"`` sees); without mobility, those of
        :meth:`initial`. Made in the slot's pass after :meth:`declare`, else now."""
        if not self.config.mobility:
            return self._initial.tx_time_s
        side = index % len(self._channels)
        if self.reuse and index != self._made[side]:
            raise RuntimeError(
                f"slot {index}'s mean-fading times asked for after slot {self._made[side]} was "
                "made (with reuse_buffers, a slot's arrays last until the next slot)"
            )
        return self._channels[side].mean_tx_time_s(distance_m)


__all__ = ["DynamicEnvironment", "batched_distances_m", "check_batch"]
