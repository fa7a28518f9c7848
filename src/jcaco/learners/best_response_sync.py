"""``br-sync``: every active user best-responds at once to the previous profile (MODEL.md §6).

x_i = argmin_m T_{i,m}(t) + Σ_{j active, j≠i, x_j(t-1)=m} T_{j,m}(t), likewise for servers;
ties keep the current action. Simultaneous moves can oscillate (the paper's remark in
VII-C8): that is the point of this variant.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from jcaco.game import resource
from jcaco.game.profile import Profile
from jcaco.learners.base import FullView, Learner
from jcaco.learners.best_response import start_profile
from jcaco.model.instance import GameInstance
from jcaco.rng import RandomSource


class BestResponseSync(Learner):
    """Simultaneous best response (``br-sync``).

    Parameters
    ----------
    start : {"random", "greedy"}
        Initial profile.
    """

    name = "br-sync"
    information = "full"

    def __init__(self, start: Literal["random", "greedy"] = "random"):
        self.start = start

    def reset(self, game: GameInstance, rng: RandomSource) -> None:
        """Draw the starting profile."""
        self.last_ = start_profile(game, self.start, rng)
        self.converged_ = np.zeros(game.tx_time_s.shape[0], dtype=bool)

    def act(self, view: FullView) -> Profile:  # type: ignore[override]
        """All players move to their best response to the previous profile at once."""
        w_ap = resource.player_weights(view.tx_time_s, view.weight)
        w_server = resource.player_weights(view.compute_time_s, view.weight)
        ap, _ = resource.best_responses(w_ap, self.last_.ap)
        server, _ = resource.best_responses(w_server, self.last_.server)
        changed = (ap != self.last_.ap) | (server != self.last_.server)
        self.converged_ = ~changed.any(axis=-1)
        self.last_ = Profile(ap, server)
        return self.last_
