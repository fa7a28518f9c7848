"""Compiled loads of a profile and best responses (imports numba; load it through
:mod:`jcaco.kernels`)."""

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


@numba.njit(cache=True, nogil=True)
def sum_chosen(ws, cs, load):  # pragma: no cover - compiled
    """load[r] = Σ_{i: cs_i = r} ws[i, r], summed in user order from 0.0 (``resource.loads``:
    ``np.bincount`` of the chosen weights)."""
    load[:] = 0.0
    for i in range(cs.shape[0]):
        load[cs[i]] += ws[i, cs[i]]


@numba.njit(cache=True, nogil=True)
def first_cheapest(load, row, current, cost):  # pragma: no cover - compiled
    """``np.argmin`` of one user's deviation costs (docs/model.md (43)), filled in ``cost``.

    ``cost[r] = load[r] + row[r]``, ``cost[current] = load[current]``; the first minimum, or
    the first NaN when there is one (numpy's rule).
    """
    for r in range(load.shape[0]):
        cost[r] = load[r] + row[r]
    cost[current] = load[current]
    if cost[0] != cost[0]:
        return 0
    best = 0
    for r in range(1, load.shape[0]):
        value = cost[r]
        if value != value:
            return r
        if value < cost[best]:
            best = r
    return best


@numba.njit(cache=True, nogil=True)
def best_responses_kernel(w, choice, load, fresh, atol):  # pragma: no cover - compiled
    """``resource.best_responses`` for ``w (S, N, R)``, ``choice (S, N)``: (best, gain).

    ``load (S, R)`` are the loads to respond to, or with ``fresh`` summed here from ``choice``
    (``load`` is then not read). A user moves to its first cheapest resource when that gains
    more than ``atol`` and its weight row has a positive entry; else it keeps its choice with
    gain 0. The same operations as the numpy form (NaN gains, from inf - inf, never move).
    """
    num_seeds, num_users, num_resources = w.shape
    best = np.empty((num_seeds, num_users), dtype=np.int64)
    gain = np.empty((num_seeds, num_users))
    row_load = np.empty(num_resources)
    cost = np.empty(num_resources)
    for s in range(num_seeds):
        if fresh:
            sum_chosen(w[s], choice[s], row_load)
        else:
            row_load[:] = load[s]
        for i in range(num_users):
            row = w[s, i]
            c = choice[s, i]
            argbest = first_cheapest(row_load, row, c, cost)
            drop = row_load[c] - cost[argbest]
            plays = False
            for r in range(num_resources):
                if row[r] > 0:
                    plays = True
            if drop > atol and plays:
                best[s, i], gain[s, i] = argbest, drop
            else:
                best[s, i], gain[s, i] = c, 0.0
    return best, gain
