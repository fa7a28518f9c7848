"""The fused MASL iteration on the static game, compiled (imports numba; load it through
:mod:`jcaco.kernels`). See :mod:`jcaco.learners.masl.fused`.

One sweep over the users per seed and slot instead of the protocol path's dozen array
operations. Slot t's sweep takes a block of users at a time and, while the block's rows are in
the cache, applies slot t's L_R-I (36)/(39) with its rewards (35)/(38) (and, until a player
is found not to have converged, the O10 row maxima), then samples the block's slot-t+1
actions (O8) from the rows it has just written (their totals are the update's running sums)
and adds the block's weights to slot t+1's loads: the expected (27)/(28) or the realised
(8)/(11), whichever the rewards read. So slot t's sweep draws slot t+1's uniforms: the
kernel draws them itself, a block at a time, from the generators' PCG64 states
(:mod:`jcaco.learners.masl._pcg64_numba`, numpy's numbers in numpy's order);
:class:`jcaco.learners.masl.fused.FusedPass` hands the states in and puts the generators
back where the slot loop leaves them. The first slot's sampling is a sweep of its own
(:func:`prime_kernel`).

Every floating-point operation is the one of the protocol path's kernels
(``_sample_numba.sample_kernel``, ``game._resource_numba.score_kernel``,
``masl._lri_numba.lri_kernel``, ``MASL.observe``), in the same order per user, and the loads are
summed in user order, so the strategies are the same to the bit (``tests/test_masl_fused.py``).

The strategies are tiled, ``(S, B, R, W)``: block b holds the rows of users b W .. b W + W - 1,
resource by resource (:func:`jcaco.learners.masl.fused.tile`). Within a block every loop runs
over the block's users on contiguous memory, and vectorises; a sweep reads and writes the
strategies in one stream. The update and the sampling take four resources per pass over the
block's users: a user's running sum, row total and count then go through the
per-block scratch once per four resources instead of once per resource, which is what bounds
these loops (their loads and stores of the scratch, not the arithmetic). On large games the
scalar loop of the loads also prefetches the next block (:func:`_load_block`). The random
a_i(t) is written as a selection between loaded values (``&``, conditional expressions), not
as an if-statement, so that the compiler can select rather than branch on it.
"""

from __future__ import annotations

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

from jcaco.learners.masl import _pcg64_numba as _pcg64
from jcaco.learners.masl._pcg64_numba import LANES  # noqa: F401 (the lanes per stream, for callers)

#: Users per block W: a block's rows of both strategies (2 x 10 x 512 x 8 B = 80 kB at R = 10)
#: stay in the L2 cache between the update and the sampling, its scratch in L1.
BLOCK = 512


#: Cache-level hint of the prefetches (LLVM's locality, 0 to 3). At 10^5 users on the
#: benchmark machine 1, 2 and 3 timed alike within the noise and 0 (non-temporal) no better
#: (docs/performance.md).
LOCALITY = 1


@intrinsic
def _prefetch(typingctx, array, index):  # pragma: no cover - compiled
    """Ask the CPU to start fetching the cache line of ``array``'s element at flat index
    ``index`` (C order; ``array`` C-contiguous): ``llvm.prefetch``, a hint that never faults
    and changes no value."""

    def codegen(context, builder, signature, args):
        array_type = signature.args[0]
        data = context.make_array(array_type)(context, builder, args[0]).data
        byte = ir.PointerType(ir.IntType(8))
        itemsize = context.get_abi_sizeof(context.get_data_type(array_type.dtype))
        offset = builder.mul(args[1], ir.Constant(args[1].type, itemsize))
        address = builder.gep(builder.bitcast(data, byte), [offset])
        i32 = ir.IntType(32)
        fnty = ir.FunctionType(ir.VoidType(), [byte, i32, i32, i32])
        fn = builder.module.declare_intrinsic("llvm.prefetch", [byte], fnty)
        # read, temporal locality LOCALITY, data cache
        builder.call(fn, [address, i32(0), i32(LOCALITY), i32(1)])
        return context.get_dummy_value()

    if not isinstance(array, types.Array) or not isinstance(index, types.Integer):
        return None  # no such signature: numba reports a typing error
    return types.void(array, index), codegen


@numba.njit(cache=True, nogil=True)
def _prefetch_row(array, start, count):  # pragma: no cover - compiled
    """Prefetch flat elements ``start`` .. ``start + count - 1`` of ``array``: the lines of the
    first and the last: all of a row of up to 9 float64 wherever it starts (a longer row may
    leave a middle line to the hardware prefetcher; it is a hint either way). A loop here, even
    of two steps, cost more than the prefetches gained."""
    _prefetch(array, start)
    _prefetch(array, start + count - 1)


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
def _four_rows(probs, s, b, r):  # pragma: no cover - compiled
    """Resources r .. r + 3 of block b of seed s: four rows of the block's users."""
    return probs[s, b, r], probs[s, b, r + 1], probs[s, b, r + 2], probs[s, b, r + 3]


@numba.njit(cache=True, nogil=True)
def _lri_block(probs, s, b, size, chosen, step, total):  # pragma: no cover - compiled
    """``lri_kernel`` for block b's users (``chosen``, ``step``: theirs) of seed s; also their
    new row totals ``total``, summed in the order ``sample_kernel`` sums a row.

    Entry by entry: p[r] <- p[r] (1 - b) and then, for r = c, + b (the kernel's two
    operations; for r != c adding 0.0 leaves the product's bits, as does b = 0 leave a row:
    probabilities are never -0.0 or NaN). Resources 1.. go four at a time (see the module).
    """
    num = probs.shape[2]
    row = probs[s, b, 0]
    for j in range(size):
        rate = step[j]
        value = row[j] * (1.0 - rate) + (rate if chosen[j] == 0 else 0.0)
        row[j] = value
        total[j] = 0.0 + value
    r = 1
    while r + 3 < num:
        row0, row1, row2, row3 = _four_rows(probs, s, b, r)
        for j in range(size):
            rate, c = step[j], chosen[j]
            keep = 1.0 - rate
            v0 = row0[j] * keep + (rate if c == r else 0.0)
            v1 = row1[j] * keep + (rate if c == r + 1 else 0.0)
            v2 = row2[j] * keep + (rate if c == r + 2 else 0.0)
            v3 = row3[j] * keep + (rate if c == r + 3 else 0.0)
            row0[j], row1[j], row2[j], row3[j] = v0, v1, v2, v3
            total[j] = (((total[j] + v0) + v1) + v2) + v3
        r += 4
    while r < num:
        row = probs[s, b, r]
        for j in range(size):
            rate = step[j]
            value = row[j] * (1.0 - rate) + (rate if chosen[j] == r else 0.0)
            row[j] = value
            total[j] += value
        r += 1


@numba.njit(cache=True, nogil=True)
def _sample_block(
    probs, s, b, draw, total, before, after, sample_all, activity, weight, scratch, count
):  # pragma: no cover - compiled
    """``sample_kernel`` for block b's users of seed s, given their row totals ``total`` and
    uniforms ``draw``: ``after[j]`` = the drawn index, except that with ``sampling="active"``
    (not ``sample_all``) a user inactive by its ``activity`` uniform, a(t) = [U < θ]
    (``weight``), keeps ``before[j]``. ``scratch`` (>= 2, W) and ``count`` (W) are work space.

    The running sums are the kernel's additions in its order, and the index is the number of
    them below ``(1 - U) total``; resources 1.. go four at a time (see the module).
    """
    num, size = probs.shape[2], after.shape[0]
    point, running = scratch[0], scratch[1]
    row = probs[s, b, 0]
    for j in range(size):
        point[j] = (1.0 - draw[j]) * total[j]
        running[j] = 0.0 + row[j]
        count[j] = running[j] < point[j]
    r = 1
    while r + 3 < num:
        row0, row1, row2, row3 = _four_rows(probs, s, b, r)
        for j in range(size):
            bound = point[j]
            x0 = running[j] + row0[j]
            x1 = x0 + row1[j]
            x2 = x1 + row2[j]
            x3 = x2 + row3[j]
            running[j] = x3
            count[j] += ((x0 < bound) + (x1 < bound)) + ((x2 < bound) + (x3 < bound))
        r += 4
    while r < num:
        row = probs[s, b, r]
        for j in range(size):
            running[j] += row[j]
            count[j] += running[j] < point[j]
        r += 1
    for j in range(size):  # both loaded, then selected: no branch on the random a_i(t)
        kept, drawn = before[j], min(count[j], num - 1)
        after[j] = drawn if sample_all | (activity[j] < weight[j]) else kept


@numba.njit(cache=True, nogil=True)
def _load_block(
    game, draws, s, b, ap, server, update, loads, measured, prefetch
):  # pragma: no cover - compiled
    """Block b's part of the slot's loads ``loads[s]`` = (AP, server), added in user order:
    the realised (8), (11) if ``measured``, else the expected (27), (28); a(t) = [U < θ] (1)
    from the block's activity uniforms ``draws[0]``; ``update[s, i]``: whether user i updates
    at the slot's end (an active player). ``score_kernel`` adds ``(t if w > 0 else 0) w`` to
    the expected load and ``(t if a > 0 else 0) a`` to the realised one: t for a = 1 (t x 1.0
    is t) and 0.0 for a = 0, as here. ``game`` as in :func:`fused_iteration_kernel`.

    This is the sweep's one scalar loop, so with ``prefetch`` it also prefetches block b + 1
    (its strategies, time rows and θ), a little per user: then the next block's data arrive
    while this block computes instead of when it is first read (docs/performance.md).
    """
    probs_ap, probs_server, (tx_time_s, compute_time_s), theta, players = game
    blocks, num_aps, block = probs_ap.shape[1:]
    num_servers, num_users = probs_server.shape[2], theta.shape[1]
    i0 = b * block
    i1 = min(i0 + block, num_users)
    ahead = min(block, num_users - i1)  # users in block b + 1
    next_ap = (s * blocks + b + 1) * num_aps * block  # its flat offsets in the tiled arrays
    next_server = (s * blocks + b + 1) * num_servers * block
    activity = draws[0]
    load_ap, load_server = loads[s, 0], loads[s, 1]
    for i in range(i0, i1):
        j = i - i0
        if prefetch and j < ahead:  # block b + 1's share of user j: a row's worth of each array
            _prefetch_row(probs_ap, next_ap + j * num_aps, num_aps)
            _prefetch_row(probs_server, next_server + j * num_servers, num_servers)
            _prefetch_row(tx_time_s, (s * num_users + i + block) * num_aps, num_aps)
            _prefetch_row(compute_time_s, (s * num_users + i + block) * num_servers, num_servers)
            if j % 8 == 0:  # one line holds 8 users' θ
                _prefetch(theta, s * num_users + i + block)
        c = ap[s, i]
        k = server[s, i]
        w = theta[s, i]
        active = activity[j] < w
        update[s, i] = active & players[s, i]
        t_ap = tx_time_s[s, i, c]
        t_server = compute_time_s[s, i, k]
        if measured:
            load_ap[c] += t_ap if active else 0.0
            load_server[k] += t_server if active else 0.0
        else:
            load_ap[c] += (t_ap if w > 0 else 0.0) * w
            load_server[k] += (t_server if w > 0 else 0.0) * w


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
def _begin_slot(rng):  # pragma: no cover - compiled
    """Before a slot's draws: each learner stream's server chain starts where its AP draws
    will end (``rng`` as in :func:`fused_iteration_kernel`)."""
    chains, server_jumps, _, _ = rng
    for g in range(chains.shape[1]):
        a_hi, a_lo = server_jumps[g, 0], server_jumps[g, 1]
        c_hi, c_lo = server_jumps[g, 2], server_jumps[g, 3]
        hi, lo = _pcg64.multiply_add(chains[1, g, 0], chains[1, g, 1], a_hi, a_lo, c_hi, c_lo)
        chains[2, g, 0], chains[2, g, 1] = hi, lo


@numba.njit(cache=True, nogil=True)
def _start_row(rng, s, lanes):  # pragma: no cover - compiled
    """Seed s's row of draws: each chain's state goes to its lanes, and on to the row's end."""
    chains, _, lane_jumps, row_jumps = rng
    g = s if chains.shape[1] > 1 else 0
    for q in range(3):
        stream = min(q, 1)  # chain 0: the activity stream; chains 1, 2: the learner's
        hi, lo = _pcg64.start_row(
            chains[q, g, 0], chains[q, g, 1], lane_jumps[stream, g], row_jumps[stream, g], lanes, q
        )
        chains[q, g, 0], chains[q, g, 1] = hi, lo


@numba.njit(cache=True, nogil=True)
def _end_slot(rng):  # pragma: no cover - compiled
    """After a slot's draws: the learner stream stands where its server draws ended."""
    chains = rng[0]
    for g in range(chains.shape[1]):
        chains[1, g, 0], chains[1, g, 1] = chains[2, g, 0], chains[2, g, 1]


@numba.njit(cache=True, nogil=True)
def _start_block(
    game, rng, flags, s, b, actions, update, loads, scratch, lanes, draws, count
):  # pragma: no cover - compiled
    """Block b of a slot's start: its uniforms (activity, AP, server; ``draws`` (3, W), from
    the ``lanes`` of :func:`_start_row`), both
    samples (O8) given the row totals ``scratch[2]`` (AP), ``scratch[3]`` (server)
    (:func:`_sample_block`), then the loads and who updates (:func:`_load_block`). ``game``,
    ``rng`` and ``flags`` as in :func:`fused_iteration_kernel`; ``actions`` = (AP, server
    actions kept by the inactive users; the new ones)."""
    sample_all, measured, prefetch = flags
    probs_ap, probs_server, _, theta, _ = game
    chains, _, lane_jumps, _ = rng
    last_ap, last_server, ap, server = actions
    block = probs_ap.shape[3]
    i0 = b * block
    i1 = min(i0 + block, theta.shape[1])
    size = i1 - i0
    g = s if chains.shape[1] > 1 else 0
    for q in range(3):  # L steps at a time: the last of the lane maps
        _pcg64.take(lanes, q, lane_jumps[min(q, 1), g, -1], size, draws[q])
    activity, weight = draws[0, :size], theta[s, i0:i1]
    for probs, uniform, total, last, out in (
        (probs_ap, draws[1, :size], scratch[2], last_ap, ap),
        (probs_server, draws[2, :size], scratch[3], last_server, server),
    ):
        _sample_block(
            probs,
            s,
            b,
            uniform,
            total,
            last[s, i0:i1],
            out[s, i0:i1],
            sample_all,
            activity,
            weight,
            scratch,
            count,
        )
    _load_block(game, draws, s, b, ap, server, update, loads, measured, prefetch)


@numba.njit(cache=True, nogil=True)
def prime_kernel(  # pragma: no cover - compiled
    game,
    rng,
    flags,
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
    probs_ap, probs_server, _, theta, _ = game
    actions = (last_ap, last_server, ap, server)
    block = probs_ap.shape[3]
    scratch = np.empty((4, block))  # point, running, AP and server totals
    draws = np.empty((3, block))
    count = np.empty(block, dtype=np.int64)
    lanes = _pcg64.new_lanes(3)
    loads[...] = 0.0
    _begin_slot(rng)
    for s in range(theta.shape[0]):
        _start_row(rng, s, lanes)
        for b in range(probs_ap.shape[1]):
            size = min(block, theta.shape[1] - b * block)
            _row_totals(probs_ap, s, b, size, scratch[2])
            _row_totals(probs_server, s, b, size, scratch[3])
            _start_block(
                game, rng, flags, s, b, actions, update, loads, scratch, lanes, draws, count
            )
    _end_slot(rng)


@numba.njit(cache=True, nogil=True)
def fused_iteration_kernel(  # pragma: no cover - compiled
    game,
    rng,
    flags,
    ap,
    server,
    next_ap,
    next_server,
    update,
    loads,
    rates,
    max_delay_s,
    threshold,
    converged,
):
    """The end of slot t and the start of slot t+1, in one sweep over the users per seed.

    ``game`` = (``probs_ap``, ``probs_server``, (``tx_time_s`` (S, N, M), ``compute_time_s``
    (S, N, K)), θ (S, N), ``players`` (S, N, bool)); ``flags`` = (``sample_all``,
    ``measured``, ``prefetch``). On entry ``ap``, ``server`` (S, N) hold slot t's actions,
    ``update`` (S, N, bool) which users update (active players) and ``loads`` (S, 2, R) its
    loads, realised if ``measured`` (O7 (b)), else expected (:func:`prime_kernel` or the
    previous call). The strategies ``probs_*`` (tiled, ``(S, B, R, W)``) take L_R-I in place
    with the rewards (35), (38) of those loads, ``rates`` = (b_c, b_o) and the normalisers
    (one constant per seed, any member of O9's family) ``max_delay_s`` = (AP (S, 1), server
    (S, 1)); ``converged[s]`` receives O10 at ``threshold``.

    Then slot t+1 starts: its actions go to ``next_*`` (an inactive user keeps its slot-t
    action unless ``sample_all``), and ``update`` and ``loads`` are overwritten with its own.
    Its uniforms come from ``rng`` = (``chains`` (3, G, 2), ``server_jumps`` (G, 4),
    ``lane_jumps`` (2, G, L, 4), ``row_jumps`` (2, G, 4)), G PCG64 generator pairs (one pair,
    or one per seed), states as words (hi, lo), jumps as affine maps (a_hi, a_lo, c_hi, c_lo)
    (:func:`~jcaco.learners.masl.pcg64.pcg64_jump`, :mod:`~jcaco.learners.masl._pcg64_numba`):
    chain 0 is pair g's activity stream, chain 1 its learner stream, whose AP draws come
    first; chain 2 its server draws, which start ``server_jumps[g]`` ahead of chain 1 (one
    slot's AP draws). Seed s draws from pair s, or, with one pair, after seed s - 1: the order
    of ``random((S, N))``. A seed's row is N draws of each chain (``row_jumps``), dealt to L
    lanes (``lane_jumps``: 1 .. L steps; stream 0 the activity, 1 the learner).
    """
    probs_ap, probs_server, _, theta, players = game
    actions = (ap, server, next_ap, next_server)
    num_seeds, num_users = theta.shape
    num_aps, num_servers = probs_ap.shape[2], probs_server.shape[2]
    block = probs_ap.shape[3]
    scratch = np.empty((6, block))  # point, running, AP and server totals and maxima
    draws = np.empty((3, block))
    steps = np.empty((2, block))
    count = np.empty(block, dtype=np.int64)
    per_ap = np.empty(num_aps)
    per_server = np.empty(num_servers)
    lanes = _pcg64.new_lanes(3)
    _begin_slot(rng)
    for s in range(num_seeds):
        _start_row(rng, s, lanes)
        # a user's delay, hence its reward (35), (38) and step b r, is its resource's: the
        # same operations on the same numbers, once per resource instead of once per user
        for c in range(num_aps):
            reward = min(max(1.0 - loads[s, 0, c] / max_delay_s[0][s, 0], 0.0), 1.0)
            per_ap[c] = rates[0] * reward
        for k in range(num_servers):
            reward = min(max(1.0 - loads[s, 1, k] / max_delay_s[1][s, 0], 0.0), 1.0)
            per_server[k] = rates[1] * reward
        loads[s] = 0.0
        done = True
        for b in range(probs_ap.shape[1]):
            i0 = b * block
            size = min(block, num_users - i0)
            chosen_ap, chosen_server = ap[s, i0 : i0 + size], server[s, i0 : i0 + size]
            for j in range(size):  # only the active players update (b r x 0.0 = 0.0)
                flag = 1.0 if update[s, i0 + j] else 0.0
                steps[0, j] = per_ap[chosen_ap[j]] * flag
                steps[1, j] = per_server[chosen_server[j]] * flag
            _lri_block(probs_ap, s, b, size, chosen_ap, steps[0], scratch[2])
            _lri_block(probs_server, s, b, size, chosen_server, steps[1], scratch[3])
            if done:  # O10, up to the first player not yet converged
                _row_max(probs_ap, s, b, size, scratch[4])
                _row_max(probs_server, s, b, size, scratch[5])
                for j in range(size):
                    top_ap, top_server = scratch[4, j], scratch[5, j]
                    if players[s, i0 + j] and not (top_ap >= threshold and top_server >= threshold):
                        done = False
                        break
            _start_block(
                game, rng, flags, s, b, actions, update, loads, scratch, lanes, draws, count
            )
        converged[s] = done
    _end_slot(rng)
