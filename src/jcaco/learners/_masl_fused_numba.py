"""The fused MASL iteration on the static game, compiled (imports numba; load it through
:mod:`jcaco.kernels`). See :mod:`jcaco.learners.masl_fused`.

One sweep over the users per seed and slot instead of the protocol path's dozen array
operations. Slot t's sweep takes a block of users at a time and, while the block's rows are in
the cache, applies slot t's L_R-I (36)/(39) with its rewards (35)/(38) (and, until a player
is found not to have converged, the O10 row maxima), then samples the block's slot-t+1
actions (O8) from the rows it has just written (their totals are the update's running sums)
and adds the block's weights to slot t+1's expected (27)/(28) and realised (8)/(11) loads.
So slot t+1's uniforms are drawn before slot t's sweep
(:class:`jcaco.learners.masl_fused.FusedPass` draws them and puts the generators back at the
end), and the first slot's sampling is a sweep of its own (:func:`prime_kernel`).

Every floating-point operation is the one of the protocol path's kernels
(``_masl_numba.sample_kernel``, ``game._resource_numba.score_kernel``,
``_masl_numba.lri_kernel``, ``MASL.observe``), in the same order per user, and the loads are
summed in user order, so the strategies are the same to the bit (``tests/test_masl_fused.py``).

The strategies are tiled, ``(S, B, R, W)``: block b holds the rows of users b W .. b W + W - 1,
resource by resource (:func:`jcaco.learners.masl_fused.tile`). Within a block every loop runs
resource by resource over the block's users, on contiguous memory, and vectorises; a sweep reads
and writes the strategies in one stream, and the block's scratch (row totals, running sums,
maxima) stays in the L1 cache. (In MASL's own resource-major ``(S, R, N)`` layout a block is R
pieces of W floats, N apart, which the hardware prefetcher does not follow: the row totals of a
blocked sweep took 5x as long there at N = 10^5, docs/performance.md.) The random a_i(t) is
only ever selected on (``&``, and both operands loaded), never branched on.
"""

from __future__ import annotations

import numba
import numpy as np

#: Users per block W: a block's rows of both strategies (2 x 10 x 512 x 8 B = 80 kB at R = 10)
#: stay in the L2 cache between the update and the sampling, its scratch in L1.
BLOCK = 512


@numba.njit(cache=True, nogil=True)
def _row_totals(probs, s, b, size, total):  # pragma: no cover - compiled
    """``total[j]`` = the sum of block b's user j's row, added in ``sample_kernel``'s order."""
    row = probs[s, b, 0]
    for j in range(size):
        total[j] = 0.0 + row[j]
    for r in range(1, probs.shape[2]):
        row = probs[s, b, r]
        for j in range(size):
            total[j] += row[j]


@numba.njit(cache=True, nogil=True)
def _row_max(probs, s, b, size, top):  # pragma: no cover - compiled
    """``top[j]`` = the largest entry of block b's user j's row (``lri_kernel``'s maximum)."""
    row = probs[s, b, 0]
    for j in range(size):
        top[j] = row[j]
    for r in range(1, probs.shape[2]):
        row = probs[s, b, r]
        for j in range(size):
            top[j] = max(top[j], row[j])


@numba.njit(cache=True, nogil=True)
def _lri_block(probs, s, b, i0, i1, choice, step, total):  # pragma: no cover - compiled
    """``lri_kernel`` for users i0..i1-1 (block b) of seed s; also their new row totals.

    Resource by resource: p[r] <- p[r] (1 - b) and then, for r = c, + b (the kernel's two
    operations; for r != c adding 0.0 leaves the product's bits, as does b = 0 leave a row:
    probabilities are never -0.0 or NaN). The row total the next sampling needs is summed in
    its order.
    """
    num, size = probs.shape[2], i1 - i0
    chosen = choice[s, i0:i1]
    row = probs[s, b, 0]
    for j in range(size):
        rate = step[j]
        value = row[j] * (1.0 - rate) + (rate if chosen[j] == 0 else 0.0)
        row[j] = value
        total[j] = 0.0 + value
    for r in range(1, num):
        row = probs[s, b, r]
        for j in range(size):
            rate = step[j]
            value = row[j] * (1.0 - rate) + (rate if chosen[j] == r else 0.0)
            row[j] = value
            total[j] += value


@numba.njit(cache=True, nogil=True)
def _sample_block(
    probs, s, b, i0, i1, uniform, activity, theta, sample_all, total, last, out, scratch, count
):  # pragma: no cover - compiled
    """``sample_kernel`` for users i0..i1-1 (block b) of seed s, given their row totals
    ``total[j]`` and uniforms ``uniform`` (S, N); with ``sampling="active"`` (not
    ``sample_all``) a user inactive by ``activity`` (S, N), a(t) = [U < θ], keeps
    ``last[s, i]``. ``scratch`` (2, W) and ``count`` (W) are work space.

    Resource by resource: the running sums are the kernel's additions in its order, and the
    index is the number of them below ``(1 - U) total``.
    """
    num, size = probs.shape[2], i1 - i0
    draw, point, running = uniform[s, i0:i1], scratch[0], scratch[1]
    row = probs[s, b, 0]
    for j in range(size):
        point[j] = (1.0 - draw[j]) * total[j]
        running[j] = 0.0 + row[j]
        count[j] = running[j] < point[j]
    for r in range(1, num):
        row = probs[s, b, r]
        for j in range(size):
            running[j] += row[j]
            count[j] += running[j] < point[j]
    before, after = last[s, i0:i1], out[s, i0:i1]
    uniform_active, weight = activity[s, i0:i1], theta[s, i0:i1]
    for j in range(size):  # both loaded, then selected: no branch on the random a_i(t)
        kept, drawn = before[j], min(count[j], num - 1)
        after[j] = drawn if sample_all | (uniform_active[j] < weight[j]) else kept


@numba.njit(cache=True, nogil=True)
def _load_block(
    tx_time_s, compute_time_s, theta, players, activity, s, i0, i1, ap, server, update, loads
):  # pragma: no cover - compiled
    """The block's part of the slot's four loads ``loads[s]`` = (expected AP (27), realised
    AP (8), expected server (28), realised server (11)), added in user order, a(t) =
    [U < θ] (1) from ``activity`` (S, N); ``update[s, i]``: whether user i updates at the
    slot's end (an active player). ``score_kernel`` adds ``(t if a > 0 else 0) a`` to the
    realised load: t for a = 1 (t x 1.0 is t) and 0.0 for a = 0, as here."""
    expected_ap, realised_ap = loads[s, 0], loads[s, 1]
    expected_server, realised_server = loads[s, 2], loads[s, 3]
    for i in range(i0, i1):
        c = ap[s, i]
        k = server[s, i]
        w = theta[s, i]
        active = activity[s, i] < w
        update[s, i] = active & players[s, i]
        t = tx_time_s[s, i, c]
        expected_ap[c] += (t if w > 0 else 0.0) * w
        realised_ap[c] += t if active else 0.0
        t = compute_time_s[s, i, k]
        expected_server[k] += (t if w > 0 else 0.0) * w
        realised_server[k] += t if active else 0.0


@numba.njit(cache=True, nogil=True)
def _start_block(
    game, uniform, sample_all, s, b, actions, update, loads, scratch, count
):  # pragma: no cover - compiled
    """Block b of a slot's start: both samples (O8) given the row totals ``scratch[2]``,
    ``scratch[3]`` (:func:`_sample_block`), then the loads and who updates
    (:func:`_load_block`). ``game`` and ``uniform`` as in :func:`fused_iteration_kernel`;
    ``actions`` = (AP, server actions kept by the inactive users; the new ones)."""
    probs_ap, probs_server, tx_time_s, compute_time_s, theta, players = game
    last_ap, last_server, ap, server = actions
    block = probs_ap.shape[3]
    i0 = b * block
    i1 = min(i0 + block, theta.shape[1])
    for probs, draws, total, last, out in (
        (probs_ap, uniform[1], scratch[2], last_ap, ap),
        (probs_server, uniform[2], scratch[3], last_server, server),
    ):
        _sample_block(
            probs,
            s,
            b,
            i0,
            i1,
            draws,
            uniform[0],
            theta,
            sample_all,
            total,
            last,
            out,
            scratch,
            count,
        )
    _load_block(
        tx_time_s, compute_time_s, theta, players, uniform[0], s, i0, i1, ap, server, update, loads
    )


@numba.njit(cache=True, nogil=True)
def prime_kernel(  # pragma: no cover - compiled
    game,
    uniform,
    sample_all,
    last_ap,
    last_server,
    ap,
    server,
    update,
    loads,
):
    """The first slot's start: samples into ``ap``, ``server`` (an inactive user keeps
    ``last_*`` with ``sampling="active"``), fills ``update`` and ``loads`` (zeroed here); see
    :func:`fused_iteration_kernel` for the arguments."""
    probs_ap, probs_server, _, _, theta, _ = game
    actions = (last_ap, last_server, ap, server)
    block = probs_ap.shape[3]
    scratch = np.empty((4, block))  # point, running, AP and server totals
    count = np.empty(block, dtype=np.int64)
    loads[...] = 0.0
    for s in range(theta.shape[0]):
        for b in range(probs_ap.shape[1]):
            size = min(block, theta.shape[1] - b * block)
            _row_totals(probs_ap, s, b, size, scratch[2])
            _row_totals(probs_server, s, b, size, scratch[3])
            _start_block(game, uniform, sample_all, s, b, actions, update, loads, scratch, count)


@numba.njit(cache=True, nogil=True)
def fused_iteration_kernel(  # pragma: no cover - compiled
    game,
    uniform,
    sample_all,
    ap,
    server,
    next_ap,
    next_server,
    update,
    loads,
    rates,
    max_delay_s,
    measured,
    threshold,
    converged,
):
    """The end of slot t and the start of slot t+1, in one sweep over the users per seed.

    ``game`` = (``probs_ap``, ``probs_server``, ``tx_time_s`` (S, N, M), ``compute_time_s``
    (S, N, K), θ (S, N), ``players`` (S, N, bool)). On entry ``ap``, ``server`` (S, N) hold
    slot t's actions, ``update`` (S, N, bool) which users update (active players) and
    ``loads`` (S, 4, R) its loads (:func:`prime_kernel` or the previous call). The strategies
    ``probs_*`` (tiled, ``(S, B, R, W)``) take L_R-I in place with the rewards (35), (38) of
    the loads ``measured`` selects (O7 (b), else (a)), ``rates`` = (b_c, b_o) and the O9
    normalisers ``max_delay_s`` = (AP (S, 1), server (S, 1)); ``converged[s]`` receives O10
    at ``threshold``. Then slot t+1 starts from the uniforms ``uniform`` (3, S, N: activity,
    AP, server, a(t+1) = [U < θ]): its actions go to ``next_*`` (an inactive user keeps its
    slot-t action unless ``sample_all``), and
    ``update`` and ``loads`` are overwritten with its own.
    """
    probs_ap, probs_server, tx_time_s, compute_time_s, theta, players = game
    actions = (ap, server, next_ap, next_server)
    num_seeds, num_users = theta.shape
    num_aps, num_servers = tx_time_s.shape[2], compute_time_s.shape[2]
    block = probs_ap.shape[3]
    scratch = np.empty((6, block))  # point, running, AP and server totals and maxima
    steps = np.empty((2, block))
    count = np.empty(block, dtype=np.int64)
    per_ap = np.empty(num_aps)
    per_server = np.empty(num_servers)
    signal = 1 if measured else 0
    for s in range(num_seeds):
        # a user's delay, hence its reward (35), (38) and step b r, is its resource's: the
        # same operations on the same numbers, once per resource instead of once per user
        for c in range(num_aps):
            reward = min(max(1.0 - loads[s, signal, c] / max_delay_s[0][s, 0], 0.0), 1.0)
            per_ap[c] = rates[0] * reward
        for k in range(num_servers):
            reward = min(max(1.0 - loads[s, 2 + signal, k] / max_delay_s[1][s, 0], 0.0), 1.0)
            per_server[k] = rates[1] * reward
        loads[s] = 0.0
        done = True
        for b in range(probs_ap.shape[1]):
            i0 = b * block
            size = min(block, num_users - i0)
            for j in range(size):  # only the active players update (b r x 0.0 = 0.0)
                flag = 1.0 if update[s, i0 + j] else 0.0
                steps[0, j] = per_ap[ap[s, i0 + j]] * flag
                steps[1, j] = per_server[server[s, i0 + j]] * flag
            _lri_block(probs_ap, s, b, i0, i0 + size, ap, steps[0], scratch[2])
            _lri_block(probs_server, s, b, i0, i0 + size, server, steps[1], scratch[3])
            if done:  # O10, up to the first player not yet converged
                _row_max(probs_ap, s, b, size, scratch[4])
                _row_max(probs_server, s, b, size, scratch[5])
                for j in range(size):
                    top_ap, top_server = scratch[4, j], scratch[5, j]
                    if players[s, i0 + j] and not (top_ap >= threshold and top_server >= threshold):
                        done = False
                        break
            _start_block(game, uniform, sample_all, s, b, actions, update, loads, scratch, count)
        converged[s] = done
