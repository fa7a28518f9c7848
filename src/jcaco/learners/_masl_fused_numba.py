"""The fused MASL iteration on the static game, compiled (imports numba; load it through
:mod:`jcaco.game.kernels`). See :mod:`jcaco.learners.masl_fused`.

Two passes over the users per seed instead of the protocol path's dozen array operations:
the first samples both actions (O8) and adds each user's weight to the expected (27)/(28) and
realised (8)/(11) loads; the second reads each user's delay, forms its rewards (35)/(38) and
applies L_R-I (36)/(39) with the O10 row maxima. Every floating-point operation is the one of
the protocol path's kernels (``_masl_numba.sample_kernel``, ``game._resource_numba.
score_kernel``, ``_masl_numba.lri_kernel``, ``MASL.observe``), in the same order, so the
strategies are the same to the bit (``tests/test_masl_fused.py``).
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True, inline="always")
def _sample(probs, s, i, uniform):  # pragma: no cover - compiled
    """``sample_kernel`` for one row, with ``uniform`` = U (the kernel gets 1 - U)."""
    num = probs.shape[2]
    total = 0.0
    for r in range(num):
        total += probs[s, i, r]
    u = (1.0 - uniform) * total
    running = 0.0
    count = 0
    for r in range(num):
        running += probs[s, i, r]
        if running < u:
            count += 1
    return min(count, num - 1)


@numba.njit(cache=True, nogil=True, inline="always")
def _lri(probs, s, i, c, b):  # pragma: no cover - compiled
    """``lri_kernel`` for one row: p <- p (1 - b), p[c] += b (b = 0: unchanged); row max."""
    num = probs.shape[2]
    if b != 0.0:
        keep = 1.0 - b
        for r in range(num):
            probs[s, i, r] = probs[s, i, r] * keep
        probs[s, i, c] = probs[s, i, c] + b
    top = probs[s, i, 0]
    for r in range(1, num):
        if probs[s, i, r] > top:
            top = probs[s, i, r]
    return top


@numba.njit(cache=True, nogil=True)
def fused_iteration_kernel(  # pragma: no cover - compiled
    probs_ap,
    probs_server,
    tx_time_s,
    compute_time_s,
    theta,
    active,
    players,
    uniform_ap,
    uniform_server,
    rate_ap,
    rate_server,
    max_ap_delay_s,
    max_server_delay_s,
    measured,
    threshold,
    ap,
    server,
    converged,
):
    """One MASL iteration in place on the strategies; fills ``ap``, ``server``, ``converged``.

    ``active`` is a(t) as 0/1 floats; ``uniform_*`` the learner's U draws (S, N);
    ``max_*_delay_s`` the O9 normalisers (S, 1); ``measured`` selects O7 (b).
    """
    num_seeds, num_users, num_aps = tx_time_s.shape
    num_servers = compute_time_s.shape[2]
    for s in range(num_seeds):
        expected_ap = np.zeros(num_aps)
        realised_ap = np.zeros(num_aps)
        expected_server = np.zeros(num_servers)
        realised_server = np.zeros(num_servers)
        for i in range(num_users):
            c = _sample(probs_ap, s, i, uniform_ap[s, i])
            k = _sample(probs_server, s, i, uniform_server[s, i])
            ap[s, i] = c
            server[s, i] = k
            w = theta[s, i]
            a = active[s, i]
            t = tx_time_s[s, i, c]
            expected_ap[c] += (t if w > 0 else 0.0) * w
            realised_ap[c] += (t if a > 0 else 0.0) * a
            t = compute_time_s[s, i, k]
            expected_server[k] += (t if w > 0 else 0.0) * w
            realised_server[k] += (t if a > 0 else 0.0) * a
        delay_ap = realised_ap if measured else expected_ap
        delay_server = realised_server if measured else expected_server
        done = True
        for i in range(num_users):
            c = ap[s, i]
            k = server[s, i]
            update = active[s, i] > 0 and players[s, i]
            reward = min(max(1.0 - delay_ap[c] / max_ap_delay_s[s, 0], 0.0), 1.0)
            top_ap = _lri(probs_ap, s, i, c, rate_ap * reward if update else 0.0)
            reward = min(max(1.0 - delay_server[k] / max_server_delay_s[s, 0], 0.0), 1.0)
            top_server = _lri(probs_server, s, i, k, rate_server * reward if update else 0.0)
            if players[s, i] and not (top_ap >= threshold and top_server >= threshold):
                done = False
        converged[s] = done
