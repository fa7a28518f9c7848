"""Marginal-cost pricing: the game whose exact potential is the social cost (docs/algorithms.md).

One subgame, weights v (θ for the expected game (23), a(t) ∈ {0, 1} for the
complete-information game (16)), w[i, r] = v_i T[i, r]. On resource r with player set S let
W_r = Σ_S w_j (the load (8)/(27)) and V_r = Σ_S v_j (the expected, or realised, number of
users there). The social cost of the subgame is
(:func:`jcaco.game.optimum.count_model.subgame_cost`)

    Φ = Σ_r cost_r(S_r),   cost_r(S) = Σ_{j∈S} w_j (1 - v_j) + V_r W_r,

objective (15) (problem (14) when v ∈ {0, 1}). The *priced* cost of player i on r is its
marginal contribution to Φ, cost_r(S) - cost_r(S \\ {i}), with W_r, V_r counting i:

    c_i(r) = w_i (1 - 2 v_i) + v_i W_r + V_r w_i
           = v_i · E[own delay | active]  +  (V_r - v_i) w_i,

its own θ-weighted expected delay v_i (T[i, r] + W_r - w_i) plus the expected delay it adds to
the others on r (each of the V_r - v_i expected others waits w_i longer). With v ∈ {0, 1} and
i active this is L_r + (n_r - 1) T[i, r]: its delay plus the number of others there times its
own standalone time. A user needs its own delay, its own standalone time and one number per
resource, V_r, broadcast by the AP or server (``others="loads"``,
:mod:`jcaco.learners.information`).

Exact potential. When i moves from r to r', only cost_r and cost_{r'} change, and
Φ(after) - Φ(before) = [cost_{r'}(S' ∪ i) - cost_{r'}(S')] - [cost_r(S) - cost_r(S \\ i)]
= c_i(r' | after) - c_i(r | before): the priced game is an exact potential game with
potential Φ. Hence its pure equilibria are exactly the profiles no single move improves Φ,
the local optima of (14)/(15) under single moves, and the global optimum is one of them;
log-linear learning on it has the Gibbs distribution ∝ exp(-Φ/τ) as its stationary law and
concentrates on the optimum as τ → 0 (Marden and Shamma, GEB 75(2), 2012).
"""

from __future__ import annotations

import numpy as np

from jcaco import kernels
from jcaco.game import resource
from jcaco.game.profile import Profile
from jcaco.types import BoolArray, FloatArray, IntArray


def priced_cost(
    own_weight_s: FloatArray, weight: FloatArray, load_s: FloatArray, mass: FloatArray
) -> FloatArray:
    """Priced cost c_i = w_i (1 - 2 v_i) + v_i W + V w_i at a resource [s].

    Parameters
    ----------
    own_weight_s : ndarray, shape (...)
        w_i = v_i T[i, r] of the user at the resource [s].
    weight : ndarray, shape (...)
        v_i (θ_i, or a_i).
    load_s : ndarray, shape (...)
        W_r, the load of the resource counting the user (27)/(28) or (8)/(11) [s].
    mass : ndarray, shape (...)
        V_r, the (expected) number of users on the resource, counting the user.
    """
    return own_weight_s * (1.0 - 2.0 * weight) + weight * load_s + mass * own_weight_s


def priced_deviation_costs(w: FloatArray, weight: FloatArray, choice: IntArray) -> FloatArray:
    """Priced cost of every user on every resource if it alone moved there.

    Parameters
    ----------
    w : ndarray, shape (..., N, R)
        Player weights :func:`jcaco.game.resource.player_weights` [s] (0 for non-players).
    weight : ndarray, shape (..., N)
        v (θ or a).
    choice : ndarray of int, shape (..., N)

    Returns
    -------
    ndarray, shape (..., N, R)
        ``c_i(r)`` with W_r, V_r counting i on r (at ``r = choice_i`` the current priced cost)
        [s]; ``inf`` where infeasible; 0 for non-players.
    """
    weight = np.asarray(weight, dtype=float)
    load = resource.loads(w, choice)  # [..., R]
    players: BoolArray = np.asarray((w > 0).any(axis=-1))  # [..., N]
    mass = resource.chosen_loads(np.ones(w.shape), np.where(players, weight, 0.0), choice)
    own = resource.chosen(w, choice)  # [..., N]
    v = np.where(players, weight, 0.0)[..., None]  # [..., N, 1]
    # loads without user i, then with i on each r
    others_load = load[..., None, :] - _at_choice(own, choice, w.shape[-1])
    others_mass = mass[..., None, :] - _at_choice(v[..., 0], choice, w.shape[-1])
    finite = np.isfinite(w)
    w_safe = np.where(finite, w, 0.0)
    cost = np.where(finite, priced_cost(w_safe, v, others_load + w_safe, others_mass + v), np.inf)
    return np.where(players[..., None], cost, 0.0)


def _at_choice(values: FloatArray, choice: IntArray, num_resources: int) -> FloatArray:
    """``out[..., i, r] = values[..., i]`` where ``r == choice_i``, else 0."""
    hot = choice[..., None] == np.arange(num_resources)  # [..., N, R]
    return np.where(hot, values[..., None], 0.0)


def priced_best_responses(
    w: FloatArray, weight: FloatArray, choice: IntArray, atol: float = resource.DEFAULT_ATOL_S
) -> tuple[IntArray, FloatArray]:
    """Best response of every player in the priced game; ties keep the current choice.

    Returns
    -------
    best : ndarray of int, shape (..., N)
    gain : ndarray, shape (..., N)
        The drop of its priced cost, which is also the drop of the social cost Φ [s].
    """
    cost = priced_deviation_costs(w, weight, choice)
    current = np.take_along_axis(cost, choice[..., None], axis=-1)[..., 0]
    argbest = np.argmin(cost, axis=-1)
    gain = current - np.take_along_axis(cost, argbest[..., None], axis=-1)[..., 0]
    improves = (gain > atol) & (w > 0).any(axis=-1)
    return np.where(improves, argbest, choice), np.where(improves, gain, 0.0)


#: The fields :func:`broadcast_counts` fills, in the compiled kernel's order.
BROADCAST_FIELDS = (
    "ap_users_expected",
    "ap_users_measured",
    "server_users_expected",
    "server_users_measured",
)


def broadcast_counts(
    theta: FloatArray, active: FloatArray, profile: Profile, num_aps: int, num_servers: int
) -> dict[str, FloatArray]:
    """Per user, the expected (Σθ) and realised (active) user counts of its AP and server.

    What each AP and server broadcasts after a slot, as heard by the users it served.

    The loads (27)/(28) and (8)/(11) with every standalone time 1: one number per resource,
    taken at each user's choice, shape ``(S, N)`` each (the ``*_users_*`` fields of
    :class:`~jcaco.learners.base.Feedback`).
    """
    compiled = kernels.load("jcaco.game._pricing_numba")
    same = (np.shape(theta), np.shape(active), profile.server.shape) == (profile.ap.shape,) * 3
    if compiled is not None and profile.ap.ndim == 2 and same:  # the same sums (jcaco.kernels)
        *counts, ok = compiled.broadcast_counts_kernel(
            np.ascontiguousarray(theta, dtype=float),
            np.ascontiguousarray(active, dtype=float),
            np.ascontiguousarray(profile.ap),
            np.ascontiguousarray(profile.server),
            num_aps,
            num_servers,
        )
        if ok:
            return dict(zip(BROADCAST_FIELDS, counts, strict=True))
    out: dict[str, FloatArray] = {}
    for part, choice, size in (
        ("ap", profile.ap, num_aps),
        ("server", profile.server, num_servers),
    ):
        batch = int(np.prod(choice.shape[:-1], dtype=np.int64))
        # [batch, N]: one flat resource index per (batch entry, resource)
        flat = choice.reshape(batch, -1) + (np.arange(batch) * size)[:, None]
        for kind, weight in (("expected", theta), ("measured", active)):
            weights = np.broadcast_to(np.asarray(weight, dtype=float), choice.shape)
            total = np.bincount(flat.ravel(), weights=weights.ravel(), minlength=batch * size)
            out[f"{part}_users_{kind}"] = total[flat].reshape(choice.shape)
    return out


__all__ = ["broadcast_counts", "priced_best_responses", "priced_cost", "priced_deviation_costs"]
