"""``mxfp``: fictitious play against estimated mixed strategies, with inertia (MODEL.md §6, O12).

Every user believes each other user j plays its empirical action frequencies q_j (uniform
prior of weight ``prior_weight``; only actions of active users are observed). Its expected
cost of AP m is ĉ_i(m) = T_{i,m}(t) + Σ_{j≠i} θ_j q_j(m) T_{j,m}(t) (likewise for servers);
it picks the argmin, but keeps its previous action with probability ``inertia``. The
``beliefs="uniform"`` option (mxFP-min, "only knows N") keeps the beliefs uniform and replaces
the others' times by its own, so it picks its fastest standalone resource.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from jcaco.game.profile import Profile
from jcaco.learners.base import Feedback, FullView, Learner
from jcaco.model.instance import GameInstance
from jcaco.rng import RandomSource
from jcaco.types import BoolArray, FloatArray, IntArray


def _expected_costs(time: FloatArray, theta: FloatArray, counts: FloatArray) -> FloatArray:
    """ĉ[i, r] = time[i, r] + Σ_{j≠i} θ_j q_j(r) time[j, r], shape ``(S, N, R)``."""
    q = counts / counts.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore"):
        contrib = np.where(q > 0, theta[..., None] * q * time, 0.0)  # [S, N, R]
    return time + contrib.sum(axis=-2, keepdims=True) - contrib


class FictitiousPlay(Learner):
    """Mixed-strategy fictitious play with inertia (``mxfp``).

    Parameters
    ----------
    inertia : float
        Probability of keeping the previous action, in [0, 1).
    prior_weight : float
        Weight of the uniform prior in the empirical beliefs (> 0).
    beliefs : {"empirical", "uniform"}
        ``uniform`` is the mxFP-min option.
    patience : int
        Converged once no user changed its action for this many slots.
    """

    name = "mxfp"
    information = "full"

    def __init__(
        self,
        inertia: float = 0.3,
        prior_weight: float = 1.0,
        beliefs: Literal["empirical", "uniform"] = "empirical",
        patience: int = 20,
    ):
        self.inertia = inertia
        self.prior_weight = prior_weight
        self.beliefs = beliefs
        self.patience = patience

    def reset(self, game: GameInstance, rng: RandomSource) -> None:
        """Uniform beliefs (prior weight spread over the feasible actions)."""
        if not 0 <= self.inertia < 1:
            raise ValueError(f"inertia must be in [0, 1), got {self.inertia!r}")
        if self.beliefs not in ("empirical", "uniform"):
            raise ValueError(f"beliefs must be 'empirical' or 'uniform', got {self.beliefs!r}")
        s, n, m = game.tx_time_s.shape
        feasible = game.feasible
        self.rng_ = rng
        self.counts_ap_ = np.full((s, n, m), self.prior_weight / m)
        self.counts_server_ = self.prior_weight * feasible / feasible.sum(-1, keepdims=True)
        self.last_: Profile | None = None  # type: ignore[assignment]
        self.stable_slots_ = np.zeros(s, dtype=np.int64)
        self.converged_ = np.zeros(s, dtype=bool)

    def _choose(self, cost: FloatArray, previous: IntArray | None, movers: BoolArray) -> IntArray:
        best = np.argmin(cost, axis=-1)
        if previous is None:
            return best
        keep = (self.rng_.random(best.shape) < self.inertia) | ~movers
        return np.where(keep, previous, best)

    def act(self, view: FullView) -> Profile:  # type: ignore[override]
        """Best response to the believed mixed strategies, with inertia."""
        if self.beliefs == "uniform":
            cost_ap, cost_server = view.tx_time_s, view.compute_time_s
        else:
            cost_ap = _expected_costs(view.tx_time_s, view.activity, self.counts_ap_)
            cost_server = _expected_costs(view.compute_time_s, view.activity, self.counts_server_)
        movers = view.weight > 0
        prev = self.last_
        ap = self._choose(cost_ap, None if prev is None else prev.ap, movers)
        server = self._choose(cost_server, None if prev is None else prev.server, movers)
        if prev is not None:
            changed = ((ap != prev.ap) | (server != prev.server)).any(axis=-1)
            self.stable_slots_ = np.where(changed, 0, self.stable_slots_ + 1)
        self.converged_ = self.stable_slots_ >= self.patience
        self.last_ = Profile(ap, server)
        return self.last_

    def observe(self, profile: Profile, feedback: Feedback) -> None:
        """Count the actions of the active (observed) users."""
        seen = feedback.active[..., None]
        m, k = self.counts_ap_.shape[-1], self.counts_server_.shape[-1]
        self.counts_ap_ += seen * (profile.ap[..., None] == np.arange(m))
        self.counts_server_ += seen * (profile.server[..., None] == np.arange(k))
