"""The results store: tidy Parquet rows, one per (experiment, point, algorithm, seed).

Layout of a store directory::

    DIR/parts/<task_key>-s<root>-<runs>.parquet   one file per finished task, written atomically
    DIR/results.parquet                           the rows of the current run, consolidated

A row's identity is ``(task_key, seed)``; ``task_key`` hashes everything that determines the
row except the seed (experiment, point, algorithm and hyperparameters, slots, window, generator
configuration). The seed of run ``run`` under root seed ``root_seed`` is spawned from the root
(:func:`jcaco.rng.replication_seed`); every row records ``root_seed``, ``run`` and ``seed``, and
the series' ``role`` (competitor, variant or reference). A rerun asks
:meth:`ResultsStore.done` which rows exist and runs only the missing seeds, so an interrupted
run (Ctrl-C, a killed process) resumes and loses nothing, and no row is ever stored twice.
Each part is written to a temporary file and renamed into place,
so a part is either complete or absent. Provenance (package version, git revision) is stored
in columns, the run settings in the file metadata (docs/architecture.md#the-results-store).

Format 2: ``role`` and ``run`` columns; seeds spawned from the root seed instead of
``root_seed + run``. Format-1 rows are never reused (the format enters every task key).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from jcaco.files import atomic_path

#: Bump when the meaning of a stored row changes (it enters every task key).
STORE_FORMAT = 2

SCHEMA = pa.schema(
    [
        ("experiment", pa.string()),
        ("x_name", pa.string()),
        ("x", pa.float64()),
        ("point", pa.int64()),
        ("algorithm", pa.string()),
        ("learner", pa.string()),
        ("role", pa.string()),
        ("params", pa.string()),
        ("root_seed", pa.int64()),
        ("run", pa.int64()),
        ("seed", pa.int64()),
        ("num_users", pa.int64()),
        ("slots", pa.int64()),
        ("window", pa.int64()),
        ("total_service_time_s", pa.float64()),
        ("nash_gap_s", pa.float64()),
        ("max_load_s", pa.float64()),
        ("switches", pa.float64()),
        ("num_active", pa.float64()),
        ("converged", pa.bool_()),
        ("converged_slot", pa.int64()),
        ("curve_bin_slots", pa.int64()),
        ("curve_total_service_time_s", pa.list_(pa.float64())),
        ("curve_user_service_time_s", pa.list_(pa.list_(pa.float64()))),
        ("details", pa.string()),
        ("task_key", pa.string()),
        ("version", pa.string()),
        ("git_revision", pa.string()),
    ]
)

#: Columns whose values identify a row.
KEY_COLUMNS = ("task_key", "seed")
#: Sort order of consolidated tables (deterministic whatever the runner).
SORT_COLUMNS = ("experiment", "point", "algorithm", "root_seed", "run")


def rows_to_table(rows: Sequence[Mapping[str, Any]]) -> pa.Table:
    """Rows (dicts with the :data:`SCHEMA` columns; missing ones null) as a table."""
    return pa.Table.from_pylist([dict(r) for r in rows], schema=SCHEMA)


def _atomic_write(table: pa.Table, path: Path, metadata: Mapping[str, str] | None = None) -> None:
    if metadata:
        meta = dict(table.schema.metadata or {})
        meta.update({k.encode(): v.encode() for k, v in metadata.items()})
        table = table.replace_schema_metadata(meta)
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)


def sort_table(table: pa.Table) -> pa.Table:
    """Rows in the canonical order :data:`SORT_COLUMNS`."""
    return table.sort_by([(c, "ascending") for c in SORT_COLUMNS])


class ResultsStore:
    """A directory of Parquet parts plus the consolidated ``results.parquet``.

    Only one process writes (the sweep's driver); workers return rows to it.
    """

    def __init__(self, directory: str | os.PathLike[str]):
        self.directory = Path(directory)
        self.parts = self.directory / "parts"
        self.results = self.directory / "results.parquet"
        self._done: set[tuple[str, int]] | None = None

    def _part_files(self) -> list[Path]:
        if not self.parts.is_dir():
            return []
        return sorted(p for p in self.parts.glob("*.parquet") if not p.name.startswith("."))

    def done(self) -> set[tuple[str, int]]:
        """The ``(task_key, seed)`` of every stored row (read once, then kept up to date by
        :meth:`write_part`: this object is the store's only writer)."""
        if self._done is None:
            out: set[tuple[str, int]] = set()
            for part in self._part_files():
                cols = pq.read_table(part, columns=list(KEY_COLUMNS)).to_pydict()
                out.update(zip(cols["task_key"], cols["seed"], strict=True))
            self._done = out
        return set(self._done)

    def write_part(self, rows: Sequence[Mapping[str, Any]]) -> Path | None:
        """Store the rows of one finished task (atomically); rows already stored are dropped."""
        if not rows:
            return None
        keys = {r["task_key"] for r in rows}
        if len(keys) != 1:
            raise ValueError("a part holds the rows of one task")
        stored = self.done()
        fresh = [r for r in rows if (r["task_key"], r["seed"]) not in stored]
        if not fresh:
            return None
        runs = "_".join(str(r["run"]) for r in fresh)
        if len(runs) > 40:
            runs = f"{fresh[0]['run']}-{fresh[-1]['run']}n{len(fresh)}"
        path = self.parts / f"{keys.pop()}-s{fresh[0]['root_seed']}-{runs}.parquet"
        _atomic_write(rows_to_table(fresh), path)
        if self._done is not None:
            self._done.update((r["task_key"], r["seed"]) for r in fresh)
        return path

    def read(self, keys: Iterable[tuple[str, int]] | None = None) -> pa.Table:
        """Every stored row (or those with the given identities), in canonical order."""
        tables = [pq.read_table(p, schema=SCHEMA) for p in self._part_files()]
        table = pa.concat_tables(tables) if tables else SCHEMA.empty_table()
        if keys is not None:
            wanted = set(keys)
            mask = [
                (k, s) in wanted
                for k, s in zip(
                    table.column("task_key").to_pylist(),
                    table.column("seed").to_pylist(),
                    strict=True,
                )
            ]
            table = table.filter(pa.array(mask, type=pa.bool_()))
        return sort_table(table)

    def consolidate(self, table: pa.Table, metadata: Mapping[str, Any]) -> Path:
        """Write ``results.parquet`` (atomically) with run-level metadata (JSON values)."""
        meta = {"jcaco": json.dumps(dict(metadata), sort_keys=True)}
        _atomic_write(sort_table(table), self.results, meta)
        return self.results


def read_results(path: str | os.PathLike[str]) -> tuple[pa.Table, dict[str, Any]]:
    """A consolidated ``results.parquet`` and its run metadata."""
    table = pq.read_table(path)
    raw = (table.schema.metadata or {}).get(b"jcaco", b"{}")
    return table, json.loads(raw)


__all__ = ["ResultsStore", "SCHEMA", "read_results", "rows_to_table"]
