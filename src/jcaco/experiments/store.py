"""The results store: tidy Parquet rows, one per (experiment, point, algorithm, seed).

Layout of a store directory::

    DIR/.lock                                     held by the one process writing the store
    DIR/parts/<task_key>-s<root>-<runs>.parquet   one file per finished task, written atomically
    DIR/parts/corrupt/                            parts that could not be read, moved aside
    DIR/results.parquet                           the rows of the current run, consolidated

A row's identity is ``(task_key, seed)``; ``task_key`` hashes everything that determines the
row except the seed (experiment, point, algorithm and hyperparameters, slots, window, generator
configuration). The seed of run ``run`` under root seed ``root_seed`` is spawned from the root
(:func:`jcaco.rng.replication_seed`); every row records ``root_seed``, ``run`` and ``seed``, and
the series' ``role`` (competitor, variant or reference). A rerun asks
:meth:`ResultsStore.done` which rows exist and runs only the missing seeds, so an interrupted
run (Ctrl-C, a killed process) resumes and loses nothing. One process writes a store at a
time: :meth:`ResultsStore.lock` holds ``DIR/.lock`` (:mod:`filelock`) and a second writer is
refused (or waits); on taking the lock, temporaries that an earlier, killed writer left in the
store are removed. Each part is written to a temporary file and renamed into place, so a part
is either complete or absent. Reading drops a row whose identity an earlier part already holds
(with a warning), so a row counts once even in a store that two writers filled before the lock
existed; a part that cannot be read (empty, truncated, not a jcaco part) is moved to
``parts/corrupt/`` with a warning and its rows count as missing, so the next run redoes them.
Provenance (package version, git revision) is stored
in columns, the run settings in the file metadata (docs/architecture.md#the-results-store).

Format 2: ``role`` and ``run`` columns; seeds spawned from the root seed instead of
``root_seed + run``. Format-1 rows are never reused (the format enters every task key).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from jcaco.errors import InputError
from jcaco.io.files import atomic_path
from jcaco.io.output_paths import remove_path, temporary_prefix

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

#: The lock file a store's writer holds (inside the store's folder).
LOCK_NAME = ".lock"
#: Where unreadable parts are moved (inside ``parts/``).
CORRUPT_FOLDER = "corrupt"

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

    Only one process writes (the sweep's driver, holding :meth:`lock`); workers return rows
    to it.
    """

    def __init__(self, directory: str | os.PathLike[str]):
        self.directory = Path(directory)
        self.parts = self.directory / "parts"
        self.results = self.directory / "results.parquet"
        self._done: set[tuple[str, int]] | None = None

    @contextlib.contextmanager
    def lock(
        self, *, wait: bool = False, on_wait: Callable[[str], None] | None = None
    ) -> Iterator[None]:
        """Hold the store's lock (``DIR/.lock``) while the block runs: one writer at a time.

        On taking it, the temporaries that a killed writer left in the store (``.*.tmp`` older
        than this moment, in ``DIR`` and ``DIR/parts``) are removed.

        Parameters
        ----------
        wait : bool
            Wait for another writer to finish (``on_wait`` is told once) instead of failing.

        Raises
        ------
        InputError
            Another process holds the lock and ``wait`` is false.
        """
        from filelock import FileLock, Timeout

        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / LOCK_NAME
        lock = FileLock(path)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            if not wait:
                raise InputError(
                    f"another jcaco process is writing this store (it holds {path}); allowed: "
                    "one writer at a time: wait for it to finish, or pass --wait-lock",
                    source=str(self.directory),
                ) from None
            if on_wait is not None:
                on_wait(f"waiting for the process that holds {path}")
            lock.acquire()
        try:
            self._remove_temporaries(time.time())
            yield
        finally:
            lock.release()

    def _remove_temporaries(self, before_s: float) -> None:
        for folder in (self.directory, self.parts):
            if folder.is_dir():
                for path in folder.glob(".*.tmp"):
                    if path.lstat().st_mtime < before_s:
                        remove_path(path)

    def _part_files(self) -> list[Path]:
        if not self.parts.is_dir():
            return []
        return sorted(p for p in self.parts.glob("*.parquet") if not p.name.startswith("."))

    def _read_part(self, part: Path, columns: Sequence[str] | None = None) -> pa.Table | None:
        """A part's rows, or ``None`` (moved to ``parts/corrupt/``, a warning) if unreadable."""
        try:
            missing = set(KEY_COLUMNS) - set(pq.read_schema(part).names)
            if missing:
                raise ValueError(f"not a jcaco part: no column {', '.join(sorted(missing))}")
            if columns is not None:
                return pq.read_table(part, columns=list(columns))
            return pq.read_table(part, schema=SCHEMA)
        except (pa.ArrowException, OSError, ValueError, KeyError) as exc:
            corrupt = self.parts / CORRUPT_FOLDER
            corrupt.mkdir(exist_ok=True)
            os.replace(part, corrupt / part.name)
            reason = " ".join(str(exc).split())[:120]
            warnings.warn(
                f"{part}: unreadable part ({type(exc).__name__}: {reason}); moved to "
                f"{corrupt}, its rows count as missing and run again",
                stacklevel=3,
            )
            return None

    def done(self) -> set[tuple[str, int]]:
        """The ``(task_key, seed)`` of every stored row (read once, then kept up to date by
        :meth:`write_part`: this object is the store's only writer)."""
        if self._done is None:
            out: set[tuple[str, int]] = set()
            for part in self._part_files():
                table = self._read_part(part, KEY_COLUMNS)
                if table is not None:
                    cols = table.to_pydict()
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
        """Every stored row (or those with the given identities), in canonical order; a row
        whose identity an earlier part holds is dropped (the first is kept, with a warning)."""
        read = (self._read_part(p) for p in self._part_files())
        tables = [t for t in read if t is not None]
        table = pa.concat_tables(tables) if tables else SCHEMA.empty_table()
        wanted = None if keys is None else set(keys)
        seen: set[tuple[str, int]] = set()
        mask = []
        for identity in zip(
            table.column("task_key").to_pylist(), table.column("seed").to_pylist(), strict=True
        ):
            mask.append(identity not in seen and (wanted is None or identity in wanted))
            seen.add(identity)
        duplicates = table.num_rows - len(seen)
        if duplicates:
            warnings.warn(
                f"{self.parts}: {duplicates} duplicate row(s) (same task and seed) dropped, the "
                "first stored kept",
                stacklevel=2,
            )
        return sort_table(table.filter(pa.array(mask, type=pa.bool_())))

    def consolidate(
        self, table: pa.Table, metadata: Mapping[str, Any], folder: Path | None = None
    ) -> Path:
        """Write ``results.parquet`` (atomically) with run-level metadata (JSON values), into
        the store or into ``folder`` (a :meth:`final_files` folder)."""
        meta = {"jcaco": json.dumps(dict(metadata), sort_keys=True)}
        path = self.results if folder is None else Path(folder) / self.results.name
        _atomic_write(sort_table(table), path, meta)
        return self.results

    @contextlib.contextmanager
    def final_files(self) -> Iterator[Path]:
        """A temporary folder in the store for a run's final files (results, summary, figures,
        report); when the block ends without an exception each file is renamed into the store,
        ``report.html`` last, so a run stopped while drawing leaves the previous run's files."""
        self.directory.mkdir(parents=True, exist_ok=True)
        prefix = temporary_prefix("final")
        tmp = Path(tempfile.mkdtemp(prefix=prefix, suffix=".tmp", dir=self.directory))
        try:
            yield tmp
            files = sorted(tmp.iterdir(), key=lambda p: (p.name == "report.html", p.name))
            for path in files:
                os.replace(path, self.directory / path.name)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


def read_results(path: str | os.PathLike[str]) -> tuple[pa.Table, dict[str, Any]]:
    """A consolidated ``results.parquet`` and its run metadata."""
    table = pq.read_table(path)
    raw = (table.schema.metadata or {}).get(b"jcaco", b"{}")
    return table, json.loads(raw)


__all__ = ["CORRUPT_FOLDER", "LOCK_NAME", "ResultsStore", "SCHEMA", "read_results", "rows_to_table"]
