"""MASL's part of one time slot, compiled (imports numba; load it through :mod:`jcaco.kernels`).
See :mod:`jcaco.learners.masl.slot`.

Per seed, two sweeps over the users, one user at a time (its running sums in registers):

1. sampling (O8) and loads: each user's AP and server are drawn by inverse CDF from its
   strategies (``_sample_numba.sample_kernel``'s operations: the row total, ``u = (1 - U)
   total``, the count of running sums below ``u``), an inactive user keeps its last action
   with ``sampling="active"`` (``MASL.act``'s ``np.where``), and the chosen times are added to
   the expected (27), (28) and realised (8), (11) loads in user order
   (``game._resource_numba.score_kernel``'s operations);
2. feedback and learning: each user's expected and realised delay at its choice (the loads
   of its resources, ``score_kernel``), its reward (35), (38) ``clip(1 - delay / T̄max, 0,
   1)`` (``MASL.observe``), the L_R-I step (34), (36), (39) of an active player
   (``masl._lri_numba.lri_kernel``: ``p <- p (1 - b)``, then ``p[c] += b``; a step of 0 leaves
   the row) and the row maxima of the O10 test.

The same floating-point operations in the same order per user as the protocol path, so the
same bits (``tests/test_masl_slot.py``). No transcendental function is evaluated: the
uniforms are drawn by numpy (:class:`jcaco.learners.masl.slot.FusedSlot`) and the channel
stays with the environment.

The strategies are MASL's resource-major arrays, passed as their ``(S, R, N)`` C-ordered
blocks; a user's row is R entries N apart, and consecutive users read consecutive entries of
each resource's row (R streams the processor prefetches). A block-wise form (the static
pass's layout, loops over a block's users per resource) timed 4x slower here: its running
sums went through memory, where the per-user loop keeps them in registers.
"""

from __future__ import annotations

import numba


@numba.njit(cache=True, nogil=True, inline="always")
def _sample(probs, s, i, uniform):  # pragma: no cover - compiled
    """``sample_kernel`` for user i of seed s: the row total, u = (1 - U) total, the count of
    running sums below u (at most R - 1). ``probs`` (S, R, N)."""
    num = probs.shape[1]
    total = 0.0
    for r in range(num):
        total += probs[s, r, i]
    point = (1.0 - uniform) * total
    running = 0.0
    count = 0
    for r in range(num):
        running += probs[s, r, i]
        count += running < point  # no branch on the random comparison
    return min(count, num - 1)


@numba.njit(cache=True, nogil=True, inline="always")
def _learn(probs, s, i, c, b):  # pragma: no cover - compiled
    """``lri_kernel`` for user i of seed s with choice c and step b: p <- p (1 - b), then
    p[c] += b (b = 0 leaves the row); returns the row's largest entry after the update."""
    num = probs.shape[1]
    if b != 0.0:
        keep = 1.0 - b
        for r in range(num):
            probs[s, r, i] = probs[s, r, i] * keep
        probs[s, c, i] = probs[s, c, i] + b
    top = probs[s, 0, i]
    for r in range(1, num):
        if probs[s, r, i] > top:
            top = probs[s, r, i]
    return top


@numba.njit(cache=True, nogil=True, inline="always")
def _reward(delay, max_delay_s):  # pragma: no cover - compiled
    """``np.clip(1 - delay / max_delay_s, 0, 1)`` (NaN stays NaN), (35), (38)."""
    reward = 1.0 - delay / max_delay_s
    if reward < 0.0:
        reward = 0.0
    if reward > 1.0:
        reward = 1.0
    return reward


@numba.njit(cache=True, nogil=True)
def masl_slot_kernel(strategies, last, uniforms, slot_game, settings, out):  # pragma: no cover
    """MASL's act, the slot's score and MASL's observe for every seed (see the module).

    Parameters
    ----------
    strategies : (probs_ap (S, M, N), probs_server (S, K, N))
        MASL's strategies, resource-major, updated in place.
    last : (ap (S, N), server (S, N))
        The actions an inactive user keeps (``sampling="active"``).
    uniforms : (ap (S, N), server (S, N))
        The AP and the server draws U of the slot (``sample_from``'s, before ``1 - U``).
    slot_game : (active (S, N) bool, theta (S, N), players (S, N) bool, tx_time_s (S, N, M),
        compute_time_s (S, N, K))
        a(t), θ of the slot's game, who updates when active, and the slot's times [s].
    settings : (max_ap_delay_s (S, 1 or N), max_server_delay_s (S, 1 or N), rates (b_c, b_o),
        threshold, sample_all, measured)
        T̄max of (35), (38), the learning rates, O10's threshold and the options.
    out : (actions, delays, loads, converged)
        Receive the slot's actions (ap (S, N), server (S, N)); each user's expected AP,
        expected server, realised AP and realised server delay [s] (``delays`` (4, S, N));
        the expected and the realised loads [s] (``loads`` = (ap (2, S, M), server
        (2, S, K))); O10 after the update (``converged`` (S,) bool).
    """
    probs_ap, probs_server = strategies
    active, theta, players, tx_time_s, compute_time_s = slot_game
    max_ap, max_server, rates, threshold, sample_all, measured = settings
    (ap, server), delays, (load_ap, load_server), converged = out
    num_seeds, num_users = theta.shape
    per_user_ap, per_user_server = max_ap.shape[1] > 1, max_server.shape[1] > 1
    load_ap[...] = 0.0
    load_server[...] = 0.0
    for s in range(num_seeds):
        for i in range(num_users):  # act (O8) and the loads (score_kernel's order)
            c = _sample(probs_ap, s, i, uniforms[0][s, i])
            k = _sample(probs_server, s, i, uniforms[1][s, i])
            on = active[s, i]
            if not (sample_all or on):  # an inactive user keeps its action
                c, k = last[0][s, i], last[1][s, i]
            ap[s, i], server[s, i] = c, k
            w = theta[s, i]
            a = 1.0 if on else 0.0
            t_ap, t_server = tx_time_s[s, i, c], compute_time_s[s, i, k]
            load_ap[0, s, c] += (t_ap if w > 0 else 0.0) * w
            load_ap[1, s, c] += (t_ap if a > 0 else 0.0) * a
            load_server[0, s, k] += (t_server if w > 0 else 0.0) * w
            load_server[1, s, k] += (t_server if a > 0 else 0.0) * a
        signal = 1 if measured else 0
        done = True
        for i in range(num_users):  # the feedback, the rewards, L_R-I and O10
            c, k = ap[s, i], server[s, i]
            delays[0, s, i] = load_ap[0, s, c]
            delays[1, s, i] = load_server[0, s, k]
            delays[2, s, i] = load_ap[1, s, c]
            delays[3, s, i] = load_server[1, s, k]
            update = active[s, i] and players[s, i]
            b_ap = b_server = 0.0
            if update:
                reward = _reward(load_ap[signal, s, c], max_ap[s, i if per_user_ap else 0])
                b_ap = rates[0] * reward
                reward = _reward(
                    load_server[signal, s, k], max_server[s, i if per_user_server else 0]
                )
                b_server = rates[1] * reward
            top_ap = _learn(probs_ap, s, i, c, b_ap)
            top_server = _learn(probs_server, s, i, k, b_server)
            if players[s, i] and not (top_ap >= threshold and top_server >= threshold):
                done = False
        converged[s] = done
