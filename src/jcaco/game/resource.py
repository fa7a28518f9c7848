"""The resource-selection game with player-specific weights (docs/architecture.md).

Both JCACO subgames are this one object. Player i picks one resource r; its weight there is
``w[i, r] = weight[i] * time[i, r]``; the load of r is the sum of the weights of the players on
it; a player's payoff (a cost) is the load of the resource it picked. The AP subgame uses
``time = tx_time_s`` (eqs. (8), (9), (25), (27)), the server subgame ``time = compute_time_s``
(eqs. (11), (12), (26), (28)). ``weight`` is θ for the stochastic game G_s and the activity
vector a ∈ {0, 1}^N for the complete-information game of one realisation.

Every function accepts leading batch axes (one per seed); the user axis is ``-2`` of a matrix
and ``-1`` of a vector. Users with weight 0 are not players: they add nothing to any load and
are left out of gains and gaps.
"""

from __future__ import annotations

import math

import numpy as np

from jcaco import kernels
from jcaco.types import BoolArray, FloatArray, IntArray

#: Cost improvements smaller than this are not improvements [s]. It keeps float round-off
#: from creating moves that the exact game would not make.
DEFAULT_ATOL_S = 1e-9


def player_weights(time: FloatArray, weight: FloatArray) -> FloatArray:
    """Player-specific weights ``w[i, r] = weight[i] * time[i, r]`` (0 for non-players).

    Parameters
    ----------
    time : ndarray, shape (..., num_users, num_resources)
        Standalone time of user i on resource r [s]; ``inf`` marks an infeasible resource.
    weight : ndarray, shape (..., num_users)
        θ_i (stochastic game) or a_i (one realisation).

    Returns
    -------
    ndarray, shape (..., num_users, num_resources)
        Weights [s]; a non-player's row is all zeros.
    """
    weight = np.asarray(weight, dtype=float)[..., None]
    with np.errstate(invalid="ignore"):
        # [..., users, resources]
        return np.where(weight > 0, weight * time, 0.0)


def chosen(values: FloatArray, choice: IntArray) -> FloatArray:
    """Pick ``values[..., i, choice[..., i]]`` for every user: shape ``(..., num_users)``."""
    if values.shape[:-1] != choice.shape:
        return np.take_along_axis(values, choice[..., None], axis=-1)[..., 0]
    num_resources = values.shape[-1]
    if values.flags.c_contiguous:
        # flat positions of the chosen entries: a plain 1-D gather (no take_along_axis overhead)
        rows = np.arange(0, choice.size * num_resources, num_resources).reshape(choice.shape)
        return values.reshape(-1)[rows + choice]
    return values[(*np.indices(choice.shape, sparse=True), choice)]


def _sum_by_resource(values: FloatArray, choice: IntArray, num_resources: int) -> FloatArray:
    """``out[..., r] = Σ_{i: choice_i = r} values[..., i]``, summed in user order (bincount)."""
    batch_shape = choice.shape[:-1]
    num_batch = math.prod(batch_shape)
    num_users = choice.shape[-1]
    # [batch, users] flat resource index per batch entry
    flat = choice.reshape(num_batch, num_users)
    if num_batch > 1:
        flat = flat + (np.arange(num_batch, dtype=np.int64) * num_resources)[:, None]
    totals = np.bincount(flat.ravel(), weights=values.ravel(), minlength=num_batch * num_resources)
    return np.asarray(totals, dtype=float).reshape(*batch_shape, num_resources)


def loads(w: FloatArray, choice: IntArray) -> FloatArray:
    """Load of every resource: the sum of the chosen weights on it, eqs. (8), (11), (27), (28).

    Parameters
    ----------
    w : ndarray, shape (..., num_users, num_resources)
        Player weights from :func:`player_weights` [s].
    choice : ndarray of int, shape (..., num_users)
        Resource picked by each user.

    Returns
    -------
    ndarray, shape (..., num_resources)
        Load of each resource [s].
    """
    return _sum_by_resource(chosen(w, choice), choice, w.shape[-1])


def chosen_loads(time: FloatArray, weight: FloatArray, choice: IntArray) -> FloatArray:
    """``loads(player_weights(time, weight), choice)`` without the ``[N, R]`` weight matrix.

    Only the chosen entries ``weight_i * time[i, choice_i]`` are formed (the same products,
    so the same bits); this is what a slot's scoring needs, eqs. (8), (11), (27), (28).

    Parameters
    ----------
    time : ndarray, shape (..., num_users, num_resources)
        Standalone times [s].
    weight : ndarray, shape (..., num_users)
        θ_i or a_i.
    choice : ndarray of int, shape (..., num_users)

    Returns
    -------
    ndarray, shape (..., num_resources)
        Load of each resource [s].
    """
    weight = np.asarray(weight, dtype=float)
    compiled = kernels.load("jcaco.game._resource_numba")
    if compiled is not None and time.ndim == 3 and choice.shape == time.shape[:-1]:
        if weight.shape == choice.shape:  # one pass, same operations (jcaco.kernels)
            return np.asarray(compiled.chosen_loads_kernel(time, weight, choice), dtype=float)
    # [..., users]; zeroing first keeps a non-player's inf time from making 0 * inf = nan
    values = np.where(weight > 0, chosen(time, choice), 0.0) * weight
    return _sum_by_resource(values, choice, time.shape[-1])


def score_subgame(
    time: FloatArray, theta: FloatArray, active: FloatArray, choice: IntArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Expected and realised loads of one subgame and each user's delay at its choice.

    Equals ``chosen_loads(time, theta, choice)``, ``chosen_loads(time, active, choice)`` and
    the loads taken at ``choice`` (same bits), in one pass when the numba kernel is there.
    Eqs. (8), (11), (25)–(28).

    Parameters
    ----------
    time : ndarray, shape (S, N, R)
    theta, active : ndarray, shape (S, N)
        θ and the realised activity a(t) as floats.
    choice : ndarray of int, shape (S, N)

    Returns
    -------
    expected_load, realised_load : ndarray, shape (S, R)
    expected_delay, realised_delay : ndarray, shape (S, N)
    """
    compiled = kernels.load("jcaco.game._resource_numba")
    if (
        compiled is not None
        and time.ndim == 3
        and choice.shape == time.shape[:-1] == theta.shape == active.shape
    ):
        return compiled.score_kernel(time, theta, active, choice)
    expected = chosen_loads(time, theta, choice)
    realised = chosen_loads(time, active, choice)
    return (
        expected,
        realised,
        np.take_along_axis(expected, choice, axis=-1),
        np.take_along_axis(realised, choice, axis=-1),
    )


def payoffs(w: FloatArray, choice: IntArray, load: FloatArray | None = None) -> FloatArray:
    """Cost of every user: the load of the resource it picked, eqs. (9), (12), (25), (26)."""
    if load is None:
        load = loads(w, choice)
    return np.asarray(np.take_along_axis(load, choice, axis=-1), dtype=float)


def deviation_costs(w: FloatArray, choice: IntArray, load: FloatArray) -> FloatArray:
    """Cost user i would pay on each resource r if it alone moved there (docs/model.md (43)).

    ``cost[i, r] = load[r] - [r == choice_i] * w[i, choice_i] + w[i, r]``; at ``r = choice_i``
    this is the current payoff.

    Returns
    -------
    ndarray, shape (..., num_users, num_resources)
    """
    # [..., users, resources]
    cost = load[..., None, :] + w
    current = np.take_along_axis(load, choice, axis=-1)[..., None]
    np.put_along_axis(cost, choice[..., None], current, axis=-1)
    return cost


def best_responses(
    w: FloatArray,
    choice: IntArray,
    load: FloatArray | None = None,
    atol: float = DEFAULT_ATOL_S,
) -> tuple[IntArray, FloatArray]:
    """Best response of every user to the others' current choices; ties keep the current one.

    Returns
    -------
    best : ndarray of int, shape (..., num_users)
        Each user's best response (its current choice unless some resource is better by more
        than ``atol``).
    gain : ndarray, shape (..., num_users)
        Cost reduction of that best response [s] (0 when it keeps its choice).
    """
    compiled = kernels.load("jcaco.game._resource_numba")
    if (
        compiled is not None
        and w.ndim == 3
        and w.dtype == np.float64
        and choice.shape == w.shape[:-1]
        and (load is None or (load.shape == w.shape[::2] and load.dtype == np.float64))
    ):  # one pass per seed, the same operations (jcaco.kernels)
        best, gain = compiled.best_responses_kernel(
            np.ascontiguousarray(w),
            np.ascontiguousarray(choice),
            np.empty((0, w.shape[-1])) if load is None else np.ascontiguousarray(load),
            load is None,
            float(atol),
        )
        return best.astype(np.result_type(choice, np.int64), copy=False), gain
    if load is None:
        load = loads(w, choice)
    cost = deviation_costs(w, choice, load)
    current = np.take_along_axis(cost, choice[..., None], axis=-1)[..., 0]
    argbest = np.argmin(cost, axis=-1)
    # A user whose every option costs inf (it sits on an infeasible resource, inf load, and
    # every other resource is infeasible for it) has inf - inf = NaN here; NaN > atol is
    # False, so it keeps its choice with gain 0: the meaning intended, without the warning.
    with np.errstate(invalid="ignore"):
        gain = current - np.take_along_axis(cost, argbest[..., None], axis=-1)[..., 0]
    improves = (gain > atol) & (w > 0).any(axis=-1)  # non-players (zero rows) never move
    return np.where(improves, argbest, choice), np.where(improves, gain, 0.0)


def nash_gaps(
    w: FloatArray,
    choice: IntArray,
    players: BoolArray,
    *,
    load: FloatArray | None = None,
    theta: FloatArray | None = None,
) -> FloatArray:
    """Largest payoff gain of every player by a unilateral move [s] (0 for non-players, and
    for a player with no finite option, which no move can improve).

    The gain of player i is ``max(0, L_{x_i} - min_{r != x_i} (L_r + w_{i,r}))`` (the Nash
    gap behind (17) and (29)). Including ``r = x_i`` in the minimum changes nothing
    (``L_{x_i} + w_{i,x_i} >= L_{x_i}``), so the minimum runs over every resource, one column
    at a time: no ``(..., N, R)`` temporary is made (a reduction over a short last axis is
    slow in numpy, and the slot loop calls this every slot).

    Parameters
    ----------
    w : ndarray, shape (..., num_users, num_resources)
        Player weights [s] (``inf``: infeasible), or, with ``theta``, standalone times [s].
    choice : ndarray of int, shape (..., num_users)
    players : ndarray of bool, shape (..., num_users)
    load : ndarray, shape (..., num_resources), optional
        Loads of ``choice`` [s], when the caller has them.
    theta : ndarray, shape (..., num_users), optional
        θ (or the activity a): the player weights are then ``theta * w``
        (:func:`player_weights`, formed one column at a time).
    """
    if load is None:
        load = loads(w if theta is None else player_weights(w, theta), choice)
    shape = np.broadcast_shapes(w.shape[:-1], choice.shape, load.shape[:-1] + (1,))
    best = np.empty(shape)  # [..., N]
    column = np.empty(shape)
    with np.errstate(invalid="ignore"):  # 0 * inf of a non-player: masked below
        for r in range(w.shape[-1]):
            if theta is None:
                np.add(load[..., r, None], w[..., r], out=column)
            else:
                np.multiply(theta, w[..., r], out=column)
                np.add(load[..., r, None], column, out=column)
            if r == 0:
                best[...] = column
            else:
                np.minimum(best, column, out=best)
    current = np.take_along_axis(load, choice, axis=-1)
    # A player with no finite option (every resource infeasible for it; it sits on an inf
    # load) has inf - inf = NaN here: no move improves its cost, so its gap is 0, as its gain
    # in best_responses (a NaN would make the Nash gap of the whole game NaN).
    with np.errstate(invalid="ignore"):
        gap = current - best
    return np.where(players & (best < np.inf), np.maximum(gap, 0.0), 0.0)


def potential_key(load: FloatArray, tick_s: float) -> tuple[int, ...]:
    """The potential as an exact, ρ-free sort key (docs/model.md §4.5, option O16).

    Loads are quantised to integer ticks of ``tick_s`` and sorted in descending order. For
    ρ^tick > number of resources, comparing Φ = Σ_r ρ^{L_r} (eqs. (21), (22), (31), (32))
    between two profiles is the same as comparing these tuples lexicographically; a
    strictly improving move makes the key strictly smaller.

    Parameters
    ----------
    load : ndarray, shape (num_resources,)
        Loads of one game [s].
    tick_s : float
        Quantum δ (complete information) or Δθ·δ (stochastic game) [s].
    """
    ticks = np.rint(np.asarray(load, dtype=float) / tick_s).astype(np.int64)
    return tuple(int(t) for t in sorted(ticks.tolist(), reverse=True))


def log_potential(load: FloatArray, rho: float) -> FloatArray:
    """``log Φ = logsumexp_r(L_r ln ρ)`` for display (never computes ρ**L), eq. (21)."""
    scaled = np.asarray(load, dtype=float) * np.log(rho)
    top = scaled.max(axis=-1, keepdims=True)
    return (top[..., 0] + np.log(np.exp(scaled - top).sum(axis=-1))).astype(float)
