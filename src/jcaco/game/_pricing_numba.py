"""Compiled user counts a chosen AP and server broadcast (imports numba; load it through
:mod:`jcaco.kernels`)."""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def _counts_at_choice(theta, active, choice, size, expected, measured):  # pragma: no cover
    """Per seed, Σθ and Σa of the users on each resource, summed in user order from 0.0 (as
    ``np.bincount``), read back at each user's choice; False (nothing trusted) when a choice
    is outside ``[0, size)``."""
    num_seeds, num_users = choice.shape
    total_expected = np.empty(size)
    total_measured = np.empty(size)
    for s in range(num_seeds):
        total_expected[:] = 0.0
        total_measured[:] = 0.0
        for i in range(num_users):
            c = choice[s, i]
            if c < 0 or c >= size:
                return False
            total_expected[c] += theta[s, i]
            total_measured[c] += active[s, i]
        for i in range(num_users):
            expected[s, i] = total_expected[choice[s, i]]
            measured[s, i] = total_measured[choice[s, i]]
    return True


@numba.njit(cache=True, nogil=True)
def broadcast_counts_kernel(theta, active, ap, server, num_aps, num_servers):  # pragma: no cover
    """``pricing.broadcast_counts`` for ``theta``, ``active``, ``ap``, ``server`` all ``(S, N)``.

    Returns the AP's expected and measured counts, the server's, and whether every choice was
    in range (the numpy form must run otherwise).
    """
    out = np.empty((4, ap.shape[0], ap.shape[1]))
    ok = _counts_at_choice(theta, active, ap, num_aps, out[0], out[1])
    ok = ok and _counts_at_choice(theta, active, server, num_servers, out[2], out[3])
    return out[0], out[1], out[2], out[3], ok
