"""The compiled draw of sample_from (imports numba; load it through :mod:`jcaco.kernels`).

Each kernel does the operations of its numpy form in ``learners.base`` / ``learners.masl`` in
the same order, so the strategies and the samples are the same to the bit.
"""

from __future__ import annotations

import math

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def sample_kernel(probs, draw, out):  # pragma: no cover - compiled
    """``sample_from`` for ``probs (S, N, R)`` and ``draw = 1 - U`` of shape ``(S, N)``."""
    num_seeds, num_users, num = probs.shape
    for s in range(num_seeds):
        for i in range(num_users):
            total = 0.0
            for r in range(num):
                total += probs[s, i, r]
            u = draw[s, i] * total
            running = 0.0
            count = 0
            for r in range(num):
                running += probs[s, i, r]
                if running < u:
                    count += 1
            out[s, i] = min(count, num - 1)


@numba.njit(cache=True, nogil=True)
def uniform_choice_kernel(allowed, draw):  # pragma: no cover - compiled
    """``uniform_choice`` of ``allowed (rows, R)`` bools with one uniform per row: (rows,).

    The ``floor(u * count)``-th allowed column, as the numpy form's cumulative rank; 0 when
    no column has that rank (numpy's argmax of an all-False row).
    """
    num_rows, num = allowed.shape
    out = np.zeros(num_rows, dtype=np.int64)
    for k in range(num_rows):
        count = 0
        for r in range(num):
            count += allowed[k, r]
        target = np.int64(math.floor(draw[k] * count))
        rank = -1
        for r in range(num):
            if allowed[k, r]:
                rank += 1
                if rank == target:
                    out[k] = r
                    break
    return out
