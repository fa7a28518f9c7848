"""``br``'s running loads (``learners._br_loads_numba``) equal ``np.bincount`` to the bit.

After every random move the kernel's loads must be bincount's, and its running sums per block
those of a fold from scratch, on weights that stress the exact shifts: generic floats,
integers, loads that cross powers of two, and dyadic weights whose additions round at exact
ties (where round-half-even could tell a shifted sum from the fold).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from jcaco import kernels

LOADS: Any = kernels.load("jcaco.learners._br_loads_numba")
pytestmark = pytest.mark.skipif(LOADS is None, reason="numba not installed")


def _state(w: np.ndarray, choice: np.ndarray) -> tuple[np.ndarray, ...]:
    """The loads state of one subgame (the kernel's layout), built from scratch."""
    num_users, size = w.shape
    blocks = (num_users + LOADS.BLOCK - 1) // LOADS.BLOCK
    state = (
        np.zeros(num_users),  # own
        np.zeros(num_users, dtype=np.int64),  # tzu
        np.zeros(num_users, dtype=np.int64),  # perm
        np.zeros((blocks, size + 1), dtype=np.int64),  # start
        np.zeros(num_users),  # ownp
        np.zeros((2, size, blocks), dtype=np.int64),  # tzr
        np.zeros((size, blocks + 1)),  # enter
        np.zeros(size),  # load
    )
    LOADS.loads_setup(w, choice, *state)
    return state


def _weights(family: str, rng: np.random.Generator, users: int, size: int) -> np.ndarray:
    if family == "generic":
        theta = rng.choice([0.0, 0.3, 0.7, 1.0], (users, 1))
        return rng.uniform(0.1, 3.0, (users, size)) * theta
    if family == "integers":
        return rng.integers(1, 9, (users, size)).astype(float)
    if family == "powers-of-two":  # loads of ~users / size around 2^k: binades crossed
        return 1.0 + rng.uniform(-1e-3, 1e-3, (users, size))
    if family == "ties-small":  # 1 + odd multiples of 2^-43 or 2^-44: ties at loads in [2^10, 2^12)
        odd = 2 * rng.integers(0, 1000, (users, size)) + 1
        return 1.0 + odd * np.where(rng.random((users, size)) < 0.5, 2.0**-43, 2.0**-44)
    # "ties-large": 2^49 + multiples of 2^7: sums of ~2^60 round at exact ties
    return 2.0**49 + rng.integers(0, 64, (users, size)) * 2.0**7


FAMILIES = ["generic", "integers", "powers-of-two", "ties-small", "ties-large"]


@pytest.mark.parametrize("family", FAMILIES)
def test_moves_keep_bincount_bits(family: str) -> None:
    rng = np.random.default_rng(FAMILIES.index(family))
    shifted = 0
    for trial in range(4):
        size = 2 + trial % 2
        users = int(rng.integers(3, 9) * LOADS.BLOCK + rng.integers(0, LOADS.BLOCK))
        if family in ("powers-of-two", "ties-small"):
            users = size * (1024 + 64 * trial) + int(rng.integers(0, 50))
        w = _weights(family, rng, users, size)
        choice = rng.integers(0, size, users)
        state = _state(w, choice)
        for _ in range(300):
            u = int(rng.integers(0, users))
            a = int(choice[u])
            b = int((a + 1 + rng.integers(0, size - 1)) % size)
            choice[u] = b
            shifted += LOADS.move_loads(u, a, b, w, choice, *state)
            expected = np.bincount(choice, weights=w[np.arange(users), choice], minlength=size)
            assert state[-1].tobytes() == expected.tobytes(), (family, trial)
        fresh = _state(w, choice)
        for kept, again in zip(state, fresh, strict=True):
            assert kept.tobytes() == again.tobytes(), (family, trial)
    if family in ("generic", "integers"):
        assert shifted > 0  # the exact shift was taken, not only the fold


def test_lowest_bit() -> None:
    for x, bit in [(1.0, 0), (3.0, 0), (0.5, -1), (0.75, -2), (2.0**-1074, -1074), (6.0, 1)]:
        assert LOADS.lowest_bit(x) == bit
    assert LOADS.lowest_bit(0.0) == LOADS.NO_BIT
