"""Compiled step of the random walk (imports numba; load it through :mod:`jcaco.kernels`).

The step and the fold of :func:`jcaco.sim.dynamics._walk_in_place`, the same operations on the
same numbers (the cosines and sines are numpy's, made by the caller), so the same positions
(``tests/test_slot_channel.py``).
"""

from __future__ import annotations

import math

import numba


@numba.njit(cache=True, nogil=True)
def walk_kernel(xy, uniform, cosine, sine, radius_m, side):  # pragma: no cover - compiled
    """Step ``xy (S, N, 2)`` in place and fold it into each seed's ``[0, side]`` square.

    The step of user i is ``radius_m sqrt(u_0)`` times the given cosine and sine of its angle
    (``uniform (S, N, 2)``, ``cosine`` and ``sine`` ``(S, N)``). The fold is the caller's fast
    path: a coordinate below 0 gets the period ``2 side`` added, then every coordinate gets
    0.0 added (a -0.0 becomes +0.0), and one above ``side`` becomes ``period - x``. It holds
    only when every stepped coordinate lies strictly within (-p, p) of the shortest period p;
    when one does not (or is NaN) the positions are left stepped but not folded and False is
    returned (the caller folds with ``np.mod``).
    """
    num_seeds, num_users, _ = xy.shape
    shortest = math.inf
    for s in range(num_seeds):
        shortest = min(shortest, 2.0 * side[s])
    inside = True
    for s in range(num_seeds):
        for i in range(num_users):
            radius = radius_m * math.sqrt(uniform[s, i, 0])
            x = xy[s, i, 0] + radius * cosine[s, i]
            y = xy[s, i, 1] + radius * sine[s, i]
            xy[s, i, 0], xy[s, i, 1] = x, y
            if not (-shortest < x < shortest and -shortest < y < shortest):
                inside = False
    if not inside:
        return False
    for s in range(num_seeds):
        period = 2.0 * side[s]
        for i in range(num_users):
            for k in range(2):
                v = xy[s, i, k]
                if v < 0.0:
                    v = v + period
                v = v + 0.0
                if v > side[s]:
                    v = period - v
                xy[s, i, k] = v
    return True
