"""``selfish``: nearest AP and the largest-capacity feasible server (docs/model.md §6, [44]).

The paper: "each UE independently selects the nearest AP for data transmission and chooses
the ES with the largest computation capacity for task processing, ignoring the strategies of
other UEs" (VII-A). Chosen afresh each slot from the user's own information only: the nearest
AP when the geometry is known (else the fastest standalone link at the mean fading), and the
feasible server with the largest capacity f_k (public; else the fastest standalone
computation). Users herd onto the strongest server.
"""

from __future__ import annotations

import numpy as np

from jcaco.game.profile import Profile
from jcaco.learners.base import Learner
from jcaco.learners.information import NOTHING
from jcaco.learners.views import Setup, View
from jcaco.rng import RandomSource


class Selfish(Learner):
    """Greedy selfish baseline (no parameters)."""

    name = "selfish"
    information = NOTHING

    def __init__(self) -> None:
        pass

    def reset(self, setup: Setup, rng: RandomSource) -> None:
        """Remember the server capacities (public data) if known."""
        self.capacity_flops_ = setup.capacity_flops
        s, n = setup.theta.shape
        self.last_ = Profile(np.zeros((s, n), np.int64), np.argmin(setup.compute_time_s, -1))
        self.converged_ = np.zeros(s, dtype=bool)

    def act(self, view: View) -> Profile:
        """Nearest AP, strongest feasible server."""
        ap = np.argmin(view.tx_time_s if view.distance_m is None else view.distance_m, axis=-1)
        feasible = np.isfinite(view.compute_time_s)
        if self.capacity_flops_ is None:
            server = np.argmin(view.compute_time_s, axis=-1)
        else:
            capacity = np.broadcast_to(self.capacity_flops_[..., None, :], feasible.shape)
            server = np.argmax(np.where(feasible, capacity, -np.inf), axis=-1)
        self.last_ = Profile(ap, server)
        self.converged_ = np.ones(ap.shape[0], dtype=bool)
        return self.last_
