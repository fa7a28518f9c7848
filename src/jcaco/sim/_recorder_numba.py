"""Compiled largest Nash gap of a slot (imports numba; load it through :mod:`jcaco.kernels`).

The twin of :func:`jcaco.sim.recorder.largest_gap_s`, whose numpy form (over
:func:`jcaco.game.resource.nash_gaps`) it follows operation by operation: per player and
resource ``load_r + θ_i w_{i,r}``, their minimum as ``np.minimum`` takes it (a NaN stays),
``max(load_{x_i} - minimum, 0)`` per subgame, the two added, the largest over the users.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True, inline="always")
def _gap(time, load, theta_i, choice_i):  # pragma: no cover - compiled
    """One player's gain of a unilateral move in one subgame (``time`` its row)."""
    best = load[0] + theta_i * time[0]
    for r in range(1, time.shape[0]):
        column = load[r] + theta_i * time[r]
        if column < best or column != column:  # np.minimum: a NaN wins
            if best == best:
                best = column
    gain = load[choice_i] - best
    return gain if gain > 0.0 or gain != gain else 0.0  # np.maximum(gain, 0.0)


@numba.njit(cache=True, nogil=True)
def largest_gap_kernel(
    tx_time, ap, compute_time, server, theta, ap_load, server_load
):  # pragma: no cover - compiled
    """``(S,)`` largest AP plus server gap over the players (θ > 0) of each seed."""
    num_seeds, num_users = theta.shape
    out = np.zeros(num_seeds)
    for s in range(num_seeds):
        largest = 0.0
        for i in range(num_users):
            weight = theta[s, i]
            if not weight > 0:
                continue  # a non-player's gap is 0
            gap = _gap(tx_time[s, i], ap_load[s], weight, ap[s, i]) + _gap(
                compute_time[s, i], server_load[s], weight, server[s, i]
            )
            if gap > largest or gap != gap:  # np.maximum: a NaN wins
                if largest == largest:
                    largest = gap
        out[s] = largest
    return out
