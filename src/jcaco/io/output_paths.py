"""Where an output may be written: the rules every command applies before it writes.

* An output never replaces what is not a regular file: a FIFO, a device or a folder where a
  file is expected (a file where a folder is expected) is refused.
* An output that is a symbolic link writes the file the link points to (resolved fully),
  replacing that file atomically; the link itself stays.
* An output is never one of the command's inputs: the same file through any path, a symbolic
  link or a hard link (same device and inode), is refused; so is an output folder that holds
  an input, since the folder is replaced whole.
* An output whose first existing parent is not a folder, or is not writable, is refused.
* A folder of several files (``jcaco simulate -o DIR``) is written into a temporary sibling
  folder and renamed into place when complete (:func:`atomic_folder`), so it holds one run's
  files: the new run's, complete, or the previous run's. An existing folder is replaced only
  when it holds nothing but files the same command writes.

Every refusal is an :class:`jcaco.errors.InputError` naming the path (one line, exit status 2
on the command line). Temporaries are named ``.<name>.<pid>@<host>.<random>.tmp``; one whose
process no longer runs on this host is stale and removed by the next write of the same target
(:func:`remove_stale_temporaries`). docs/formats.md, "Output rules", states the same.

This is a leaf module: it imports nothing from jcaco but the exception hierarchy.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import tempfile
from collections.abc import Callable, Iterable, Iterator
from os import PathLike
from pathlib import Path

from jcaco.errors import InputError

_TEMPORARY = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)@(?P<host>[A-Za-z0-9-]+)\.[^.]+\.tmp$")


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname())[:40] or "host"


def temporary_prefix(name: str) -> str:
    """``.<name>.<pid>@<host>.``: the start of a temporary's name for target ``name``."""
    return f".{name}.{os.getpid()}@{_host()}."


def is_stale(path: str | PathLike[str]) -> bool:
    """Whether ``path`` is a temporary (file or folder) whose writer, a process on this host,
    no longer runs (a temporary of another host is never judged stale).

    >>> is_stale(".out.json.1@elsewhere.abc.tmp"), is_stale("out.json")
    (False, False)
    """
    match = _TEMPORARY.match(Path(path).name)
    if match is None or match["host"] != _host():
        return False
    pid = int(match["pid"])
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # it runs, as another user
        return False
    return False


def remove_stale_temporaries(folder: str | PathLike[str], name: str | None = None) -> list[Path]:
    """Remove the stale temporaries (:func:`is_stale`) in ``folder``, of target ``name`` only
    if given; returns what was removed."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    removed = []
    for path in folder.glob(".*.tmp"):
        match = _TEMPORARY.match(path.name)
        if match is None or (name is not None and match["name"] != name):
            continue
        if is_stale(path):
            remove_path(path)
            removed.append(path)
    return removed


def remove_path(path: Path) -> None:
    """Remove a file, a link or a whole folder (what is already gone is fine)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def output_target(path: str | PathLike[str]) -> Path:
    """Where writing ``path`` writes: the file a symbolic link points to (resolved fully),
    else ``path`` itself."""
    path = Path(path)
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def check_output(path: str | PathLike[str], *, folder: bool = False) -> Path:
    """The target of output ``path`` (:func:`output_target`), checked before anything is written.

    Raises
    ------
    InputError
        If it exists and is not a regular file (``folder``: not a folder), or its first
        existing parent is not a folder or is not writable.
    """
    target = output_target(path)
    kind = "folder" if folder else "regular file"
    if os.path.lexists(target):
        if not (target.is_dir() if folder else target.is_file()):
            raise InputError(
                f"exists and is not a {kind}; allowed: a new path or a {kind} to replace",
                source=str(path),
            )
        _check_writable(target.parent, path)
        return target
    parent = target.parent
    while not os.path.lexists(parent) and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise InputError(
            f"{parent} is not a folder; allowed: a path under a folder", source=str(path)
        )
    _check_writable(parent, path)
    return target


def _check_writable(folder: Path, path: str | PathLike[str]) -> None:
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(
            f"folder {folder} is not writable; allowed: a path in a writable folder",
            source=str(path),
        )


def check_not_input(
    output: str | PathLike[str], inputs: Iterable[str | PathLike[str]], *, folder: bool = False
) -> None:
    """Refuse an output that is one of the ``inputs`` (the same file through any path, symbolic
    or hard link) or, for a ``folder`` (replaced whole), one that holds an input.

    The output is compared where it will be written: ``new/../net.json``, whose folder ``new``
    does not exist yet (the writer creates it), is ``net.json``.
    """
    target = output_target(output)
    written = os.path.realpath(target)  # resolves `..` after a folder not yet made
    for item in inputs:
        if not os.path.exists(item):
            continue
        what = ""
        if os.path.exists(written) and os.path.samefile(written, item):
            what = "is"
        elif folder and os.path.realpath(item).startswith(
            os.path.join(os.path.realpath(target), "")
        ):
            what = "holds"
        if what:
            raise InputError(
                f"{what} the input {item}; allowed: an output that is not an input",
                source=str(output),
            )


def check_folder_owned(
    path: str | PathLike[str], owns: Callable[[str], bool], *, source: str | PathLike[str]
) -> None:
    """Refuse to replace folder ``path`` if it holds anything but regular files whose names
    ``owns`` accepts (what a previous run of the same command wrote)."""
    target = output_target(path)
    if not target.is_dir():
        return
    foreign = sorted(
        p.name for p in target.iterdir() if p.is_symlink() or not p.is_file() or not owns(p.name)
    )
    if foreign:
        shown = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
        raise InputError(
            f"holds files this command does not write ({shown}); allowed: a new or empty "
            "folder, or one a previous run of this command wrote (it is replaced whole)",
            source=str(source),
        )


def _temporary_folder(target: Path) -> Path:
    return Path(
        tempfile.mkdtemp(prefix=temporary_prefix(target.name), suffix=".tmp", dir=target.parent)
    )


@contextlib.contextmanager
def atomic_folder(path: str | PathLike[str], owns: Callable[[str], bool]) -> Iterator[Path]:
    """Yield a temporary folder to write folder ``path``'s files into; when the block ends
    without an exception the temporary folder replaces ``path`` whole.

    ``path`` may be absent, empty, or hold only regular files whose names ``owns`` accepts
    (a previous run's, :func:`check_folder_owned`); a symbolic link to a folder replaces the
    folder it points to. The old folder is renamed aside, the new one renamed into place and
    the old one removed, so ``path`` is at every moment the old run's folder, absent, or the
    new run's. On an exception the temporary folder is removed and ``path`` is untouched.
    """
    target = check_output(path, folder=True)
    check_folder_owned(target, owns, source=path)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target.parent, target.name)
    tmp = _temporary_folder(target)
    try:
        yield tmp
        os.chmod(tmp, 0o777 & ~_umask())
        if target.is_dir():
            old = _temporary_folder(target)
            os.rmdir(old)  # a free name beside it, for the old folder
            os.rename(target, old)
            os.rename(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


__all__ = [
    "atomic_folder",
    "check_folder_owned",
    "check_not_input",
    "check_output",
    "is_stale",
    "output_target",
    "remove_path",
    "remove_stale_temporaries",
    "temporary_prefix",
]
