"""``br`` with ``draw="rejection"``: the mover found by rejection sampling (an opt-in draw).

The default ``br`` (``draw="rank"``) draws one uniform u per move and moves the
``floor(u * count)``-th active user that can improve: it needs the exact number of users that
can improve after every move, and near balance one move changes that status for a large share
of the users (docs/performance.md, ``br``), so at 10^6 users an equilibrium takes tens of
minutes. Here a move draws an active user uniformly, ``active[floor(u * num_active)]``, and
accepts it if it can improve (its best response against the current loads beats its cost by
more than ``atol``, the default's test, :func:`jcaco.game.resource.best_responses`); else it
draws again. A try costs O(R) and a move O(R) more.

**The same law.** Conditioned on acceptance, a uniform draw over the active users is uniform
over those that can improve (each of them is drawn with the same probability 1 / num_active
per try, the others are rejected and the tries independent), so the mover's distribution, and
with it the law of the whole dynamics, is the default's: the same reading of the paper's
"each active UE adjusts its strategy" (VII-A), one improving move per slot by a random active
user that can improve. Only the random numbers differ (how many uniforms a move uses, and
which user a given uniform names), so the stores are not the default's.

**Nobody can improve.** After ``budget`` consecutive rejections (the number of active users:
the tries then cost about one scan) one exact scan recomputes the loads with bincount's
summation and lists every active user that can improve: none -> the slot ends (no active user
can improve; the remaining moves move nobody); otherwise the mover is drawn uniformly from that
list (exact at that moment, so still the same law) and the tries go on.

**Loads.** A move subtracts the mover's weight from its old resource and adds it to its new
one; that is not bincount's summation order, so within a slot the loads can differ from
``np.bincount``'s by rounding (a few ulps of a load); the ``gain > atol`` rule (atol = 1 ns)
absorbs it. They are recomputed exactly (user order, as bincount) at the start of every slot,
before each scan and at the end of the slot, so ``converged_`` is the default's test on exact
loads. On games whose weights are integers (exact sums) the moves are exactly those the
default would make from the same mover.

Draws: one seed's generator gives blocks of :data:`DRAW_BLOCK` uniforms, used in order (a
block's unused rest is dropped at the end of the slot); a batch of seeds draws each seed's
numbers from its own generator (:class:`jcaco.rng.SeedBatch`), so a batch acts exactly like
the seeds one by one.
"""

from __future__ import annotations

import numpy as np

from jcaco import kernels
from jcaco.game import resource
from jcaco.rng import RandomSource, SeedBatch
from jcaco.types import BoolArray, FloatArray, IntArray

#: Uniforms drawn at once from a seed's generator by the rejection draws.
DRAW_BLOCK = 4096


def _best_pair(games: tuple, user: int, atol: float) -> list[int]:
    """User ``user``'s best response in each subgame (``resource.best_responses`` of its row)."""
    rows = slice(user, user + 1)
    return [
        int(resource.best_responses(w[rows], c[rows], load, atol)[0][0]) for w, load, c in games
    ]


def rejection_moves(
    w_ap: FloatArray,
    w_sv: FloatArray,
    ap: IntArray,
    server: IntArray,
    active: IntArray,
    load_ap: FloatArray,
    load_sv: FloatArray,
    draws: FloatArray,
    state: IntArray,
    cand: IntArray,
    atol: float,
) -> int:
    """Consume ``draws`` (shape (D,)) for up to ``state[0]`` moves of one seed; the draws used.

    ``w_ap``, ``w_sv``: (N, M), (N, K) weights [s]; ``ap``, ``server``: (N,) choices, updated in
    place with ``load_ap`` (M,), ``load_sv`` (K,) [s]; ``active``: indices of the active players.
    ``state`` (int64, 5): moves left, consecutive rejections, moves made, 1 once the scan found
    nobody able to improve, the budget of rejections. ``cand``: scratch for the scan's list.
    """
    games = ((w_ap, load_ap, ap), (w_sv, load_sv, server))
    used = 0
    while state[0] > 0 and state[3] == 0 and used < draws.shape[0]:
        u = draws[used]
        used += 1
        pool = active
        if state[1] >= state[4]:  # the exact scan: loads as bincount sums them, every improver
            state[1] = 0
            for w, load, choice in games:
                load[:] = resource.loads(w, choice)
            better = [resource.best_responses(w, c, load, atol)[0] != c for w, load, c in games]
            pool = active[(better[0] | better[1])[active]]
            if pool.size == 0:
                state[3] = 1
                break
        user = int(pool[int(np.floor(u * pool.size))])
        best = _best_pair(games, user, atol)
        if best == [ap[user], server[user]]:
            state[1] += 1
            continue
        for (w, load, choice), b in zip(games, best, strict=True):
            if b != choice[user]:  # the weight leaves one load and joins the other
                a = int(choice[user])
                choice[user] = b
                load[a] -= w[user, a]
                load[b] += w[user, b]
                if not (np.isfinite(load[a]) and np.isfinite(load[b])):
                    load[:] = resource.loads(w, choice)
        state[0], state[1], state[2] = state[0] - 1, 0, state[2] + 1
    return used


def generator_of(rng: RandomSource, seed: int) -> np.random.Generator:
    """Seed ``seed``'s generator: its own in a :class:`SeedBatch`, else the one generator."""
    return rng.generators[seed] if isinstance(rng, SeedBatch) else rng


def rejection_slot(
    w_ap: FloatArray,
    w_sv: FloatArray,
    ap: IntArray,
    server: IntArray,
    movers: BoolArray,
    moves_per_slot: int,
    rng: RandomSource,
    atol: float = resource.DEFAULT_ATOL_S,
) -> IntArray:
    """One slot of rejection moves for every seed, in place on ``ap``, ``server`` (S, N).

    ``w_ap`` (S, N, M), ``w_sv`` (S, N, K): player weights [s]; ``movers`` (S, N): active
    players. Returns the moves made per seed (S,).
    """
    compiled = kernels.load("jcaco.learners._best_response_rejection_numba")
    step = rejection_moves if compiled is None else compiled.rejection_moves
    num_seeds = ap.shape[0]
    made = np.zeros(num_seeds, dtype=np.int64)
    for s in range(num_seeds):
        w_a = np.ascontiguousarray(w_ap[s], dtype=np.float64)
        w_s = np.ascontiguousarray(w_sv[s], dtype=np.float64)
        active = np.flatnonzero(movers[s]).astype(np.int64)
        if active.size == 0:
            continue
        choice_a = np.array(ap[s], dtype=np.int64)
        choice_s = np.array(server[s], dtype=np.int64)
        load_a, load_s = resource.loads(w_a, choice_a), resource.loads(w_s, choice_s)
        state = np.array([moves_per_slot, 0, 0, 0, active.size], dtype=np.int64)
        cand = np.empty(active.size, dtype=np.int64)
        generator = generator_of(rng, s)
        while state[0] > 0 and state[3] == 0:
            draws = generator.random(DRAW_BLOCK)
            step(w_a, w_s, choice_a, choice_s, active, load_a, load_s, draws, state, cand, atol)
        ap[s], server[s] = choice_a, choice_s
        made[s] = state[2]
    return made
