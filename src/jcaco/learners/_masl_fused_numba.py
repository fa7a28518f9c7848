"""The fused MASL iteration on the static game, compiled (imports numba; load it through
:mod:`jcaco.kernels`). See :mod:`jcaco.learners.masl_fused`.

Two sweeps over the users per seed instead of the protocol path's dozen array operations: the
first samples both actions (O8) and adds each user's weight to the expected (27)/(28) and
realised (8)/(11) loads; the second forms each user's rewards (35)/(38) from its delay and
applies L_R-I (36)/(39) with the O10 row maxima. Every floating-point operation is the one of
the protocol path's kernels (``_masl_numba.sample_kernel``, ``game._resource_numba.
score_kernel``, ``_masl_numba.lri_kernel``, ``MASL.observe``), in the same order per user, so
the strategies are the same to the bit (``tests/test_masl_fused.py``).

The strategies are taken resource-major, ``(S, R, N)`` (MASL's own memory layout). Sampling
reads a user's R entries one after another (a running sum per user); L_R-I runs resource by
resource over all users, so its inner loops are contiguous and vectorise (3x faster than a
row at a time, whose R entries lie N apart).
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def row_totals(probs, total):  # pragma: no cover - compiled
    """``total[s, i]`` = the sum of user i's row, added in ``sample_kernel``'s order."""
    for s in range(probs.shape[0]):
        for i in range(probs.shape[2]):
            total[s, i] = 0.0 + probs[s, 0, i]
        for r in range(1, probs.shape[1]):
            for i in range(probs.shape[2]):
                total[s, i] += probs[s, r, i]


@numba.njit(cache=True, nogil=True)
def _sample_columns(
    probs, s, uniform, total, out, point, running, count, keep
):  # pragma: no cover - compiled
    """``sample_kernel`` for every user of seed s, given the row totals; users with
    ``keep[i]`` keep ``out[s, i]`` (MASL's ``sampling="active"``: the inactive ones).

    Resource by resource over the users: the running sums are the kernel's additions in its
    order, and the index is the number of them below ``(1 - U) total``.
    """
    num, num_users = probs.shape[1], probs.shape[2]
    for i in range(num_users):
        point[i] = (1.0 - uniform[s, i]) * total[s, i]
        running[i] = 0.0
        count[i] = 0
    for r in range(num):
        for i in range(num_users):
            running[i] += probs[s, r, i]
            count[i] += running[i] < point[i]
    for i in range(num_users):
        if not keep[i]:
            out[s, i] = min(count[i], num - 1)


@numba.njit(cache=True, nogil=True)
def _lri_columns(probs, s, choice, step, top, total):  # pragma: no cover - compiled
    """``lri_kernel`` for every user of seed s in one sweep; also the next row totals.

    Resource by resource over the users: p[r] <- p[r] (1 - b) and then, for r = c, + b (the
    kernel's two operations; for r != c adding 0.0 leaves the product's bits, as does b = 0
    leave a row: probabilities are never -0.0 or NaN). The row maximum is the kernel's running
    ``>`` comparison, and the row total the next sampling needs is summed in its order.
    """
    num, num_users = probs.shape[1], probs.shape[2]
    for i in range(num_users):
        b = step[i]
        value = probs[s, 0, i] * (1.0 - b) + (b if choice[s, i] == 0 else 0.0)
        probs[s, 0, i] = value
        top[i] = value
        total[s, i] = 0.0 + value
    for r in range(1, num):
        for i in range(num_users):
            b = step[i]
            value = probs[s, r, i] * (1.0 - b) + (b if choice[s, i] == r else 0.0)
            probs[s, r, i] = value
            top[i] = max(top[i], value)
            total[s, i] += value


@numba.njit(cache=True, nogil=True)
def fused_iteration_kernel(  # pragma: no cover - compiled
    probs_ap,
    probs_server,
    tx_time_s,
    compute_time_s,
    theta,
    uniform_active,
    players,
    uniform_ap,
    uniform_server,
    rate_ap,
    rate_server,
    max_ap_delay_s,
    max_server_delay_s,
    measured,
    sample_all,
    threshold,
    ap,
    server,
    converged,
    total_ap,
    total_server,
    work,
    count,
):
    """One MASL iteration in place on the strategies; fills ``ap``, ``server``, ``converged``.

    ``probs_*`` are resource-major ``(S, R, N)``; ``uniform_active`` are the environment's U
    draws (S, N), a_i(t) = [U < θ_i] (1); ``uniform_ap``, ``uniform_server`` the learner's;
    ``max_*_delay_s`` the O9 normalisers (S, 1); ``measured`` selects O7 (b);
    ``sample_all`` makes every user sample (else an inactive user keeps its action in
    ``ap``, ``server``, which hold the last slot's on entry); ``total_*``
    (S, N) hold every row's total (:func:`row_totals`) and are updated for the next
    iteration; ``work`` (6, N) and ``count`` (N, integers) are scratch.
    """
    num_seeds, num_users, num_aps = tx_time_s.shape
    num_servers = compute_time_s.shape[2]
    step_ap, step_server, top_ap, top_server = work[0], work[1], work[2], work[3]
    point, running = work[4], work[5]
    keep = np.empty(num_users, dtype=np.bool_)
    per_ap = np.empty(num_aps)
    per_server = np.empty(num_servers)
    for s in range(num_seeds):
        expected_ap = np.zeros(num_aps)
        realised_ap = np.zeros(num_aps)
        expected_server = np.zeros(num_servers)
        realised_server = np.zeros(num_servers)
        for i in range(num_users):  # who keeps its last action
            keep[i] = not sample_all and not uniform_active[s, i] < theta[s, i]
        _sample_columns(probs_ap, s, uniform_ap, total_ap, ap, point, running, count, keep)
        _sample_columns(
            probs_server, s, uniform_server, total_server, server, point, running, count, keep
        )
        for i in range(num_users):  # the loads, summed in user order
            c = ap[s, i]
            k = server[s, i]
            w = theta[s, i]
            a = 1.0 if uniform_active[s, i] < w else 0.0
            t = tx_time_s[s, i, c]
            expected_ap[c] += (t if w > 0 else 0.0) * w
            realised_ap[c] += (t if a > 0 else 0.0) * a
            t = compute_time_s[s, i, k]
            expected_server[k] += (t if w > 0 else 0.0) * w
            realised_server[k] += (t if a > 0 else 0.0) * a
        # a user's delay, hence its reward (35), (38) and step b r, is its resource's: the
        # same operations on the same numbers, once per resource instead of once per user
        delay_ap = realised_ap if measured else expected_ap
        delay_server = realised_server if measured else expected_server
        for c in range(num_aps):
            reward = min(max(1.0 - delay_ap[c] / max_ap_delay_s[s, 0], 0.0), 1.0)
            per_ap[c] = rate_ap * reward
        for k in range(num_servers):
            reward = min(max(1.0 - delay_server[k] / max_server_delay_s[s, 0], 0.0), 1.0)
            per_server[k] = rate_server * reward
        for i in range(num_users):  # only the active players update (b r x 0.0 = 0.0)
            update = 1.0 if (uniform_active[s, i] < theta[s, i]) & players[s, i] else 0.0
            step_ap[i] = per_ap[ap[s, i]] * update
            step_server[i] = per_server[server[s, i]] * update
        _lri_columns(probs_ap, s, ap, step_ap, top_ap, total_ap)
        _lri_columns(probs_server, s, server, step_server, top_server, total_server)
        done = True
        for i in range(num_users):  # O10: stop at the first player not yet converged
            if players[s, i] and not (top_ap[i] >= threshold and top_server[i] >= threshold):
                done = False
                break
        converged[s] = done
