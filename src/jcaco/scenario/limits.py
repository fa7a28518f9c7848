"""What the machine can hold: an estimate of a network's and a game's memory, checked before
they are allocated.

The estimates count the arrays a network (positions, fitness, per-user fields) and a game
(link and computation times, steps, distances, for every seed of a batch) hold, with a factor
for the working copies that building and solving make. They are rough, meant to refuse what
cannot fit at all (a typo such as ``--users 10000000000``) with one line, before numpy fails
with a ``MemoryError`` or the operating system kills the process. A batch of seeds simulated
at once (``jcaco reproduce``'s tasks, ``jcaco.api.simulate`` with many seeds) holds a network
and a game per seed: :func:`check_batch_memory` refuses it naming the option that set it and
the most seeds that fit.
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


#: Copies of a batch's game arrays the slot loop holds at once (the environment's, the
#: learner's, the slot's score). Measured: besides the network and the trace, the tracemalloc
#: peak grows per seed by 2.9 to 3.8 copies (masl, fp-empirical; 30 users x 5 x 5 to 200 x
#: 10 x 10); ``tests/test_batch_memory.py`` checks the estimate against it.
BATCH_GAME_COPIES = 5
#: Bytes per slot and seed of the per-slot trace (``jcaco.sim.recorder.METRICS``: five
#: 8-byte metrics and one bool), held for every slot of the run.
TRACE_BYTES_PER_SLOT = 41


def batch_bytes(
    num_users: int,
    num_aps: int,
    num_servers: int,
    num_seeds: int,
    recorded_slots: int = 0,
    slots: int = 0,
) -> int:
    """Estimated bytes of a batch of ``num_seeds`` seeds simulated at once: each seed's own
    network (:func:`network_bytes`), :data:`BATCH_GAME_COPIES` copies of its game arrays
    (the ``(N, M)`` and ``(N, K)`` times, steps, distances), the per-slot trace of ``slots``
    slots and, when every user's time is kept in memory (Fig. 2), the ``(T, S, N)`` record
    of ``recorded_slots`` slots."""
    game = BATCH_GAME_COPIES * _ENTRY_BYTES * num_users * (2 * num_aps + 2 * num_servers + 2)
    per_seed = (
        network_bytes(num_users, num_aps, num_servers)
        + game
        + TRACE_BYTES_PER_SLOT * slots
        + _ENTRY_BYTES * num_users * recorded_slots
    )
    return num_seeds * per_seed


def check_batch_memory(
    num_users: int,
    num_aps: int,
    num_servers: int,
    num_seeds: int,
    *,
    option: str,
    recorded_slots: int = 0,
    slots: int = 0,
    batches: int = 1,
    where: str = "",
    needed_bytes: int | None = None,
) -> None:
    """Raise :class:`InputError` naming ``option`` if ``batches`` batches held at once, the
    largest of ``num_seeds`` seeds (:func:`batch_bytes`; several workers each hold one),
    exceed the machine's physical memory; the message gives the most seeds per batch that
    fit.

    Parameters
    ----------
    option : str
        The option that sets the batch (``--seeds``, ``--seeds-per-task``).
    batches : int
        Batches held at once (one per ``--jobs`` worker, at most the run's batches).
    where : str
        What the batch is of, for the message (``fig9 N = 30``).
    needed_bytes : int, optional
        The bytes of all ``batches`` when the others are smaller than this one (default:
        ``batches`` times this one).
    """
    total = physical_memory_bytes()
    shape = (num_users, num_aps, num_servers)
    needed = batches * batch_bytes(*shape, num_seeds, recorded_slots, slots)
    needed = needed if needed_bytes is None else needed_bytes
    if total is None or needed <= total:
        return
    per_seed = batch_bytes(*shape, 1, recorded_slots, slots)
    fit = total // (batches * per_seed)
    at_once = f" ({batches} batches at once, one per --jobs worker)" if batches > 1 else ""
    if fit >= 1:
        allowed = f"at most {fit} seeds per batch" + (
            " (--seeds-per-task splits a point's seeds into batches)"
            if option.startswith("--")
            else ""
        )
    elif batches > 1 and per_seed <= total:
        allowed = f"one seed per batch and at most {total // per_seed} batches at once (--jobs)"
    else:
        allowed = "fewer users, APs, servers or slots (one seed alone does not fit)"
    raise InputError(
        f"a batch of {num_seeds} seeds x {num_users} users x {num_aps} APs x {num_servers} "
        f"servers{' (' + where + ')' if where else ''}{at_once} needs about {_human(needed)} of "
        f"memory, more than this machine's {_human(total)}; allowed: {allowed}",
        field=option,
    )


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


__all__ = [
    "BATCH_GAME_COPIES",
    "TRACE_BYTES_PER_SLOT",
    "batch_bytes",
    "check_batch_memory",
    "check_memory",
    "game_bytes",
    "network_bytes",
    "physical_memory_bytes",
]
