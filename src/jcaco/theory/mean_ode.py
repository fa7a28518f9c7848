"""The mean ODE of MASL's linear reward–inaction (Lemma 2, docs/model.md (40)–(41), §4.6).

For one subgame (APs or servers, the same resource-selection game, docs/architecture.md) every user
i holds a mixed strategy ``p_i`` over the resources. Each slot every user samples a resource
(O8), the reward of user i is ``r_i = clip(1 - L̄_{x_i} / T̄max_i, 0, 1)`` with the expected
load L̄ (27)/(28) of the sampled profile (O7 (a)), and only active users update (34). With
time rescaled ``t = b · iteration`` the expected increment gives the drift, with the activity
gating of §4.6 (Sastry 1994, eq. 16)::

    f_{i,r}(P) = θ_i p_{i,r} Σ_{r'} p_{i,r'} (h_{i,r}(P) - h_{i,r'}(P)),
    h_{i,r}(P) = E[r_i | P, x_i = r].

``h`` is computed exactly by enumerating the others' pure actions weighted by their mixed
strategies, so the clipping of the reward is honoured; this is meant for small games
(``R**N`` profiles).
"""

from __future__ import annotations

import numpy as np

from jcaco.game import resource
from jcaco.game.equilibria import enumerate_profiles
from jcaco.types import BoolArray, FloatArray, IntArray


def _others_probability(q: FloatArray) -> FloatArray:
    """``Π_{j≠i} q[:, j]`` for every column i without dividing (zeros allowed).

    ``q`` is ``[profiles, users]``; so is the result.
    """
    ones = np.ones((q.shape[0], 1))
    # [profiles, users]: product of the columns strictly before / after i
    before = np.cumprod(np.hstack([ones, q[:, :-1]]), axis=1)
    after = np.cumprod(np.hstack([ones, q[:, :0:-1]]), axis=1)[:, ::-1]
    return np.asarray(before * after, dtype=float)


def expected_rewards(
    probs: FloatArray,
    w: FloatArray,
    max_delay_s: FloatArray | float,
    allowed: BoolArray | None = None,
    profiles: IntArray | None = None,
) -> FloatArray:
    """``h_{i,r}(P) = E[r_i | P, x_i = r]``, exactly, docs/model.md §4.6.

    Parameters
    ----------
    probs : ndarray, shape (num_users, num_resources)
        Mixed strategies (rows on the simplex; 0 on disallowed resources).
    w : ndarray, shape (num_users, num_resources)
        Player weights θ_i · time[i, r] of the expected game (27)/(28) [s]; 0 rows for
        non-players; any finite value where not allowed.
    max_delay_s : ndarray, shape (num_users,) or scalar
        Reward normalisers T̄max_i of (35)/(38) [s].
    allowed : ndarray of bool, shape (num_users, num_resources), optional
        Resources each user may pick (default: all).
    profiles : ndarray of int, shape (num_profiles, num_users), optional
        ``enumerate_profiles(allowed)``, when the caller already has it.

    Returns
    -------
    ndarray, shape (num_users, num_resources)
        Expected reward of choosing r against the others' mixed strategies (0 where not
        allowed).
    """
    num_users, num_resources = w.shape
    if allowed is None:
        allowed = np.ones(w.shape, dtype=bool)
    w = np.where(allowed, w, 0.0)
    # [profiles, users]
    if profiles is None:
        profiles = enumerate_profiles(allowed)
    q = np.take_along_axis(probs, profiles.T, axis=1).T
    others = _others_probability(q)
    # [profiles, resources] and [profiles, users]
    load = resource.loads(np.broadcast_to(w, (len(profiles), *w.shape)), profiles)
    delay_s = np.take_along_axis(load, profiles, axis=1)
    reward = np.clip(1.0 - delay_s / np.broadcast_to(max_delay_s, (num_users,)), 0.0, 1.0)
    # For a fixed x_{-i} the enumeration holds exactly one profile per allowed x_i.
    flat = (np.arange(num_users) * num_resources + profiles).ravel()
    h = np.bincount(flat, weights=(others * reward).ravel(), minlength=num_users * num_resources)
    return np.asarray(h, dtype=float).reshape(num_users, num_resources)


def drift(
    probs: FloatArray,
    w: FloatArray,
    theta: FloatArray,
    max_delay_s: FloatArray | float,
    allowed: BoolArray | None = None,
    profiles: IntArray | None = None,
) -> FloatArray:
    """The mean field ``f(P)`` of (41) with activity gating, shape ``(num_users, num_resources)``.

    ``f_{i,r} = θ_i p_{i,r} (h_{i,r} - Σ_{r'} p_{i,r'} h_{i,r'})``, which is Sastry's
    component form; rows sum to 0, so the flow stays on the product of simplices. See
    :func:`expected_rewards` for the parameters; ``theta`` is θ, shape ``(num_users,)``.
    """
    h = expected_rewards(probs, w, max_delay_s, allowed, profiles)
    mean = (probs * h).sum(axis=1, keepdims=True)
    return np.asarray(np.asarray(theta)[:, None] * probs * (h - mean), dtype=float)


def integrate(
    probs0: FloatArray,
    w: FloatArray,
    theta: FloatArray,
    max_delay_s: FloatArray | float,
    times: FloatArray,
    allowed: BoolArray | None = None,
) -> FloatArray:
    """Solve ``dP/dt = f(P)``, ``P(0) = probs0`` (40) at ``times`` (rescaled, t = b·n).

    Returns
    -------
    ndarray, shape (len(times), num_users, num_resources)
    """
    from scipy.integrate import solve_ivp

    shape = probs0.shape
    profiles = enumerate_profiles(np.ones(shape, dtype=bool) if allowed is None else allowed)

    def rhs(_t: float, flat: FloatArray) -> FloatArray:
        return drift(flat.reshape(shape), w, theta, max_delay_s, allowed, profiles).ravel()

    times = np.asarray(times, dtype=float)
    sol = solve_ivp(
        rhs,
        (0.0, float(times[-1])),
        probs0.ravel(),
        method="LSODA",
        t_eval=times,
        rtol=1e-8,
        atol=1e-10,
    )
    if not sol.success:  # pragma: no cover - the field is smooth and bounded
        raise RuntimeError(f"ODE integration failed: {sol.message}")
    return np.asarray(sol.y.T.reshape(len(times), *shape), dtype=float)


def corner_rates(
    choice: IntArray,
    w: FloatArray,
    theta: FloatArray,
    max_delay_s: FloatArray | float,
    allowed: BoolArray | None = None,
) -> FloatArray:
    """Eigenvalues of the linearised flow at the pure profile ``choice`` (a simplex corner).

    At a corner the Jacobian of (41) in the coordinates ``p_{i,r}``, ``r ≠ x_i``, is diagonal
    with entries ``θ_i (h_{i,r} - h_{i,x_i})``: the corner is asymptotically stable when every
    entry is negative (Lemma 4 (ii)) and unstable when one is positive.

    Returns
    -------
    ndarray, shape (num_users, num_resources)
        The rates (``-inf`` at the user's own resource and where not allowed).
    """
    num_users, num_resources = w.shape
    corner = np.eye(num_resources)[choice]
    h = expected_rewards(corner, w, max_delay_s, allowed)
    own = np.take_along_axis(h, choice[:, None], axis=1)
    rates = np.asarray(theta)[:, None] * (h - own)
    mask = np.ones(w.shape, dtype=bool) if allowed is None else allowed.copy()
    mask[np.arange(num_users), choice] = False
    return np.where(mask, rates, -np.inf)
