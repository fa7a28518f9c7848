"""Compiled MASL steps (imports numba; load it through :mod:`jcaco.kernels`).

Each kernel does the operations of its numpy form in ``learners.base`` / ``learners.masl`` in
the same order, so the strategies and the samples are the same to the bit.
"""

from __future__ import annotations

import numba


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
def lri_kernel(probs, choice, step, row_max):  # pragma: no cover - compiled
    """``lri_update`` in place: p <- p (1 - step), then p[choice] += step (step 0: no change).

    ``row_max[s, i]`` receives the largest entry of the updated row (fused, to read it once).
    """
    num_seeds, num_users, num = probs.shape
    for s in range(num_seeds):
        for i in range(num_users):
            b = step[s, i]
            if b != 0.0:  # p * 1.0 + 0.0 is p: the numpy form leaves such a row as it is
                keep = 1.0 - b
                for r in range(num):
                    probs[s, i, r] = probs[s, i, r] * keep
                c = choice[s, i]
                probs[s, i, c] = probs[s, i, c] + b
            top = probs[s, i, 0]
            for r in range(1, num):
                if probs[s, i, r] > top:
                    top = probs[s, i, r]
            row_max[s, i] = top
