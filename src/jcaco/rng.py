"""Named, independent random streams derived from one root seed (docs/architecture.md).

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
    # the PettingZoo environment's episode seeds and action-space seeds (jcaco.env)
    "env": 7,
    # run j of a point under a root seed (jcaco.experiments.tasks): replications
    "replication": 8,
    # networks of studies that choose defaults; disjoint from the figures' "scenario" draws
    "sensitivity": 20,
    # the report's bootstrap resamples (jcaco.experiments.resample): never a simulation's
    "report": 21,
    # networks a learned policy is trained on (jcaco.experiments.learned): never a figure's
    "training": 22,
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


def replication_seed(root: int, run: int) -> int:
    """The seed of run ``run`` of a point under root seed ``root`` (docs/architecture.md).

    Spawned from the root, ``SeedSequence(root, spawn_key=(replication, run))``, never
    ``root + run``: the runs of two root seeds are independent and share no seed (with
    ``root + run``, root 1 would repeat runs 1..R-1 of root 0).

    Parameters
    ----------
    root : int
        The root seed of the study (``jcaco reproduce --seed``), non-negative.
    run : int
        The run index at a point (0, 1, ..., R-1), non-negative.

    Returns
    -------
    int
        A 63-bit non-negative seed, used as the run's own root for :func:`stream`.

    Examples
    --------
    >>> replication_seed(0, 1) == replication_seed(0, 1) != replication_seed(1, 0)
    True
    """
    sequence = np.random.SeedSequence(
        check_seed(root), spawn_key=(STREAMS["replication"], check_seed(run))
    )
    return int(sequence.generate_state(1, np.uint64)[0] >> np.uint64(1))


def fresh_seed() -> int:
    """Draw a fresh root seed from OS entropy (to be recorded with the results)."""
    entropy = np.random.SeedSequence().entropy
    assert isinstance(entropy, int)
    return entropy % (2**63)


class SeedBatch:
    """Per-seed generators behind one ``random(shape)`` call (batched = one-by-one).

    Row ``s`` of every draw comes from generator ``s`` alone, so running R seeds as one batch
    gives exactly the numbers each seed would get when run by itself. Learners and dynamics
    draw through this object when they work on a ``[seeds, ...]`` batch.

    Examples
    --------
    >>> batch = SeedBatch([stream(1, "learner"), stream(2, "learner")])
    >>> a = batch.random((2, 3))
    >>> bool((a[1] == stream(2, "learner").random((1, 3))[0]).all())
    True
    """

    def __init__(self, generators: list[np.random.Generator]):
        self.generators = list(generators)

    @classmethod
    def from_seeds(cls, seeds: list[int], name: str, *extra: int) -> SeedBatch:
        """The ``name`` stream of every root seed in ``seeds``."""
        return cls([stream(s, name, *extra) for s in seeds])

    def __len__(self) -> int:
        return len(self.generators)

    def _rows(self, method: str, shape: tuple[int, ...], **kwargs: float) -> np.ndarray:
        if len(shape) == 0 or shape[0] != len(self.generators):
            raise ValueError(f"first axis must be the {len(self.generators)} seeds, got {shape}")
        rest = tuple(shape[1:])
        return np.stack([getattr(g, method)(size=rest, **kwargs) for g in self.generators])

    def _fill(
        self, method: str, shape: tuple[int, ...], out: np.ndarray | None = None
    ) -> np.ndarray:
        """Like :meth:`_rows` for methods with ``out=``: each generator fills its own row in
        place (the same numbers as ``size=``, without allocating and stacking S arrays), of
        ``out`` when given (a C-contiguous float array of ``shape``)."""
        if len(shape) == 0 or shape[0] != len(self.generators):
            raise ValueError(f"first axis must be the {len(self.generators)} seeds, got {shape}")
        if out is None:
            out = np.empty(shape)
        elif out.shape != shape or not out.flags.c_contiguous or out.dtype != np.float64:
            raise ValueError(f"out must be a C-contiguous float64 array of shape {shape}")
        # one contiguous row per seed (a 2-D view, so a 1-D shape gives rows too)
        for g, row in zip(self.generators, out.reshape(shape[0], -1), strict=True):
            getattr(g, method)(out=row)
        return out

    def random(self, shape: tuple[int, ...], out: np.ndarray | None = None) -> np.ndarray:
        """Uniform [0, 1) draws of ``shape`` (first axis: seeds), into ``out`` if given."""
        return self._fill("random", tuple(shape), out)

    def standard_exponential(
        self, shape: tuple[int, ...], out: np.ndarray | None = None
    ) -> np.ndarray:
        """Exp(1) draws of ``shape`` (first axis: seeds), into ``out`` if given."""
        return self._fill("standard_exponential", tuple(shape), out)

    def uniform(self, low: float, high: float, shape: tuple[int, ...]) -> np.ndarray:
        """Uniform [low, high) draws of ``shape`` (first axis: seeds)."""
        return self._rows("uniform", tuple(shape), low=low, high=high)


#: What learners and dynamics accept: one generator, or one per seed of a batch.
RandomSource = np.random.Generator | SeedBatch
