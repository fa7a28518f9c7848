"""MASL's part of one time slot, compiled (imports numba; load it through :mod:`jcaco.kernels`).
See :mod:`jcaco.learners.masl_slot`.

Per seed, two sweeps over the users, a block of :data:`BLOCK` users at a time:

1. sampling (O8) and loads: each user's AP and server are drawn by inverse CDF from its
   strategies (``_masl_numba.sample_kernel``'s operations: the row total, ``u = (1 - U)
   total``, the count of running sums below ``u``), an inactive user keeps its last action
   with ``sampling="active"`` (``MASL.act``'s ``np.where``), and the chosen times are added to
   the expected (27), (28) and realised (8), (11) loads in user order
   (``game._resource_numba.score_kernel``'s operations);
2. feedback and learning: each user's expected and realised delay at its choice (the loads
   of its resources, ``score_kernel``), its reward (35), (38) ``clip(1 - delay / T̄max, 0,
   1)`` (``MASL.observe``), the L_R-I step (34), (36), (39) of an active player
   (``_masl_numba.lri_kernel``: ``p <- p (1 - b)``, then ``p[c] += b``; a step of 0 leaves
   the row) and the row maxima of the O10 test.

The same floating-point operations in the same order per user as the protocol path, so the
same bits (``tests/test_masl_slot.py``). No transcendental function is evaluated: the
uniforms are drawn by numpy (:class:`jcaco.learners.masl_slot.FusedSlot`) and the channel
stays with the environment.

The strategies are MASL's resource-major arrays, passed as their ``(S, R, N)`` C-ordered
blocks: within a block every loop runs over the block's users on contiguous memory.
"""

from __future__ import annotations

import numba
import numpy as np

#: Users per block: a block's rows of both strategies (2 x 10 x 512 x 8 B = 80 kB at R = 10)
#: stay in the L2 cache between the two sweeps' operations on them.
BLOCK = 512


@numba.njit(cache=True, nogil=True)
def _sample_block(
    probs, s, i0, size, uniform, last, active, sample_all, out, work, count
):  # pragma: no cover - compiled
    """Inverse-CDF samples of users i0 .. i0 + size - 1 of seed s into ``out[s]`` (an inactive
    user keeps ``last[s, i]`` unless ``sample_all``). ``probs`` (S, R, N); ``uniform`` (S, N)
    the drawn U; ``work`` (3, W) and ``count`` (W) scratch."""
    num = probs.shape[1]
    total, point, running = work[0], work[1], work[2]
    row = probs[s, 0]
    for j in range(size):
        total[j] = 0.0 + row[i0 + j]
    for r in range(1, num):
        row = probs[s, r]
        for j in range(size):
            total[j] += row[i0 + j]
    row = probs[s, 0]
    for j in range(size):
        point[j] = (1.0 - uniform[s, i0 + j]) * total[j]
        running[j] = 0.0 + row[i0 + j]
        count[j] = running[j] < point[j]
    for r in range(1, num):
        row = probs[s, r]
        for j in range(size):
            running[j] += row[i0 + j]
            count[j] += running[j] < point[j]
    for j in range(size):
        i = i0 + j
        drawn = min(count[j], num - 1)
        out[s, i] = drawn if sample_all or active[s, i] else last[s, i]


@numba.njit(cache=True, nogil=True)
def _add_loads(
    time, s, i0, size, choice, theta, active, expected, realised
):  # pragma: no cover - compiled
    """Add users i0 .. i0 + size - 1's chosen times to seed s's expected and realised loads
    (``score_kernel``'s operations, in user order)."""
    for i in range(i0, i0 + size):
        c = choice[s, i]
        t = time[s, i, c]
        w = theta[s, i]
        a = 1.0 if active[s, i] else 0.0
        expected[s, c] += (t if w > 0 else 0.0) * w
        realised[s, c] += (t if a > 0 else 0.0) * a


@numba.njit(cache=True, nogil=True)
def _learn_block(
    probs, s, i0, size, choice, loads, delays, settings, update, step, top
):  # pragma: no cover - compiled
    """Users i0 .. i0 + size - 1 of seed s: their expected and realised delays ``delays``
    ((S, N) each) from ``loads`` (expected (S, R), realised (S, R)); ``settings`` =
    (T̄max (S, 1 or N), the rate b, which of the two loads the reward reads); the step
    b r (35)/(38) of a user that ``update[i]`` (into ``step``, W), L_R-I in place and the
    row maxima ``top`` (W)."""
    max_delay_s, rate, signal = settings
    num = probs.shape[1]
    per_user = max_delay_s.shape[1] > 1
    for j in range(size):
        i = i0 + j
        c = choice[s, i]
        delays[0][s, i] = loads[0][s, c]
        delays[1][s, i] = loads[1][s, c]
        reward = 1.0 - loads[signal][s, c] / max_delay_s[s, i if per_user else 0]
        if reward < 0.0:  # np.clip(reward, 0, 1): NaN stays NaN
            reward = 0.0
        if reward > 1.0:
            reward = 1.0
        step[j] = rate * reward if update[i] else 0.0
    for r in range(num):
        row = probs[s, r]
        for j in range(size):
            b = step[j]
            value = row[i0 + j]
            if b != 0.0:  # lri_kernel: p (1 - b), then + b at the choice
                value = value * (1.0 - b)
                if choice[s, i0 + j] == r:
                    value = value + b
                row[i0 + j] = value
            if r == 0 or value > top[j]:
                top[j] = value


@numba.njit(cache=True, nogil=True)
def masl_slot_kernel(  # pragma: no cover - compiled
    strategies,
    last,
    uniforms,
    slot_game,
    settings,
    actions,
    delays,
    loads,
    converged,
):
    """MASL's act, the slot's score and MASL's observe for every seed (see the module).

    Parameters
    ----------
    strategies : (probs_ap (S, M, N), probs_server (S, K, N))
        MASL's strategies, resource-major, updated in place.
    last : (ap (S, N), server (S, N))
        The actions an inactive user keeps (``sampling="active"``).
    uniforms : ndarray, shape (2, S, N)
        The AP and the server draws U of the slot (``sample_from``'s, before ``1 - U``).
    slot_game : (active (S, N) bool, theta (S, N), players (S, N) bool, tx_time_s (S, N, M),
        compute_time_s (S, N, K))
        a(t), θ of the slot's game, who updates when active, and the slot's times [s].
    settings : (max_ap_delay_s (S, 1 or N), max_server_delay_s (S, 1 or N), rates (b_c, b_o),
        threshold, sample_all, measured)
        T̄max of (35), (38), the learning rates, O10's threshold and the options.
    actions : (ap (S, N), server (S, N))
        Receive the slot's actions.
    delays : ndarray, shape (4, S, N)
        Receive each user's expected AP, expected server, realised AP and realised server
        delay [s].
    loads : (ap (2, S, M), server (2, S, K))
        Receive the expected and the realised loads [s].
    converged : ndarray of bool, shape (S,)
        Receives O10 after the update.
    """
    probs_ap, probs_server = strategies
    active, theta, players, tx_time_s, compute_time_s = slot_game
    max_ap, max_server, rates, threshold, sample_all, measured = settings
    ap, server = actions
    load_ap, load_server = loads
    num_seeds, num_users = theta.shape
    signal = 1 if measured else 0
    work = np.empty((3, BLOCK))
    count = np.empty(BLOCK, dtype=np.int64)
    top = np.empty((2, BLOCK))
    update = np.empty(num_users, dtype=np.bool_)
    load_ap[...] = 0.0
    load_server[...] = 0.0
    for s in range(num_seeds):
        for i0 in range(0, num_users, BLOCK):
            size = min(BLOCK, num_users - i0)
            _sample_block(
                probs_ap, s, i0, size, uniforms[0], last[0], active, sample_all, ap, work, count
            )
            _sample_block(
                probs_server,
                s,
                i0,
                size,
                uniforms[1],
                last[1],
                active,
                sample_all,
                server,
                work,
                count,
            )
            _add_loads(tx_time_s, s, i0, size, ap, theta, active, load_ap[0], load_ap[1])
            _add_loads(
                compute_time_s, s, i0, size, server, theta, active, load_server[0], load_server[1]
            )
        for i in range(num_users):
            update[i] = active[s, i] and players[s, i]
        done = True
        for i0 in range(0, num_users, BLOCK):
            size = min(BLOCK, num_users - i0)
            _learn_block(
                probs_ap,
                s,
                i0,
                size,
                ap,
                (load_ap[0], load_ap[1]),
                (delays[0], delays[2]),
                (max_ap, rates[0], signal),
                update,
                work[0],
                top[0],
            )
            _learn_block(
                probs_server,
                s,
                i0,
                size,
                server,
                (load_server[0], load_server[1]),
                (delays[1], delays[3]),
                (max_server, rates[1], signal),
                update,
                work[0],
                top[1],
            )
            if done:  # O10, up to the first player not yet converged
                for j in range(size):
                    converged_here = top[0, j] >= threshold and top[1, j] >= threshold
                    if players[s, i0 + j] and not converged_here:
                        done = False
                        break
        converged[s] = done
