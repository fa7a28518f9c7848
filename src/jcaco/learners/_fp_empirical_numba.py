"""Compiled believed costs of ``fp-empirical`` (imports numba; load it through
:mod:`jcaco.kernels`)."""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def belief_cost_kernel(time, theta, q):  # pragma: no cover - compiled
    """``empirical_belief_cost`` from the beliefs ``q (S, N, R)``, ``time (S, N, R)``,
    ``theta (S, N)``: ``(S, N, R)`` [s].

    The numpy form's operations in its order: each user's contribution ``(θ_j q_j(r))
    T_{j,r}`` (0.0 where ``q_j(r)`` is not positive), summed over the users in user order
    from 0.0 (numpy's sum over that axis when R >= 2), then ``(T_{i,r} + sum) - own``.
    """
    num_seeds, num_users, num_resources = time.shape
    out = np.empty((num_seeds, num_users, num_resources))
    total = np.empty(num_resources)
    for s in range(num_seeds):
        total[:] = 0.0
        for i in range(num_users):
            for r in range(num_resources):
                value = theta[s, i] * q[s, i, r] * time[s, i, r] if q[s, i, r] > 0 else 0.0
                out[s, i, r] = value
                total[r] += value
        for i in range(num_users):
            for r in range(num_resources):
                out[s, i, r] = (time[s, i, r] + total[r]) - out[s, i, r]
    return out
