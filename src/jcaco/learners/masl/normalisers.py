"""MASL's reward constants T̄max of (35), (38): a family of a-priori normalisers.

The paper, below (35) (its formula lost in the text's extraction): "It is chosen such that over
the considered learning horizon, so that the normalized reward remains bounded within ." and
"It is worth noting that the normalization factor is a fixed constant and does not depend on
future observations or online updates." Every member below is such a constant: computed once
in :meth:`MASL.reset <jcaco.learners.masl.core.MASL.reset>`, before the first slot, from what MASL
may know: the public constants announced at set-up (:class:`~jcaco.learners.views.
Announcements`, made from every user's θ and mean-fading times) and, for ``per-user``, N and
its own times. Each is computed per subgame (AP: T̄max_tr; server: T̄max_cp) and for the
delay the reward reads (the expected loads (27), (28), or the realised ones (8), (11) with
``reward_signal="measured"``). From the loosest:

``o9``
    Σ_j θ_j max_r T_{j,r} (docs/model.md O9): every user on one resource at its own worst
    time. Bounds every expected load of every profile at the mean fading.
``per-user``
    N times the user's own largest standalone time, one constant per user (needs N).
``worst-resource``
    max_r Σ_j θ_j T_{j,r}: the load of the resource that is worst with every user on it, the
    largest expected load any profile gives at the mean fading (exactly; never above ``o9``).
``start-quantile``
    The load that no resource exceeds, with probability at least 1 − δ, when every user plays
    its uniform start strategy (33): per resource r, Bernstein's inequality for the sum of
    independent terms w_jr X_jr (X_jr ~ Bernoulli(p_jr), :class:`~jcaco.learners.views.
    LoadStats`) gives μ_r + t_r with t_r = b_r ℓ / 3 + sqrt((b_r ℓ / 3)² + 2 v_r ℓ),
    ℓ = ln(R / δ) (a union over the R resources), and the constant is the largest over r,
    capped at ``worst-resource``. It bounds the loads of the start; that learning does not
    raise the largest load above them over the horizon is what the clipped share measures
    (docs/algorithms.md, "MASL's normaliser").

None of them bounds a delay at a realised fading below the mean: such a delay is clipped to
reward 0. ``scale`` multiplies the chosen constant (1 keeps it).
"""

from __future__ import annotations

import numpy as np

from jcaco.learners.readings import NORMALISER_SENTENCES, Reading
from jcaco.learners.views import LoadStats, Setup
from jcaco.types import FloatArray

#: The members of the family, loosest first.
NORMALISERS: tuple[str, ...] = ("o9", "per-user", "worst-resource", "start-quantile")

_SUMMARIES = {
    "o9": "Σ_j θ_j max_r T_jr: every user on one resource at its own worst time (O9)",
    "per-user": "N times the user's own largest standalone time, one constant per user",
    "worst-resource": "max_r Σ_j θ_j T_jr: the largest expected load any profile gives",
    "start-quantile": "the largest load of the uniform start (33) with probability >= 1 - δ",
}


def normaliser_reading(name: str, default: str) -> Reading:
    """The reading of normaliser ``name`` (group ``masl-normaliser``)."""
    return Reading("masl-normaliser", name, _SUMMARIES[name], NORMALISER_SENTENCES, name == default)


def per_user_scale(time: FloatArray, num_users: int) -> FloatArray:
    """N times each user's own largest feasible standalone time, shape ``(S, N)`` [s]."""
    worst = np.where(np.isfinite(time), time, 0.0).max(axis=-1)  # [S, N]
    return np.maximum(num_users * worst, 1e-300)


def worst_resource(stats: LoadStats) -> FloatArray:
    """max_r of the full load of r, shape ``(S, 1)`` [s]."""
    return np.maximum(stats.full_s.max(axis=-1, keepdims=True), 1e-300)


def start_quantile(stats: LoadStats, delta: float) -> FloatArray:
    """The Bernstein bound of the largest load under the uniform start at level ``delta``,
    capped at :func:`worst_resource`, shape ``(S, 1)`` [s] (module docstring)."""
    num = stats.full_s.shape[-1]
    level = np.log(num / delta)
    third = stats.largest_s * level / 3.0
    tail = third + np.sqrt(third**2 + 2.0 * stats.start_variance_s2 * level)  # [S, R]
    bound = (stats.start_mean_s + tail).max(axis=-1, keepdims=True)
    return np.minimum(bound, worst_resource(stats))


def normaliser_constants(
    setup: Setup, name: str, signal: str, delta: float
) -> tuple[FloatArray, FloatArray]:
    """T̄max of the AP and the server subgame for normaliser ``name`` and the delay
    ``signal`` (``"expected"`` or ``"measured"``): ``(S, 1)`` each, ``(S, N)`` for
    ``per-user`` [s]."""
    notes = setup.announcements
    if name == "o9":
        if signal == "expected":
            return notes.expected_max_ap_load_s, notes.expected_max_server_load_s
        return notes.max_ap_load_s, notes.max_server_load_s
    if name == "per-user":
        assert setup.num_users is not None  # declared: others="count"
        return (
            per_user_scale(setup.tx_time_s, setup.num_users),
            per_user_scale(setup.compute_time_s, setup.num_users),
        )
    stats = notes.load_stats("ap", signal), notes.load_stats("server", signal)
    if name == "worst-resource":
        return worst_resource(stats[0]), worst_resource(stats[1])
    if name == "start-quantile":
        return start_quantile(stats[0], delta), start_quantile(stats[1], delta)
    raise ValueError(f"normaliser: got {name!r}; allowed: {', '.join(NORMALISERS)}")


__all__ = [
    "NORMALISERS",
    "normaliser_constants",
    "normaliser_reading",
    "per_user_scale",
    "start_quantile",
    "worst_resource",
]
