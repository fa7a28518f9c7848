"""``br-sync``: every active user best-responds at once to the previous profile (docs/model.md §6).

The paper's BR with simultaneous updates: "the BR algorithm requires UEs to know the number of
active UEs and the strategies chosen by those UEs" (VII-A), and "BR is often unrealistic in
dynamic environments and can induce oscillations due to its deterministic updates and lack of
exploration" (VII-C8). x_i = argmin_m T_{i,m}(t) + Σ_{j active, j≠i, x_j(t-1)=m} T_{j,m}(t),
likewise for servers; ties keep the current action. Simultaneous moves can oscillate, which is
the behaviour the paper's remark describes; the sequential reading is ``br``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from jcaco.game import resource
from jcaco.game.profile import Profile
from jcaco.learners.base import Learner
from jcaco.learners.best_response import start_profile
from jcaco.learners.information import EVERYTHING
from jcaco.learners.readings import BR_SYNC
from jcaco.learners.views import Setup, View
from jcaco.rng import RandomSource


class BestResponseSync(Learner):
    """Simultaneous best response (``br-sync``).

    Parameters
    ----------
    start : {"random", "greedy"}
        Initial profile.
    """

    name = "br-sync"
    information = EVERYTHING
    reading = BR_SYNC

    def __init__(self, start: Literal["random", "greedy"] = "random"):
        self.start = start

    def reset(self, setup: Setup, rng: RandomSource) -> None:
        """Draw the starting profile."""
        self.last_ = start_profile(setup, self.start, rng)
        self.converged_ = np.zeros(setup.shape[0], dtype=bool)

    def act(self, view: View) -> Profile:
        """All players move to their best response to the previous profile at once."""
        assert view.others is not None  # declared: others="actions"
        game = view.others
        w_ap = resource.player_weights(game.tx_time_s, game.weight)
        w_server = resource.player_weights(game.compute_time_s, game.weight)
        ap, _ = resource.best_responses(w_ap, self.last_.ap)
        server, _ = resource.best_responses(w_server, self.last_.server)
        changed = (ap != self.last_.ap) | (server != self.last_.server)
        self.converged_ = ~changed.any(axis=-1)
        self.last_ = Profile(ap, server)
        return self.last_
