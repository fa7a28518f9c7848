"""``raro``: random AP and random feasible server (docs/model.md §6).

The paper: "UEs make random associations with APs and randomly select an ES, without
considering any system information" (VII-A). Uniform over the APs and over the user's feasible
servers, redrawn each slot (or drawn once
and kept with ``redraw=False``).
"""

from __future__ import annotations

import numpy as np

from jcaco.game.profile import Profile
from jcaco.learners.base import Learner, uniform_choice
from jcaco.learners.information import NOTHING
from jcaco.learners.views import Setup, View
from jcaco.rng import RandomSource


class RandomAssignment(Learner):
    """Random association and random offloading (``raro``).

    Parameters
    ----------
    redraw : bool
        Redraw every slot (default) or keep the first draw.
    """

    name = "raro"
    information = NOTHING

    def __init__(self, redraw: bool = True):
        self.redraw = redraw

    def reset(self, setup: Setup, rng: RandomSource) -> None:
        """Draw the first profile."""
        self.rng_ = rng
        self.last_ = self._draw(setup.tx_time_s, setup.compute_time_s)
        self.fresh_ = True
        self.converged_ = np.zeros(setup.shape[0], dtype=bool)

    def _draw(self, tx_time_s: np.ndarray, compute_time_s: np.ndarray) -> Profile:
        return Profile(
            uniform_choice(np.ones(tx_time_s.shape, dtype=bool), self.rng_),
            uniform_choice(np.isfinite(compute_time_s), self.rng_),
        )

    def act(self, view: View) -> Profile:
        """A fresh uniform draw (or the kept one)."""
        if self.redraw and not self.fresh_:
            self.last_ = self._draw(view.tx_time_s, view.compute_time_s)
        self.fresh_ = False
        self.converged_ = np.ones(view.theta.shape[0], dtype=bool)
        return self.last_
