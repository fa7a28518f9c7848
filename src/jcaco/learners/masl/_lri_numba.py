"""Compiled MASL update (imports numba; load it through :mod:`jcaco.kernels`).

The kernel does the operations of ``lri_update`` (:mod:`jcaco.learners.masl.core`) in the
same order, so the strategies are the same to the bit.
"""

from __future__ import annotations

import numba


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
