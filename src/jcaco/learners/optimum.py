"""``optimum``: a central planner that plays the exact social optimum every slot.

Not a competitor: it is the reference the algorithms are measured against. Each slot it sees
the game the view describes (complete information: ``view.others.weight`` is the realised activity
a(t) in a simulation, problem (14), or θ in the static game of ``jcaco solve``, problem (15))
and plays the profile that minimises the expected total service time of that game
(:func:`jcaco.game.optimum.social_optimum.solve_optimum`). Users that are not players of the slot's
game
(weight 0) keep their previous choice when it is still feasible.
"""

from __future__ import annotations

import numpy as np

from jcaco.game.optimum.social_optimum import (
    DEFAULT_NODE_LIMIT,
    DEFAULT_REL_GAP,
    place_non_players,
    solve_optimum,
)
from jcaco.game.profile import Profile
from jcaco.learners.base import Learner
from jcaco.learners.information import EVERYTHING
from jcaco.learners.views import Setup, View
from jcaco.model.instance import GameInstance
from jcaco.rng import RandomSource


class Optimum(Learner):
    """The central planner (``optimum``).

    Parameters
    ----------
    node_limit : int
        Branch-and-bound nodes per subgame and slot (deterministic, so the same game gives the
        same profile on any machine; :func:`jcaco.game.optimum.social_optimum.solve_subgame`); where
        it binds
        the best profile found is played (``proven_`` says whether the last slot's profile was
        proven optimal).
    rel_gap : float
        Relative MIP gap at which a profile counts as optimal.
    """

    name = "optimum"
    information = EVERYTHING
    role = "reference"

    def __init__(self, node_limit: int = DEFAULT_NODE_LIMIT, rel_gap: float = DEFAULT_REL_GAP):
        self.node_limit = node_limit
        self.rel_gap = rel_gap

    def reset(self, setup: Setup, rng: RandomSource) -> None:
        """Start every user on its fastest AP and fastest feasible server (no randomness)."""
        if isinstance(self.node_limit, bool) or not (
            isinstance(self.node_limit, (int, np.integer)) and self.node_limit >= 0
        ):
            raise ValueError(f"node_limit must be an integer >= 0, got {self.node_limit}")
        if not 0 <= self.rel_gap < 1:
            raise ValueError(f"rel_gap must be in [0, 1), got {self.rel_gap}")
        s = setup.shape[0]
        self.last_ = Profile(
            np.stack([place_non_players(setup.tx_time_s[i], None) for i in range(s)]),
            np.stack([place_non_players(setup.compute_time_s[i], None) for i in range(s)]),
        )
        self.converged_ = np.zeros(s, dtype=bool)
        self.proven_ = np.zeros(s, dtype=bool)
        self.objective_s_ = np.full(s, np.nan)
        self.lower_bound_s_ = np.full(s, np.nan)
        self.solved_: list[tuple[np.ndarray, ...] | None] = [None] * s

    def act(self, view: View) -> Profile:
        """Solve the slot's game of every seed (reusing the last answer if it is unchanged)."""
        assert view.others is not None  # declared: others="actions"
        slot = view.others
        ap, server = self.last_.ap.copy(), self.last_.server.copy()
        for s in range(slot.weight.shape[0]):
            key = (slot.weight[s], slot.tx_time_s[s], slot.compute_time_s[s])
            previous = self.solved_[s]
            if previous is not None and all(
                np.array_equal(a, b) for a, b in zip(previous, key, strict=True)
            ):
                continue
            game = GameInstance(
                theta=slot.theta[s],
                tx_time_s=slot.tx_time_s[s],
                compute_time_s=slot.compute_time_s[s],
                steps=np.zeros(slot.compute_time_s[s].shape, dtype=np.int64),
            )
            best = solve_optimum(
                game,
                node_limit=int(self.node_limit),
                time_limit_s=None,
                rel_gap=self.rel_gap,
                weight=slot.weight[s],
                keep=self.last_[s],
            )
            ap[s], server[s] = best.profile.ap, best.profile.server
            self.proven_[s] = best.proven
            self.objective_s_[s] = best.objective_s
            self.lower_bound_s_[s] = best.lower_bound_s
            self.solved_[s] = tuple(np.array(a, copy=True) for a in key)
        self.last_ = Profile(ap, server)
        self.converged_ = np.ones(len(ap), dtype=bool)  # the plan is final for this game
        return self.last_
