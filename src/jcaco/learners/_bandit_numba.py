"""Compiled ``bandit`` step (imports numba; load it through :mod:`jcaco.kernels`).

The kernel does the operations of the numpy form in ``learners.bandit`` in the same order
(the product θ_i T[i, r] where a resource was never played, the first minimum, one
subtraction), so the plays are the same to the bit.
"""

from __future__ import annotations

import numba


@numba.njit(cache=True, nogil=True)
def best_kernel(weight, time, known, tracked, incumbent, best, gain):  # pragma: no cover
    """Per user: the best-estimated resource ``best (S, N)`` and ``gain (S, N)``, the
    incumbent's estimate minus the best's; the estimate is ``tracked`` where ``known``, else
    ``weight * time`` (``weight (S, N)``; the others ``(S, N, R)``)."""
    num_seeds, num_users, num = time.shape
    for s in range(num_seeds):
        for i in range(num_users):
            w = weight[s, i]
            low = 0.0
            at = 0
            mine = 0.0
            c = incumbent[s, i]
            for r in range(num):
                value = tracked[s, i, r] if known[s, i, r] else w * time[s, i, r]
                if r == 0 or value < low:
                    low = value
                    at = r
                if r == c:
                    mine = value
            best[s, i] = at
            gain[s, i] = mine - low
