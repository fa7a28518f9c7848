"""Compiled loads of a profile (imports numba; load it through :mod:`jcaco.game.kernels`)."""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def chosen_loads_kernel(time, weight, choice):  # pragma: no cover - compiled
    """``resource.chosen_loads`` for ``time (S, N, R)``, ``weight (S, N)``, ``choice (S, N)``.

    Per user: v = (weight > 0 ? time[choice] : 0) * weight, added to its resource in user
    order, as ``np.bincount`` sums (the same operations, so the same bits).
    """
    num_seeds, num_users, num_resources = time.shape
    load = np.zeros((num_seeds, num_resources))
    for s in range(num_seeds):
        for i in range(num_users):
            c = choice[s, i]
            w = weight[s, i]
            v = time[s, i, c] if w > 0 else 0.0
            load[s, c] += v * w
    return load
