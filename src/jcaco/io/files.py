"""Writing files: atomic replacement, JSON, and the provenance stamped on every output.

Every file jcaco writes (scenarios, instances, results, traces, the results store, the summary,
the report) goes through :func:`atomic_path`: the content is written to a temporary file in the
target's folder (named ``.<name>.<pid>@<host>.<random>.tmp``) and renamed over the target only
when it is complete, so an interrupted or failed write leaves the old file untouched and no
half-written file behind; a temporary whose process was killed is removed by the next write of
the same target. Where an output may go (never over an input, a FIFO, a device; a symbolic
link writes its target) is :mod:`jcaco.io.output_paths`. The finished file gets the permissions a
plain ``open(path, "w")`` would give (``0666`` less the umask; ``0644`` under the usual umask),
not the ``0600`` of a temporary file, so a colleague on a shared cluster can read it.

Provenance has one set of key names everywhere: ``version`` (the package version) and
``git_revision`` (the full commit hash of the source tree, with ``-dirty`` appended when a
tracked file has uncommitted changes, or ``None`` outside a git checkout).

This is a leaf module: it imports nothing from the rest of jcaco but the version, the
exception hierarchy and :mod:`jcaco.io.output_paths`.
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import subprocess
import tempfile
from collections.abc import Iterator
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from jcaco._version import __version__
from jcaco.io.output_paths import check_output, remove_stale_temporaries, temporary_prefix

#: A document whose compact JSON is larger than this is written without indentation [bytes].
INDENT_LIMIT_BYTES = 1 << 20

FieldPath = tuple[int | str, ...]


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: Permissions of a finished file: what ``open(path, "w")`` would create under this umask.
FILE_MODE = 0o666 & ~_read_umask()


def temporary_beside(path: str | PathLike[str]) -> Path:
    """A new, empty temporary file in ``path``'s folder (created), to be :func:`publish`-ed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    prefix = temporary_prefix(path.name)
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=path.parent)
    os.close(fd)
    return Path(tmp)


def publish(tmp: str | PathLike[str], path: str | PathLike[str]) -> Path:
    """Give the finished temporary file ``tmp`` its final permissions and rename it to ``path``."""
    os.chmod(tmp, FILE_MODE)
    os.replace(tmp, path)
    return Path(path)


@contextlib.contextmanager
def atomic_path(path: str | PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path to write ``path``'s new content to; rename it into place on success.

    On any exception (including ``KeyboardInterrupt``) the temporary file is removed and
    ``path`` keeps its old content. ``path`` is checked first
    (:func:`jcaco.io.output_paths.check_output`): a symbolic link writes the file it points to;
    a FIFO, a device or a folder is refused. Stale temporaries of the same target go.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     target = pathlib.Path(folder) / "out.txt"
    ...     with atomic_path(target) as tmp:
    ...         _ = tmp.write_text("done")
    ...     target.read_text()
    'done'
    """
    target = check_output(path)
    remove_stale_temporaries(target.parent, target.name)
    tmp = temporary_beside(target)
    try:
        yield tmp
        publish(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_bytes(path: str | PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (:func:`atomic_path`)."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_text(path: str | PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically (:func:`atomic_path`)."""
    return write_bytes(path, text.encode("utf-8"))


def field_path(loc: FieldPath) -> str:
    """A field path as users write it: ``aps[2].bandwidth_hz`` (``(top level)`` when empty).

    >>> field_path(("aps", 2, "bandwidth_hz"))
    'aps[2].bandwidth_hz'
    """
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            name = "schema" if part == "schema_" else part
            out += f".{name}" if out else name
    return out or "(top level)"


def _array_non_finite(array: np.ndarray, path: FieldPath) -> FieldPath | None:
    """Path of the first NaN or infinity of a numeric array (None if all are finite)."""
    if array.dtype.kind not in "fc":
        return None
    bad = ~np.isfinite(array)
    if not bad.any():
        return None
    return (*path, *(int(i) for i in np.unravel_index(int(np.argmax(bad)), array.shape)))


def non_finite_path(value: Any, path: FieldPath = ()) -> FieldPath | None:
    """Path of the first NaN or infinity in a document (None if all are finite).

    Arrays, and lists that numpy reads as one numeric array, are checked by numpy at once;
    a list of records with the same keys is checked column by column; the rest (nested
    settings, ``meta``) item by item.

    >>> non_finite_path({"aps": [{"x_m": 1.0}, {"x_m": float("nan")}]})
    ('aps', 1, 'x_m')
    """
    if isinstance(value, float):
        return None if math.isfinite(value) else path
    if isinstance(value, np.ndarray):
        return _array_non_finite(value, path)
    if isinstance(value, dict):
        for key, item in value.items():
            found = non_finite_path(item, (*path, key))
            if found is not None:
                return found
        return None
    if not isinstance(value, list | tuple) or not value:
        return None
    first = value[0]
    if isinstance(first, dict):
        keys = first.keys()
        if all(isinstance(v, dict) and v.keys() == keys for v in value):
            for key in keys:  # [records]: one column at a time
                found = non_finite_path([v[key] for v in value], path)
                if found is not None:
                    return (*found[: len(path) + 1], key, *found[len(path) + 1 :])
            return None
    elif isinstance(first, float | int | list) and not isinstance(first, bool):
        try:
            array = np.asarray(value)  # no dtype: a None must not become NaN
        except (TypeError, ValueError):  # ragged: item by item
            pass
        else:
            if array.dtype.kind in "biuf":
                return _array_non_finite(array, path)
    for index, item in enumerate(value):
        found = non_finite_path(item, (*path, index))
        if found is not None:
            return found
    return None


def dumps_json(document: dict[str, Any], *, indent: bool | None = None) -> bytes:
    """Serialise ``document`` to JSON bytes (with a final newline); numpy arrays allowed.

    Raises ``ValueError`` naming the field of a NaN or infinity (JSON cannot hold them) and
    ``TypeError`` for a value JSON cannot represent. ``indent``: two-space indentation
    (default: only when the compact form is at most :data:`INDENT_LIMIT_BYTES`).

    >>> dumps_json({"a": [1, 2]}, indent=False)
    b'{"a":[1,2]}\\n'
    """
    bad = non_finite_path(document)
    if bad is not None:
        raise ValueError(f"{field_path(bad)}: NaN or infinity cannot be written to JSON")
    options = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_APPEND_NEWLINE
    try:
        text = orjson.dumps(document, option=options)
        if indent or (indent is None and len(text) <= INDENT_LIMIT_BYTES):
            text = orjson.dumps(document, option=options | orjson.OPT_INDENT_2)
    except orjson.JSONEncodeError as exc:
        raise TypeError(str(exc)) from None
    return text


def write_json(
    path: str | PathLike[str], document: dict[str, Any], *, indent: bool | None = None
) -> Path:
    """Write ``document`` to ``path`` atomically; indented when small (:func:`dumps_json`)."""
    return write_bytes(path, dumps_json(document, indent=indent))


def save_figure(figure: Any, path: str | PathLike[str], **savefig_kwargs: Any) -> Path:
    """Save a matplotlib figure to ``path`` atomically, in the format its suffix names."""
    with atomic_path(path) as tmp:
        figure.savefig(tmp, format=Path(path).suffix.lstrip(".") or None, **savefig_kwargs)
    return Path(path)


def _git(folder: Path, *args: str) -> subprocess.CompletedProcess[str] | None:
    """``git args`` run in ``folder`` (None: git missing or it did not answer in 5 s)."""
    try:
        return subprocess.run(
            ["git", "--no-optional-locks", *args],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None


def revision_of(folder: str | PathLike[str]) -> str | None:
    """The git commit checked out at ``folder``, with ``-dirty`` appended when a tracked file
    differs from it (staged or not; untracked files do not count) or when git cannot tell,
    or ``None`` outside a git checkout. The dirty check never writes the index
    (``--no-optional-locks``)."""
    head = _git(Path(folder), "rev-parse", "HEAD")
    if head is None or head.returncode != 0 or not head.stdout.strip():
        return None
    status = _git(Path(folder), "status", "--porcelain", "--untracked-files=no")
    # a tree whose status git could not tell (no answer in 5 s, an error) is not called clean
    dirty = status is None or status.returncode != 0 or bool(status.stdout.strip())
    return head.stdout.strip() + ("-dirty" if dirty else "")


@functools.cache
def git_revision() -> str | None:
    """The git commit of the source tree jcaco was imported from, ``<sha>-dirty`` when that
    tree has uncommitted changes to tracked files (``None`` outside a checkout)."""
    return revision_of(Path(__file__).resolve().parent)


def provenance(*, revision: bool = True) -> dict[str, Any]:
    """What every output records about the code that wrote it; the one place that says so.

    Parameters
    ----------
    revision : bool
        Also record the git revision (stores and simulation traces do; the JSON documents
        ``jcaco.result/1``, ``jcaco.analysis/1``, ``jcaco.theory/1``, scenarios, instances and
        Parquet metadata carry the version only).

    Returns
    -------
    dict
        ``{"version": ...}`` then, with ``revision``, ``"git_revision": ...``, in that order
        (callers splice it into their documents with ``**``).
    """
    stamp: dict[str, Any] = {"version": __version__}
    if revision:
        stamp["git_revision"] = git_revision()
    return stamp


__all__ = [
    "FILE_MODE",
    "INDENT_LIMIT_BYTES",
    "atomic_path",
    "dumps_json",
    "field_path",
    "git_revision",
    "non_finite_path",
    "provenance",
    "publish",
    "revision_of",
    "save_figure",
    "temporary_beside",
    "write_bytes",
    "write_json",
    "write_text",
]
