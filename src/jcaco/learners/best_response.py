"""``br``: sequential best-response dynamics to an equilibrium, every slot (MODEL.md §6, O11).

Complete information: each slot the learner knows the game's load weights (the realised active
set, or θ in the static game) and everybody's current actions. Starting from the previous
slot's profile (a seeded random profile, or the greedy profile, at the start), users that can
improve take turns in a random order, each moving to its best response, until nobody can
(at most ``max_rounds`` rounds; ``cap_hit_`` reports where the cap bound). The AP and server
subgames are independent (MODEL.md §4.2, item 5), so each runs its own dynamics.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from jcaco.game import resource
from jcaco.game.br_compiled import sequential_best_response  # numba kernel when installed
from jcaco.game.dynamics import greedy_profile
from jcaco.game.profile import Profile
from jcaco.learners.base import FullView, Learner, uniform_choice
from jcaco.model.instance import GameInstance
from jcaco.rng import RandomSource
from jcaco.types import FloatArray, IntArray


def start_profile(game: GameInstance, start: str, rng: RandomSource) -> Profile:
    """A random profile (uniform AP, uniform feasible server) or the greedy one (θ weights)."""
    s, n, m = game.tx_time_s.shape
    if start == "random":
        return Profile(
            uniform_choice(np.ones((s, n, m), dtype=bool), rng), uniform_choice(game.feasible, rng)
        )
    if start == "greedy":
        order = np.argsort(rng.random((s, n)), axis=1)
        w_ap = resource.player_weights(game.tx_time_s, game.activity)
        w_server = resource.player_weights(game.compute_time_s, game.activity)
        return Profile(
            greedy_profile(w_ap, order, np.ones((s, n, m), dtype=bool)),
            greedy_profile(w_server, order, game.feasible),
        )
    raise ValueError(f"start must be 'random' or 'greedy', got {start!r}")


class BestResponse(Learner):
    """Sequential best response (``br``).

    Parameters
    ----------
    start : {"random", "greedy"}
        Initial profile: uniform random from the seed, or users placed one by one at their
        best response to those already placed.
    max_rounds : int
        Cap on the rounds of play per slot (R_max = 50).
    """

    name = "br"
    information = "full"

    def __init__(self, start: Literal["random", "greedy"] = "random", max_rounds: int = 50):
        self.start = start
        self.max_rounds = max_rounds

    def reset(self, game: GameInstance, rng: RandomSource) -> None:
        """Draw the starting profile."""
        self.rng_ = rng
        self.last_ = start_profile(game, self.start, rng)
        self.converged_ = np.zeros(game.tx_time_s.shape[0], dtype=bool)
        self.cap_hit_ = np.zeros_like(self.converged_)
        self.moves_ = np.zeros(game.tx_time_s.shape[0], dtype=np.int64)

    def _play(self, time: FloatArray, weight: FloatArray, choice: IntArray) -> tuple:
        w = resource.player_weights(time, weight)
        out = sequential_best_response(w, choice, self.rng_, max_rounds=self.max_rounds)
        return out.choice, out.converged, out.moves

    def act(self, view: FullView) -> Profile:  # type: ignore[override]
        """Best-response dynamics on this slot's game from the current profile."""
        ap, ok_ap, moves_ap = self._play(view.tx_time_s, view.weight, self.last_.ap)
        server, ok_sv, moves_sv = self._play(view.compute_time_s, view.weight, self.last_.server)
        self.cap_hit_ = ~(ok_ap & ok_sv)
        self.moves_ = moves_ap + moves_sv
        self.converged_ = (self.moves_ == 0) & ~self.cap_hit_
        self.last_ = Profile(ap, server)
        return self.last_
