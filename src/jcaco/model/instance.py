"""The game instance: everything the JCACO game needs, no geometry required (docs/architecture.md).

A :class:`GameInstance` holds, per user, the activity probability θ (1), the standalone
transmission time on every AP (7) and the standalone computation time on every server at the
optimal steps (10), (37). Arrays may carry leading batch axes (one per seed): the user axis is
always the second-to-last of a matrix and the last of a vector.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from jcaco.types import BoolArray, FloatArray, IntArray


@dataclass(frozen=True)
class GameInstance:
    """One JCACO game (or a batch of games with leading axes).

    Attributes
    ----------
    theta : ndarray, shape (..., num_users)
        Activity probability θ_i of every user, eq. (1); 0 means never active (not a player).
    tx_time_s : ndarray, shape (..., num_users, num_aps)
        Standalone transmission time T_{i,m} = D_i / R_{i,m}, eq. (7) [s].
    compute_time_s : ndarray, shape (..., num_users, num_servers)
        Standalone computation time C_{i,k} = s*_{i,k} φ_k / f_k, eq. (10) at (37) [s];
        ``inf`` where server k cannot meet user i's accuracy within the step limit.
    steps : ndarray of int, shape (..., num_users, num_servers)
        Optimal denoising steps s*_{i,k}, eq. (37); 0 where infeasible.
    distance_m : ndarray, shape (..., num_users, num_aps), optional
        User–AP distance [m] when the geometry is known (used by the selfish baseline).
    capacity_flops : ndarray, shape (..., num_servers), optional
        Server capacity f_k [FLOP/s] when known (used by the selfish baseline).
    meta : mapping
        Free-form provenance (scenario file, fading mode, seed).
    """

    theta: FloatArray
    tx_time_s: FloatArray
    compute_time_s: FloatArray
    steps: IntArray
    distance_m: FloatArray | None = None
    capacity_flops: FloatArray | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def num_users(self) -> int:
        """Number of users N."""
        return int(self.tx_time_s.shape[-2])

    @property
    def num_aps(self) -> int:
        """Number of access points M."""
        return int(self.tx_time_s.shape[-1])

    @property
    def num_servers(self) -> int:
        """Number of edge servers K."""
        return int(self.compute_time_s.shape[-1])

    @property
    def batch_shape(self) -> tuple[int, ...]:
        """Leading batch axes (``()`` for a single game)."""
        return tuple(self.theta.shape[:-1])

    @property
    def feasible(self) -> BoolArray:
        """``[..., num_users, num_servers]``: server k meets user i's accuracy (14a)."""
        return np.isfinite(self.compute_time_s)

    @property
    def players(self) -> BoolArray:
        """``[..., num_users]``: users with θ > 0 (the players of the stochastic game)."""
        return self.theta > 0

    def __getitem__(self, index: int | slice) -> GameInstance:
        """Batch entry ``index`` (an int drops the batch axis, a slice keeps it), like
        :meth:`jcaco.game.profile.Profile.__getitem__`; the optional fields are sliced too.

        >>> import numpy as np
        >>> batch = GameInstance(np.ones((3, 2)), np.ones((3, 2, 4)), np.ones((3, 2, 5)),
        ...                      np.ones((3, 2, 5), dtype=np.int64))
        >>> batch[1].batch_shape, batch[0:2].batch_shape, batch[1].num_aps
        ((), (2,), 4)
        """
        if not self.batch_shape:
            raise IndexError("a single game has no batch axis to index")

        def pick(values: Any) -> Any:
            return None if values is None else values[index]

        entries = self.meta.get("batch")  # the games' own meta, as stack_instances keeps it
        if entries is None:
            meta = dict(self.meta)
        elif isinstance(index, int):
            meta = dict(entries[index])
        else:
            meta = {**self.meta, "batch": entries[index]}
        return GameInstance(
            theta=self.theta[index],
            tx_time_s=self.tx_time_s[index],
            compute_time_s=self.compute_time_s[index],
            steps=self.steps[index],
            distance_m=pick(self.distance_m),
            capacity_flops=pick(self.capacity_flops),
            meta=meta,
        )


def stack_instances(instances: list[GameInstance]) -> GameInstance:
    """Stack single games of equal shape along a new leading (seed) axis."""

    def _opt(name: str) -> FloatArray | None:
        values = [getattr(g, name) for g in instances]
        return None if any(v is None for v in values) else np.stack(values)

    return GameInstance(
        theta=np.stack([g.theta for g in instances]),
        tx_time_s=np.stack([g.tx_time_s for g in instances]),
        compute_time_s=np.stack([g.compute_time_s for g in instances]),
        steps=np.stack([g.steps for g in instances]),
        distance_m=_opt("distance_m"),
        capacity_flops=_opt("capacity_flops"),
        meta={"batch": [dict(g.meta) for g in instances]},
    )


def add_batch_axis(instance: GameInstance) -> GameInstance:
    """Return ``instance`` with a leading batch axis of length 1 (no-op if already batched)."""
    if instance.theta.ndim >= 2:
        return instance
    return stack_instances([instance])
