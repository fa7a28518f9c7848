"""``mxfp``: fictitious play against uniform mixed strategies, with inertia (the paper's [47]).

The paper: "Each UE updates its strategy by responding to the estimated mixed strategies of the
other UEs, assuming these strategies are uniformly distributed across the available actions"
(VII-A), and "the mxFP algorithm only requires knowledge of the total number of UEs in the
system". So a user knows N, its own θ_i, activity bit and realised standalone times, and
nothing of the others (docs/model.md §6, O12).

Reading (docs/algorithms.md, written before measuring). Under uniform beliefs user j is on
resource r with probability 1/R_j; the user does not know j's θ_j or times, so it must stand
in for them. Two stand-ins are natural: its own θ_i and time T_{i,r} (the others are like me),
or its own θ_i and its own mean time T̄_i (the others are average users). The believed cost of
resource r is then

    ĉ_i(r) = T_{i,r} (1 + (N - 1) θ_i / R)     or     ĉ_i(r) = T_{i,r} + (N - 1) θ_i T̄_i / R,

with R the number of APs (servers): all actions are "available" to a user it knows nothing
about. Both are increasing in T_{i,r} alone, so both readings choose the same resource, the
user's fastest standalone one: the readings cannot differ in any measurement, and the first is
computed here. The user then keeps its previous action with probability ``inertia`` (the
"with inertia" of [47]); only active users move. The empirical-belief learner that sees
everybody's actions and realised times is the variant ``fp-empirical``.
"""

from __future__ import annotations

import numpy as np

from jcaco.game.profile import Profile
from jcaco.learners.base import Learner
from jcaco.learners.information import Information
from jcaco.learners.params import check_ranges
from jcaco.learners.views import Setup, View
from jcaco.rng import RandomSource
from jcaco.types import BoolArray, FloatArray, IntArray


class InertialResponse(Learner):
    """Shared machinery of the fictitious-play learners: argmin with inertia, convergence.

    Parameters
    ----------
    inertia : float
        Probability of keeping the previous action, in [0, 1).
    patience : int
        Converged once no user changed its action for this many slots.
    """

    def __init__(self, inertia: float = 0.3, patience: int = 20):
        self.inertia = inertia
        self.patience = patience

    def reset(self, setup: Setup, rng: RandomSource) -> None:
        """Check the options; no action yet."""
        if not 0 <= self.inertia < 1:
            raise ValueError(f"inertia must be in [0, 1), got {self.inertia!r}")
        check_ranges(self)  # patience (and fp-empirical's prior_weight): learners/params.py
        self.rng_ = rng
        self.last_: Profile | None = None  # type: ignore[assignment]
        self.stable_slots_ = np.zeros(setup.shape[0], dtype=np.int64)
        self.converged_ = np.zeros(setup.shape[0], dtype=bool)

    def _choose(self, cost: FloatArray, previous: IntArray | None, movers: BoolArray) -> IntArray:
        best = np.argmin(cost, axis=-1)
        if previous is None:
            return best
        keep = (self.rng_.random(best.shape) < self.inertia) | ~movers
        return np.where(keep, previous, best)

    def respond(self, cost_ap: FloatArray, cost_server: FloatArray, movers: BoolArray) -> Profile:
        """The argmin of each believed cost, kept with probability ``inertia``."""
        prev = self.last_
        ap = self._choose(cost_ap, None if prev is None else prev.ap, movers)
        server = self._choose(cost_server, None if prev is None else prev.server, movers)
        if prev is not None:
            changed = ((ap != prev.ap) | (server != prev.server)).any(axis=-1)
            self.stable_slots_ = np.where(changed, 0, self.stable_slots_ + 1)
        self.converged_ = self.stable_slots_ >= self.patience
        self.last_ = Profile(ap, server)
        return self.last_


def uniform_belief_cost(time: FloatArray, theta: FloatArray, num_users: int) -> FloatArray:
    """ĉ_i(r) = T_{i,r} (1 + (N - 1) θ_i / R): the others like user i, uniform over R actions.

    ``time`` is ``(S, N, R)`` (``inf`` where infeasible), ``theta`` ``(S, N)``; returns
    ``(S, N, R)`` [s].
    """
    num_resources = time.shape[-1]
    return time * (1.0 + (num_users - 1) * theta[..., None] / num_resources)


class FictitiousPlay(InertialResponse):
    """Fictitious play with uniform beliefs and inertia (``mxfp``); parameters as
    :class:`InertialResponse` (``inertia``, ``patience``)."""

    name = "mxfp"
    information = Information("own", "own", "count")

    def act(self, view: View) -> Profile:
        """Best response to uniform beliefs about the others, with inertia."""
        assert view.num_users is not None and view.active is not None  # declared
        cost_ap = uniform_belief_cost(view.tx_time_s, view.theta, view.num_users)
        cost_server = uniform_belief_cost(view.compute_time_s, view.theta, view.num_users)
        return self.respond(cost_ap, cost_server, view.active)
