"""Compiled loads of a profile (imports numba; load it through :mod:`jcaco.kernels`)."""

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


@numba.njit(cache=True, nogil=True)
def score_kernel(time, theta, active, choice):  # pragma: no cover - compiled
    """Expected and realised loads of one subgame and every user's delay at its choice.

    ``time (S, N, R)``, ``theta (S, N)``, ``active (S, N)`` (0/1 floats), ``choice (S, N)``.
    One gather of ``time[s, i, choice]`` serves both loads; each load is summed in user order
    with the operations of ``resource.chosen_loads`` (so the same bits), then each user's
    delay is the load of its resource.
    """
    num_seeds, num_users, num_resources = time.shape
    expected = np.zeros((num_seeds, num_resources))
    realised = np.zeros((num_seeds, num_resources))
    for s in range(num_seeds):
        for i in range(num_users):
            c = choice[s, i]
            t = time[s, i, c]
            w = theta[s, i]
            a = active[s, i]
            expected[s, c] += (t if w > 0 else 0.0) * w
            realised[s, c] += (t if a > 0 else 0.0) * a
    expected_delay = np.empty((num_seeds, num_users))
    realised_delay = np.empty((num_seeds, num_users))
    for s in range(num_seeds):
        for i in range(num_users):
            c = choice[s, i]
            expected_delay[s, i] = expected[s, c]
            realised_delay[s, i] = realised[s, c]
    return expected, realised, expected_delay, realised_delay
