"""``fp-empirical``: fictitious play with empirical beliefs (a variant of the paper's mxFP).

Not the paper's mxFP, which knows only N (:mod:`.fictitious_play`): this variant sees the
actions of the active users and everybody's realised times. Every user believes each other
user j plays its empirical action frequencies q_j (uniform prior of weight ``prior_weight``;
only actions of active users are observed). Its believed cost of AP m is
ĉ_i(m) = T_{i,m}(t) + Σ_{j≠i} θ_j q_j(m) T_{j,m}(t) (likewise for servers); it picks the
argmin and keeps its previous action with probability ``inertia`` (docs/model.md §6, O12).
"""

from __future__ import annotations

import numpy as np

from jcaco import kernels
from jcaco.game.profile import Profile
from jcaco.learners.base import Feedback
from jcaco.learners.fictitious_play import InertialResponse
from jcaco.learners.information import EVERYTHING
from jcaco.learners.views import Setup, View
from jcaco.rng import RandomSource
from jcaco.types import FloatArray


def empirical_belief_cost(time: FloatArray, theta: FloatArray, counts: FloatArray) -> FloatArray:
    """ĉ[i, r] = time[i, r] + Σ_{j≠i} θ_j q_j(r) time[j, r], shape ``(S, N, R)`` [s].

    With numba, for ``(S, N, R)`` arrays with R >= 2, the compiled twin in
    :mod:`jcaco.learners._fp_empirical_numba` (the same operations, so the same bits; numpy
    sums one resource's contributions in user order only when R >= 2).
    """
    q = counts / counts.sum(axis=-1, keepdims=True)
    compiled = kernels.load("jcaco.learners._fp_empirical_numba")
    arrays = (time, theta, q)
    if (
        compiled is not None
        and time.ndim == 3
        and time.shape[-1] >= 2
        and q.shape == time.shape
        and np.shape(theta) == time.shape[:-1]
        and all(np.asarray(a).dtype == np.float64 for a in arrays)
    ):
        return compiled.belief_cost_kernel(*(np.ascontiguousarray(a) for a in arrays))
    with np.errstate(invalid="ignore"):
        contrib = np.where(q > 0, theta[..., None] * q * time, 0.0)  # [S, N, R]
    return time + contrib.sum(axis=-2, keepdims=True) - contrib


class EmpiricalFictitiousPlay(InertialResponse):
    """Mixed-strategy fictitious play on empirical frequencies, with inertia.

    Parameters
    ----------
    inertia : float
        Probability of keeping the previous action, in [0, 1).
    prior_weight : float
        Weight of the uniform prior in the empirical beliefs (> 0).
    patience : int
        Converged once no user changed its action for this many slots.
    """

    name = "fp-empirical"
    information = EVERYTHING
    role = "variant"

    def __init__(self, inertia: float = 0.3, prior_weight: float = 1.0, patience: int = 20):
        super().__init__(inertia=inertia, patience=patience)
        self.prior_weight = prior_weight

    def reset(self, setup: Setup, rng: RandomSource) -> None:
        """Uniform beliefs (prior weight spread over the feasible actions)."""
        super().reset(setup, rng)
        s, n, m, _ = setup.shape
        feasible = setup.feasible
        self.counts_ap_ = np.full((s, n, m), self.prior_weight / m)
        self.counts_server_ = self.prior_weight * feasible / feasible.sum(-1, keepdims=True)

    def act(self, view: View) -> Profile:
        """Best response to the believed mixed strategies, with inertia."""
        assert view.others is not None  # declared: others="actions"
        game = view.others
        cost_ap = empirical_belief_cost(game.tx_time_s, game.theta, self.counts_ap_)
        cost_server = empirical_belief_cost(game.compute_time_s, game.theta, self.counts_server_)
        return self.respond(cost_ap, cost_server, game.weight > 0)

    def observe(self, profile: Profile, feedback: Feedback) -> None:
        """Count the actions of the active (observed) users."""
        seen = feedback.active[..., None]
        m, k = self.counts_ap_.shape[-1], self.counts_server_.shape[-1]
        self.counts_ap_ += seen * (profile.ap[..., None] == np.arange(m))
        self.counts_server_ += seen * (profile.server[..., None] == np.arange(k))
