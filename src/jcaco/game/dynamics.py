"""Best-response dynamics and greedy starts for the resource-selection game (docs/model.md §6).

:func:`sequential_best_response` is the one implementation of the dynamics, with two engines
(:mod:`jcaco.kernels`): the compiled kernel in :mod:`jcaco.game._br_numba`, which runs the moves
of all seeds in one call, and the numpy form here, used without numba or inside
``kernels.use("numpy")``. Both draw the same priorities and return the same profile, rounds,
moves and flags, bit for bit (``tests/test_sim_br_kernel.py``).

The numpy form is batched over a leading axis (seeds). Who may improve, and the random order
of play, are found with numpy over the whole ``[seeds, users, resources]`` batch once per
round; the moves themselves are sequential by nature and run as a plain Python loop over one
row of R numbers per move, with the loads kept incrementally (docs/architecture.md#speed-rules).

:func:`best_response_round` is ``br-round``'s slot, one round in which every mover takes a
turn, with the same two engines (the kernel's ``round_kernel``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jcaco import kernels
from jcaco.game import resource
from jcaco.rng import RandomSource
from jcaco.types import BoolArray, FloatArray, IntArray


@dataclass(frozen=True)
class DynamicsOutcome:
    """Result of :func:`sequential_best_response`.

    Attributes
    ----------
    choice : ndarray of int, shape (seeds, num_users)
    rounds : ndarray of int, shape (seeds,)
        Rounds that moved at least one user.
    moves : ndarray of int, shape (seeds,)
        Total number of improving moves.
    converged : ndarray of bool, shape (seeds,)
        Nobody can improve (False where the round cap bound).
    """

    choice: IntArray
    rounds: IntArray
    moves: IntArray
    converged: BoolArray


def _play_in_order(
    w: FloatArray, choice: IntArray, load: FloatArray, users: list[int], atol: float
) -> int:
    """Let ``users`` of one game best-respond one after another; return the number of moves.

    ``w`` is ``(num_users, num_resources)``; ``choice`` and ``load`` are updated in place.
    Plain Python floats on one row at a time: a move touches R numbers, and numpy's per-call
    overhead on arrays that small is ~20x the arithmetic. The operations are the ones of the
    vectorised form (staying costs ``(load + own) - own``; the first cheapest resource wins;
    a move must gain more than ``atol``), so the dynamics are the same to the bit.
    """
    loads_s = load.tolist()
    moves = 0
    for user in users:
        row = w[user].tolist()
        current = int(choice[user])
        own = row[current]
        cost = [lr + wr for lr, wr in zip(loads_s, row, strict=True)]
        cost[current] = (loads_s[current] + own) - own
        cheapest = min(cost)
        best = cost.index(cheapest)
        if cost[current] - cheapest > atol:
            loads_s[current] -= own
            loads_s[best] += row[best]
            choice[user] = best
            moves += 1
    load[:] = loads_s
    return moves


def _round_order(candidates: BoolArray, order: IntArray) -> list[int]:
    """The candidates of one game in the order of play ``order`` (all users, sorted once).

    Filtering the once-sorted order costs O(N) per round; sorting the candidates' keys every
    round cost O(N log N), which dominated the many late rounds of a large game.
    """
    return order[candidates[order]].tolist()


def sequential_best_response(
    w: FloatArray,
    choice: IntArray,
    rng: RandomSource,
    *,
    max_rounds: int = 50,
    atol: float = resource.DEFAULT_ATOL_S,
) -> DynamicsOutcome:
    """Sequential best-response dynamics until nobody can improve (``br``, docs/model.md §6).

    Each round, the users that can improve at the round's start take turns in a random order
    (one random priority per seed and call, reused by its rounds), each moving to its best
    response to the current loads; ties keep the current choice. By the potential argument
    (Theorems 1–4) every move lowers the sorted load vector, so the dynamics stop at a pure
    equilibrium.

    Parameters
    ----------
    w : ndarray, shape (seeds, num_users, num_resources)
        Player weights (non-players have zero rows and never move).
    choice : ndarray of int, shape (seeds, num_users)
        Starting profile (not modified).
    rng : numpy.random.Generator
        Orders of play.
    """
    # One random priority per user and call, drawn for every seed whatever it needs, so a
    # seed draws the same numbers in a batch as alone (its rounds reuse this random order).
    priority = rng.random(choice.shape)  # [seeds, users]
    compiled = kernels.load("jcaco.game._br_numba")
    if compiled is not None:
        out = np.array(choice, dtype=np.int64, order="C", copy=True)
        rounds, moves, converged = compiled.sequential_best_response_kernel(
            np.ascontiguousarray(w, dtype=np.float64), out, priority, int(max_rounds), float(atol)
        )
        return DynamicsOutcome(out, rounds, moves, converged)
    return _sequential_best_response_numpy(w, choice, priority, max_rounds, atol)


def _sequential_best_response_numpy(
    w: FloatArray, choice: IntArray, priority: FloatArray, max_rounds: int, atol: float
) -> DynamicsOutcome:
    """The numpy engine of :func:`sequential_best_response` (same arguments, drawn priorities)."""
    choice = choice.copy()
    num_seeds = w.shape[0]
    load = resource.loads(w, choice)
    rounds = np.zeros(num_seeds, dtype=np.int64)
    moves = np.zeros(num_seeds, dtype=np.int64)
    converged = np.zeros(num_seeds, dtype=bool)
    order = np.argsort(priority, axis=1, kind="stable")  # order of play, ties by index
    for _ in range(max_rounds):
        _, gain = resource.best_responses(w, choice, load, atol)
        candidates = gain > 0  # [seeds, users]
        converged = np.asarray(~candidates.any(axis=1))
        if converged.all():
            break
        rounds += ~converged
        for s in range(num_seeds):  # the games of the batch are independent
            users = _round_order(candidates[s], order[s])
            moves[s] += _play_in_order(w[s], choice[s], load[s], users, atol)
        # Float drift in the incremental loads: refresh once per round.
        load = resource.loads(w, choice)
    else:
        _, gain = resource.best_responses(w, choice, load, atol)
        converged = np.asarray(~(gain > 0).any(axis=1))
    return DynamicsOutcome(choice, rounds, moves, converged)


def best_response_round(
    w: FloatArray, choice: IntArray, movers: BoolArray, order: IntArray
) -> tuple[IntArray, IntArray]:
    """One round: the users of ``order`` best-respond one after another to the current loads.

    Parameters
    ----------
    w : ndarray, shape (S, N, R)
        Player weights [s] (:func:`jcaco.game.resource.player_weights`; ``inf``: infeasible).
    choice : ndarray of int, shape (S, N)
        The profile before the round (not modified).
    movers : ndarray of bool, shape (S, N)
        Who takes a turn (the active players); the others only weigh on the loads.
    order : ndarray of int, shape (S, N)
        A permutation of the users per seed: the order of the turns.

    Returns
    -------
    choice : ndarray of int, shape (S, N)
        The profile after the round.
    moves : ndarray of int, shape (S,)
        How many turns changed a user's resource.

    Notes
    -----
    ``br-round``'s slot (:mod:`jcaco.learners.best_response_round`). Unlike a round of
    :func:`sequential_best_response`, every user of ``movers`` takes its turn, not only those
    that could improve at the round's start. The compiled kernel in
    :mod:`jcaco.game._br_numba` runs every seed and turn in one call (the same bits,
    ``tests/test_br_round_kernel.py``); the loop below is the reference.
    """
    compiled = kernels.load("jcaco.game._br_numba")
    if compiled is not None and w.ndim == 3:
        return compiled.round_kernel(
            np.ascontiguousarray(w, dtype=np.float64),
            np.ascontiguousarray(choice),
            np.ascontiguousarray(movers),
            np.ascontiguousarray(order),
            float(resource.DEFAULT_ATOL_S),
        )
    choice = choice.copy()
    load = resource.loads(w, choice)  # [S, R]
    seeds = np.arange(choice.shape[0])
    moves = np.zeros(choice.shape[0], dtype=np.int64)
    rows = w[seeds[:, None], order]  # [S, N, R]: the weights in the order of the turns
    turns = movers[seeds[:, None], order]  # [S, N]
    for turn in range(choice.shape[1]):  # the users' turns, every seed at once
        user, row = order[:, turn], rows[:, turn]  # [S], [S, R]
        current = choice[seeds, user]
        # the deviation costs (43): staying costs the current load, moving adds the own weight
        cost = load + row
        stay = load[seeds, current]
        cost[seeds, current] = stay
        best = cost.argmin(axis=-1)  # the first cheapest; a move must gain more than atol
        moved = turns[:, turn] & (stay - cost[seeds, best] > resource.DEFAULT_ATOL_S)
        if not moved.any():
            continue
        target = np.where(moved, best, current)
        load[seeds, current] -= np.where(moved, row[seeds, current], 0.0)
        load[seeds, target] += np.where(moved, row[seeds, target], 0.0)
        choice[seeds, user] = target
        moves += moved
    return choice, moves


def greedy_profile(w: FloatArray, order: IntArray, allowed: BoolArray) -> IntArray:
    """Users placed one by one in ``order``, each at its best response to those placed.

    Parameters
    ----------
    w : ndarray, shape (seeds, num_users, num_resources)
    order : ndarray of int, shape (seeds, num_users)
        Placement order per seed.
    allowed : ndarray of bool, shape (seeds, num_users, num_resources)
        Feasible resources (a non-player is put on its least-loaded allowed one).
    """
    num_seeds, num_users, num_resources = w.shape
    choice = np.zeros((num_seeds, num_users), dtype=np.int64)
    for s in range(num_seeds):  # one user at a time, in plain Python (see _play_in_order)
        load = [0.0] * num_resources
        for user in order[s].tolist():
            row = w[s, user].tolist()
            cost = [
                lr + wr if ok else np.inf
                for lr, wr, ok in zip(load, row, allowed[s, user].tolist(), strict=True)
            ]
            best = cost.index(min(cost))
            choice[s, user] = best
            load[best] += row[best]
    return choice
