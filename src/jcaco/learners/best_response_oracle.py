"""``br-oracle``: sequential best response to an exact equilibrium inside every slot (reference).

A reference, not the paper's baseline (docs/model.md §6, O11): each slot it knows the slot's
realised game (who is active and everybody's realised times) and, from the previous slot's
profile, lets the users that can improve take turns in a random order, each moving to its best
response, until nobody can (at most ``max_rounds`` rounds; ``cap_hit_`` reports where the cap
bound). Convergence is granted inside the slot, which is exactly the static-environment
assumption the paper's Sec. V says best response needs: best-response schemes "assume a static
environment, i.e., fixed player set, time-invariant payoff functions, and no stochastic system
dynamics during the convergence process". The paper's ``br`` (:mod:`.best_response`) makes a
bounded number of moves per slot instead. The AP and server subgames are independent
(docs/model.md §4.2, item 5), so each runs its own dynamics.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from jcaco.game import resource
from jcaco.game.dynamics import sequential_best_response  # numba kernel when installed
from jcaco.game.profile import Profile
from jcaco.learners.base import Learner
from jcaco.learners.best_response import start_profile
from jcaco.learners.information import EVERYTHING
from jcaco.learners.params import check_ranges
from jcaco.learners.views import Setup, View
from jcaco.rng import RandomSource
from jcaco.types import FloatArray, IntArray


class BestResponseOracle(Learner):
    """Sequential best response to an equilibrium of every slot's game (``br-oracle``).

    Parameters
    ----------
    start : {"random", "greedy"}
        Initial profile: uniform random from the seed, or users placed one by one at their
        best response to those already placed.
    max_rounds : int
        Cap on the rounds of play per slot (R_max = 50).
    """

    name = "br-oracle"
    information = EVERYTHING
    role = "reference"

    def __init__(self, start: Literal["random", "greedy"] = "random", max_rounds: int = 50):
        self.start = start
        self.max_rounds = max_rounds

    def reset(self, setup: Setup, rng: RandomSource) -> None:
        """Check ``max_rounds`` (learners/params.py); draw the starting profile."""
        check_ranges(self)
        self.rng_ = rng
        self.last_ = start_profile(setup, self.start, rng)
        self.converged_ = np.zeros(setup.shape[0], dtype=bool)
        self.cap_hit_ = np.zeros_like(self.converged_)
        self.moves_ = np.zeros(setup.shape[0], dtype=np.int64)

    def _play(self, time: FloatArray, weight: FloatArray, choice: IntArray) -> tuple:
        w = resource.player_weights(time, weight)
        out = sequential_best_response(w, choice, self.rng_, max_rounds=self.max_rounds)
        return out.choice, out.converged, out.moves

    def act(self, view: View) -> Profile:
        """Best-response dynamics on this slot's game from the current profile."""
        assert view.others is not None  # declared: others="actions"
        game = view.others
        ap, ok_ap, moves_ap = self._play(game.tx_time_s, game.weight, self.last_.ap)
        server, ok_sv, moves_sv = self._play(game.compute_time_s, game.weight, self.last_.server)
        self.cap_hit_ = ~(ok_ap & ok_sv)
        self.moves_ = moves_ap + moves_sv
        self.converged_ = (self.moves_ == 0) & ~self.cap_hit_
        self.last_ = Profile(ap, server)
        return self.last_
