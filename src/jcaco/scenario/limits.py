"""What the machine can hold: an estimate of a network's and a game's memory, checked before
they are allocated.

The estimates count the arrays a network (positions, fitness, per-user fields) and a game
(link and computation times, steps, distances, for every seed of a batch) hold, with a factor
for the working copies that building and solving make. They are rough, meant to refuse what
cannot fit at all (a typo such as ``--users 10000000000``) with one line, before numpy fails
with a ``MemoryError`` or the operating system kills the process.
"""

from __future__ import annotations

import os
from functools import lru_cache

from jcaco.errors import InputError

#: Bytes per float64 / int64 entry.
_ENTRY_BYTES = 8
#: Working copies a game's (users, resources) arrays go through while built and solved.
GAME_COPIES = 8


@lru_cache(maxsize=1)
def physical_memory_bytes() -> int | None:
    """The machine's physical memory [B] (``os.sysconf``), or None where it is unknown."""
    try:
        pages = os.sysconf("SC_PHYS_PAGES")
        size = os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None
    return pages * size if pages > 0 and size > 0 else None


def network_bytes(num_users: int, num_aps: int, num_servers: int) -> int:
    """Estimated bytes of a network: per user its position, fields and one fitness per
    server; per AP and server their fields (twice, for the draw and the network)."""
    per_user = 8 + num_servers
    return 2 * _ENTRY_BYTES * (num_users * per_user + 4 * (num_aps + num_servers))


def game_bytes(num_users: int, num_aps: int, num_servers: int, num_seeds: int = 1) -> int:
    """Estimated bytes of a game batch while it is built and solved: :data:`GAME_COPIES`
    copies of its (seeds, users, APs + servers) arrays (times, steps, distances)."""
    entries = num_seeds * num_users * (2 * num_aps + 2 * num_servers + 2)
    return GAME_COPIES * _ENTRY_BYTES * entries


def _human(num_bytes: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if num_bytes < 1024 or unit == "PiB":
            return f"{num_bytes:.1f} {unit}" if unit != "B" else f"{int(num_bytes)} B"
        num_bytes /= 1024
    raise AssertionError  # pragma: no cover


def check_memory(
    needed_bytes: int, what: str, *, source: str | None = None, field: str | None = None
) -> None:
    """Raise :class:`InputError` if ``needed_bytes`` exceeds the machine's physical memory.

    Parameters
    ----------
    needed_bytes : int
        The estimate (:func:`network_bytes`, :func:`game_bytes`).
    what : str
        What would be allocated, for the message (``"a network of 10^10 users"``).
    """
    total = physical_memory_bytes()
    if total is not None and needed_bytes > total:
        raise InputError(
            f"{what} needs about {_human(needed_bytes)} of memory, more than this machine's "
            f"{_human(total)}; allowed: fewer users, APs, servers or seeds",
            source=source,
            field=field,
        )


__all__ = ["check_memory", "game_bytes", "network_bytes", "physical_memory_bytes"]
