"""Per-slot metrics of a simulation, recorded through the loop's callback.

Per slot and seed: the realised total service time Σ_{i active} U_i (13), the number of
active users, the Nash gap of the slot's profile in the slot's expected game (θ weights, the
slot's times; (17), (24); from a given slot on, since it costs a pass over every user's
times: a reproduction reads it only in its measurement window), the largest expected loads
(the potential's display value: log Φ behaves like ln ρ · max_r L̄_r, docs/model.md §4.5), how
many users switched AP or server, and the learner's own convergence flag; optionally each
user's realised U_i (Fig. 2).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from jcaco import kernels
from jcaco.game import resource
from jcaco.game.profile import Profile
from jcaco.learners.base import Feedback, Learner
from jcaco.model.instance import GameInstance
from jcaco.sim.loop import Slot
from jcaco.types import BoolArray, FloatArray, IntArray

if TYPE_CHECKING:
    import pyarrow as pa

#: The per-slot metric columns of a :class:`Trace`, in table order.
METRICS = (
    "total_service_time_s",
    "num_active",
    "nash_gap_s",
    "max_load_s",
    "switches",
    "converged",
)


@dataclass(frozen=True)
class Trace:
    """Per-slot metrics of one algorithm on a batch of seeds; arrays are ``(slots, seeds)``.

    Attributes
    ----------
    algorithm : str
    seeds : tuple of int
        Root seeds, in batch order.
    total_service_time_s : ndarray, shape (T, S)
        Realised Σ_{i active} U_i, eq. (13) [s].
    num_active : ndarray of int, shape (T, S)
        |A(a(t))|.
    nash_gap_s : ndarray, shape (T, S)
        Largest gain of a unilateral move in the slot's expected game (θ weights, slot's
        times), AP gain plus server gain [s]; NaN in the slots before the recorder's
        ``nash_gap_from``.
    max_load_s : ndarray, shape (T, S)
        max_m L̄^c_m + max_k L̄^o_k, the largest expected AP load plus the largest expected
        server load, (27), (28) [s]: the sum of the two subgames' potential display values.
    switches : ndarray of int, shape (T, S)
        Users whose (AP, server) differs from the previous slot's (0 in slot 0).
    converged : ndarray of bool, shape (T, S)
        The learner's own convergence flag after the slot.
    user_service_time_s : ndarray, shape (T, S, N), or None
        Each user's realised U_i (NaN when inactive), when recorded.
    recommendation : Profile or None
        The learner's recommended profile after the last slot, ``(S, N)`` arrays.
    """

    algorithm: str
    seeds: tuple[int, ...]
    total_service_time_s: FloatArray
    num_active: IntArray
    nash_gap_s: FloatArray
    max_load_s: FloatArray
    switches: IntArray
    converged: BoolArray
    user_service_time_s: FloatArray | None = None
    recommendation: Profile | None = None

    @property
    def num_slots(self) -> int:
        """Number of recorded slots T."""
        return int(self.total_service_time_s.shape[0])

    def tail_mean(self, window: int = 100) -> FloatArray:
        """Mean realised total service time over the last ``window`` slots, shape ``(S,)`` [s]."""
        if window < 1:
            raise ValueError(f"window must be >= 1, got {window}")
        return np.asarray(self.total_service_time_s[-window:].mean(axis=0), dtype=float)

    def to_frame(self, metadata: dict[str, Any] | None = None) -> pa.Table:
        """Tidy per-slot rows ``(algorithm, slot, seed, metrics...)`` as a pyarrow Table.

        Rows are ordered by seed, then slot. With recorded user times, ``user_service_time_s``
        is a fixed-size list column (NaN: inactive). ``metadata`` (JSON-able) is stored under
        the schema key ``b"jcaco"``, next to the algorithm and the seeds.
        """
        import json

        import pyarrow as pa

        t, s = self.total_service_time_s.shape
        columns: dict[str, Any] = {
            "algorithm": pa.array([self.algorithm] * (t * s), pa.string()),
            "seed": np.repeat(np.asarray(self.seeds, dtype=np.int64), t),
            "slot": np.tile(np.arange(t, dtype=np.int64), s),
        }
        for name in METRICS:
            columns[name] = np.ascontiguousarray(getattr(self, name).T).ravel()
        if self.user_service_time_s is not None:
            n = self.user_service_time_s.shape[-1]
            by_seed = self.user_service_time_s.transpose(1, 0, 2)  # [S, T, N]
            flat = pa.array(np.ascontiguousarray(by_seed).ravel())
            columns["user_service_time_s"] = pa.FixedSizeListArray.from_arrays(flat, n)
        meta = {"algorithm": self.algorithm, "seeds": list(self.seeds), **(metadata or {})}
        return pa.table(columns).replace_schema_metadata({"jcaco": json.dumps(meta)})


#: Users per step of :func:`largest_gap_s` (a step's time rows stay in the cache while the
#: gap takes them one resource at a time).
GAP_BLOCK_USERS = 8_192


def largest_gap_s(
    game: GameInstance, profile: Profile, ap_load: FloatArray, server_load: FloatArray
) -> FloatArray:
    """max_i of the AP plus server Nash gap of each player in the expected game (θ weights),
    ``(S,)`` [s] (:func:`jcaco.game.resource.nash_gaps`), a block of users at a time: a
    user's gap reads its own row and the loads only, so the blocks give the same numbers as
    one call over all users, without a pass over all users' times per resource. The
    compiled twin (``sim/_recorder_numba.py``) takes each user's rows once."""
    players, theta = game.players, game.theta  # the weights θ T (27) and θ C (28)
    compiled = kernels.load("jcaco.sim._recorder_numba")
    if compiled is not None and theta.ndim == 2:
        return np.asarray(
            compiled.largest_gap_kernel(
                game.tx_time_s,
                profile.ap,
                game.compute_time_s,
                profile.server,
                theta,
                ap_load,
                server_load,
            )
        )
    largest = np.zeros(theta.shape[:-1])
    for start in range(0, theta.shape[-1], GAP_BLOCK_USERS):
        users = slice(start, start + GAP_BLOCK_USERS)
        gap = resource.nash_gaps(
            game.tx_time_s[..., users, :],
            profile.ap[..., users],
            players[..., users],
            load=ap_load,
            theta=theta[..., users],
        ) + resource.nash_gaps(
            game.compute_time_s[..., users, :],
            profile.server[..., users],
            players[..., users],
            load=server_load,
            theta=theta[..., users],
        )
        np.maximum(largest, gap.max(axis=-1, initial=0.0), out=largest)
    return largest


class TraceRecorder:
    """A ``run_loop`` callback that fills the arrays of a :class:`Trace`.

    Parameters
    ----------
    num_slots, num_seeds, num_users : int
        Sizes of the arrays to fill.
    record_users : bool
        Also keep each user's realised service time (``(T, S, N)`` floats).
    user_sink : callable, optional
        ``user_sink(slot, times)`` receives each slot's ``(S, N)`` user times instead of (or
        as well as) the in-memory array: :class:`jcaco.sim.user_times.UserTimesWriter`
        streams them to Parquet with memory independent of T.
    nash_gap_from : int
        The first slot whose Nash gap is computed (the earlier ones stay NaN): the gap is a
        pass over every user's times per slot, and a reproduction averages it over its
        measurement window only. 0 (default): every slot.
    """

    def __init__(
        self,
        num_slots: int,
        num_seeds: int,
        num_users: int,
        record_users: bool,
        user_sink: Callable[[int, FloatArray], None] | None = None,
        *,
        nash_gap_from: int = 0,
    ):
        shape = (num_slots, num_seeds)
        self.nash_gap_from = nash_gap_from
        self.total_service_time_s = np.zeros(shape)
        self.num_active = np.zeros(shape, dtype=np.int64)
        self.nash_gap_s = np.full(shape, np.nan)
        self.max_load_s = np.zeros(shape)
        self.switches = np.zeros(shape, dtype=np.int64)
        self.converged = np.zeros(shape, dtype=bool)
        self.user_service_time_s = (
            np.full((num_slots, num_seeds, num_users), np.nan) if record_users else None
        )
        self.user_sink = user_sink
        self._previous: Profile | None = None
        self.slots_recorded = 0

    def __call__(self, slot: Slot, profile: Profile, feedback: Feedback, learner: Learner) -> None:
        """Record slot ``slot.index`` (the loop calls this after the learner has observed)."""
        t = slot.index
        game = slot.game
        active = feedback.active
        # [S, N] realised U_i (13) = realised AP load + realised server load at the choice
        realised = feedback.ap_delay_measured_s + feedback.server_delay_measured_s
        self.total_service_time_s[t] = np.where(active, realised, 0.0).sum(axis=-1)
        self.num_active[t] = active.sum(axis=-1)
        if self.user_service_time_s is not None or self.user_sink is not None:
            times = np.where(active, realised, np.nan)  # [S, N]
            if self.user_service_time_s is not None:
                self.user_service_time_s[t] = times
            if self.user_sink is not None:
                self.user_sink(t, times)
        ap_load, server_load = slot.expected_loads(profile)
        if t >= self.nash_gap_from:
            self.nash_gap_s[t] = largest_gap_s(game, profile, ap_load, server_load)
        self.max_load_s[t] = ap_load.max(axis=-1) + server_load.max(axis=-1)
        previous = self._previous
        if previous is not None:
            moved = (profile.ap != previous.ap) | (profile.server != previous.server)
            self.switches[t] = moved.sum(axis=-1)
        self._previous = profile.copy()
        self.converged[t] = learner.converged
        self.slots_recorded = t + 1

    def trace(self, algorithm: str, seeds: tuple[int, ...], recommendation: Profile) -> Trace:
        """The recorded slots as a :class:`Trace`."""
        t = self.slots_recorded
        users = self.user_service_time_s
        return Trace(
            algorithm=algorithm,
            seeds=seeds,
            total_service_time_s=self.total_service_time_s[:t],
            num_active=self.num_active[:t],
            nash_gap_s=self.nash_gap_s[:t],
            max_load_s=self.max_load_s[:t],
            switches=self.switches[:t],
            converged=self.converged[:t],
            user_service_time_s=None if users is None else users[:t],
            recommendation=recommendation,
        )


__all__ = ["METRICS", "Trace", "TraceRecorder", "largest_gap_s"]
