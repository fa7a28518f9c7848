"""Each user's realised service time per slot, streamed to Parquet (``jcaco simulate
--record users``).

Holding every user's time of every slot in memory is a ``[T, S, N]`` array: 16 GB for 2,000
slots of 10^6 users. :class:`UserTimesWriter` is a sink for :class:`jcaco.sim.recorder.
TraceRecorder`: it buffers a few slots and writes them as one Parquet row group, so memory
stays at one row group whatever T is. The file has one row per (slot, seed), in slot order,
with the columns ``algorithm``, ``seed``, ``slot`` and ``user_service_time_s`` (a fixed-size
list of N floats, NaN where the user was inactive): the same rows and values as the
in-memory recording's :meth:`jcaco.sim.recorder.Trace.to_frame`, which orders them by seed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np

from jcaco.io.files import publish, temporary_beside
from jcaco.types import FloatArray

#: Floats per row group (32 MiB): 4 slots of 10^6 users, 139,810 slots of 30 users.
ROW_GROUP_VALUES = 1 << 22


class UserTimesWriter:
    """Write per-slot user times ``(S, N)`` to ``path`` in row groups (atomic on close).

    Parameters
    ----------
    path : str or Path
        The Parquet file; written to a temporary file and renamed by :meth:`close`.
    algorithm : str
    seeds : sequence of int
        Root seeds, in batch order.
    num_users : int
    metadata : dict, optional
        JSON-able provenance, stored under the schema key ``b"jcaco"``.
    """

    def __init__(
        self,
        path: str | Path,
        algorithm: str,
        seeds: Sequence[int],
        num_users: int,
        metadata: dict[str, Any] | None = None,
    ):
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.path = Path(path)
        self.algorithm = algorithm
        self.seeds = np.asarray(seeds, dtype=np.int64)
        self.num_users = int(num_users)
        self.slots_per_group = max(1, ROW_GROUP_VALUES // max(1, self.num_users * len(seeds)))
        meta = {"algorithm": algorithm, "seeds": [int(s) for s in seeds], **(metadata or {})}
        self.schema = pa.schema(
            [
                ("algorithm", pa.string()),
                ("seed", pa.int64()),
                ("slot", pa.int64()),
                ("user_service_time_s", pa.list_(pa.float64(), self.num_users)),
            ],
            metadata={"jcaco": json.dumps(meta)},
        )
        self._tmp = temporary_beside(self.path)
        self._writer: Any = pq.ParquetWriter(self._tmp, self.schema)
        self._slots: list[int] = []
        self._times: list[FloatArray] = []
        self.slots_written = 0

    def __call__(self, slot: int, times: FloatArray) -> None:
        """Take slot ``slot``'s times, shape ``(S, N)`` [s] (NaN: inactive)."""
        self._slots.append(int(slot))
        self._times.append(np.array(times, dtype=float))  # a copy: the caller may reuse it
        if len(self._slots) >= self.slots_per_group:
            self.flush()

    def flush(self) -> None:
        """Write the buffered slots as one row group."""
        import pyarrow as pa

        if not self._slots:
            return
        num_seeds = len(self.seeds)
        rows = len(self._slots) * num_seeds
        flat = pa.array(np.concatenate([t.reshape(-1) for t in self._times]))
        batch = pa.record_batch(
            [
                pa.array([self.algorithm] * rows, pa.string()),
                pa.array(np.tile(self.seeds, len(self._slots))),
                pa.array(np.repeat(np.asarray(self._slots, dtype=np.int64), num_seeds)),
                pa.FixedSizeListArray.from_arrays(flat, self.num_users),
            ],
            schema=self.schema,
        )
        self._writer.write_batch(batch)
        self.slots_written += len(self._slots)
        self._slots, self._times = [], []

    def close(self) -> Path:
        """Write what is left and move the file into place."""
        self.flush()
        self._writer.close()
        return publish(self._tmp, self.path)

    def abort(self) -> None:
        """Drop the partial file (after an error)."""
        self._writer.close()
        self._tmp.unlink(missing_ok=True)

    def __enter__(self) -> UserTimesWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()


def read_user_times(path: str | Path) -> tuple[FloatArray, FloatArray]:
    """The slots and the ``(T, S, N)`` times of a file of :class:`UserTimesWriter` (small
    files: the whole array in memory)."""
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    slot = table.column("slot").to_numpy()
    seed = table.column("seed").to_numpy()
    column = table.column("user_service_time_s").combine_chunks()
    num_users = column.type.list_size
    values = column.flatten().to_numpy().reshape(len(slot), num_users)
    slots = np.unique(slot)
    seeds = list(dict.fromkeys(seed.tolist()))
    out = np.full((len(slots), len(seeds), num_users), np.nan)
    out[np.searchsorted(slots, slot), [seeds.index(s) for s in seed.tolist()]] = values
    return slots, out


__all__ = ["UserTimesWriter", "read_user_times", "ROW_GROUP_VALUES"]
