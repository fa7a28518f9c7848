"""Best-response dynamics and greedy starts for the resource-selection game (MODEL.md §6).

Vectorised over a leading batch axis (seeds): one Python step per moving user, a handful of
numpy operations on ``[seeds, resources]`` arrays each, with the loads kept incrementally.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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


def _move_one(
    w: FloatArray, choice: IntArray, load: FloatArray, user: IntArray, valid: BoolArray, atol: float
) -> BoolArray:
    """Let ``user[s]`` (where ``valid[s]``) best-respond in place; return who moved."""
    seeds = np.arange(w.shape[0])
    row = w[seeds, user]  # [seeds, resources]
    current = choice[seeds, user]
    own = row[seeds, current]
    cost = load + row
    cost[seeds, current] -= own  # staying costs the current load
    best = np.argmin(cost, axis=1)
    moved = valid & (cost[seeds, current] - cost[seeds, best] > atol)
    s = seeds[moved]
    load[s, current[moved]] -= own[moved]
    load[s, best[moved]] += row[s, best[moved]]
    choice[s, user[moved]] = best[moved]
    return moved


def sequential_best_response(
    w: FloatArray,
    choice: IntArray,
    rng: RandomSource,
    *,
    max_rounds: int = 50,
    atol: float = resource.DEFAULT_ATOL_S,
) -> DynamicsOutcome:
    """Sequential best-response dynamics until nobody can improve (``br``, MODEL.md §6).

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
    choice = choice.copy()
    num_seeds = w.shape[0]
    load = resource.loads(w, choice)
    rounds = np.zeros(num_seeds, dtype=np.int64)
    moves = np.zeros(num_seeds, dtype=np.int64)
    converged = np.zeros(num_seeds, dtype=bool)
    # One random priority per user and call, drawn for every seed whatever it needs, so a
    # seed draws the same numbers in a batch as alone (its rounds reuse this random order).
    priority = rng.random((num_seeds, w.shape[1]))  # [seeds, users]
    for _ in range(max_rounds):
        _, gain = resource.best_responses(w, choice, load, atol)
        candidates = gain > 0  # [seeds, users]
        converged = np.asarray(~candidates.any(axis=1))
        if converged.all():
            break
        rounds += ~converged
        # Random order of the candidates, per seed, padded with -1: sort random keys.
        keys = np.where(candidates, priority, np.inf)
        order = np.argsort(keys, axis=1)[:, : int(candidates.sum(axis=1).max())]
        valid_all = np.take_along_axis(candidates, order, axis=1)
        for p in range(order.shape[1]):
            moves += _move_one(w, choice, load, order[:, p], valid_all[:, p], atol)
        # Float drift in the incremental loads: refresh once per round.
        load = resource.loads(w, choice)
    else:
        _, gain = resource.best_responses(w, choice, load, atol)
        converged = np.asarray(~(gain > 0).any(axis=1))
    return DynamicsOutcome(choice, rounds, moves, converged)


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
    seeds = np.arange(num_seeds)
    load = np.zeros((num_seeds, num_resources))
    choice = np.zeros((num_seeds, num_users), dtype=np.int64)
    for p in range(num_users):
        user = order[:, p]
        row = w[seeds, user]
        best = np.argmin(np.where(allowed[seeds, user], load + row, np.inf), axis=1)
        choice[seeds, user] = best
        load[seeds, best] += row[seeds, best]
    return choice
