"""Named, independent random streams derived from one root seed (DESIGN.md §5).

Each stream is ``SeedSequence(root, spawn_key=(STREAM_ID,))`` so that two algorithms run with
the same root seed see the same activity, fading and mobility draws (common random numbers),
and adding a new stream never shifts the others.
"""

from __future__ import annotations

import numpy as np

#: Stream identifiers. Never renumber: results depend on them.
STREAMS: dict[str, int] = {
    "scenario": 0,
    "activity": 1,
    "fading": 2,
    "mobility": 3,
    "learner": 4,
    "start": 5,
    "sample": 6,
}


def check_seed(seed: int) -> int:
    """Validate a root seed: a non-negative integer."""
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        from jcaco.errors import InputError

        raise InputError(f"seed must be a non-negative integer, got {seed!r}", field="seed")
    return int(seed)


def stream(seed: int, name: str, *extra: int) -> np.random.Generator:
    """Return the generator of stream ``name`` for root ``seed``.

    Parameters
    ----------
    seed : int
        Root seed (non-negative).
    name : str
        One of :data:`STREAMS`.
    *extra : int
        Further spawn-key components (e.g. a sweep point index) to separate sub-streams.

    Examples
    --------
    >>> a = stream(7, "fading").random()
    >>> b = stream(7, "fading").random()
    >>> a == b and a != stream(7, "activity").random()
    True
    """
    key = (STREAMS[name], *(int(e) for e in extra))
    return np.random.Generator(
        np.random.PCG64(np.random.SeedSequence(check_seed(seed), spawn_key=key))
    )


def fresh_seed() -> int:
    """Draw a fresh root seed from OS entropy (to be recorded with the results)."""
    return int(np.random.SeedSequence().entropy % (2**63))
