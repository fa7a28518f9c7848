"""``br-round``: the paper's BR read as one round of best responses per slot (a variant).

The paper: "In the BR algorithm, each active UE adjusts its strategy to optimize its payoff,
considering the strategies of other UEs. The BR algorithm iterates this process, with UEs
updating their strategies until no UE can improve its payoff by unilaterally changing its
strategy" (VII-A). Read with the slots as the iterations of that process, one iteration is a
round in which *each active UE* adjusts once: each slot, from the previous slot's profile,
every active user takes one turn, in a random order drawn afresh each slot, and moves to its
best response (AP and server) to the current loads of the slot's game, the turns before it
included; ties keep the current action (:func:`jcaco.game.dynamics.best_response_round`).
``br`` (one improving move per slot) and ``br-sync``
(every active user at once) are the other readings (:mod:`jcaco.learners.readings`).

A round here differs from a round of :func:`jcaco.game.dynamics.sequential_best_response`,
where only the users that can improve at the round's start take a turn: here a user that
could not improve then, but can once the users before it have moved, moves too ("each
active UE adjusts"). On a static game (``jcaco solve``) the rounds go on, slot after slot,
until nobody can improve: an equilibrium.

It sees what ``br`` sees, with the same options (docs/model.md §6): the others' actions and
standalone times, the realised player set a(t) and the slot's realised times by default;
``activity="own"`` plays the expected game (θ weights), ``channel="mean"`` the mean-fading
times.
"""

from __future__ import annotations

from typing import ClassVar, Literal

import numpy as np

from jcaco.game import resource
from jcaco.game.dynamics import best_response_round
from jcaco.game.profile import Profile
from jcaco.learners.base import Learner, check_choice
from jcaco.learners.best_response import LEVELS, start_profile
from jcaco.learners.information import Information
from jcaco.learners.readings import BR_ROUND, Reading
from jcaco.learners.views import Setup, View
from jcaco.rng import RandomSource
from jcaco.types import BoolArray, FloatArray, IntArray


def settled(w: FloatArray, choice: IntArray, players: BoolArray) -> BoolArray:
    """Per seed: no player of ``players`` gains more than the tolerance by a unilateral move.

    Parameters
    ----------
    w : ndarray, shape (S, N, R)
        Player weights [s] (``inf``: infeasible).
    choice : ndarray of int, shape (S, N)
    players : ndarray of bool, shape (S, N)
        The users that count (a zero row of ``w`` never counts,
        :func:`jcaco.game.resource.best_responses`).

    Returns
    -------
    ndarray of bool, shape (S,)
        The best responses (docs/model.md (43)) to ``choice``'s loads all keep ``choice``.
    """
    _, gain = resource.best_responses(w, choice)
    return np.asarray(~((gain > 0) & players).any(axis=-1))


class BestResponseRound(Learner):
    """One round of sequential best responses per slot (``br-round``, a variant).

    Parameters
    ----------
    start : {"random", "greedy"}
        Initial profile (:func:`jcaco.learners.best_response.start_profile`).
    activity : {"all", "own"}
        Loads of the realised player set a(t), or of the expected game (θ weights).
    channel : {"all", "mean"}
        Loads from the slot's realised times, or from the times at the mean fading.
    """

    name = "br-round"
    information = Information("all", "all", "actions")
    role = "variant"
    reading: ClassVar[Reading] = BR_ROUND

    def __init__(
        self,
        start: Literal["random", "greedy"] = "random",
        activity: Literal["all", "own"] = "all",
        channel: Literal["all", "mean"] = "all",
    ):
        self.start, self.activity, self.channel = start, activity, channel

    def declares(self) -> Information:
        """What ``br`` declares with the same ``activity`` and ``channel`` (checked first)."""
        check_choice(self, *LEVELS)
        return Information(self.activity, self.channel, "actions")

    def reset(self, setup: Setup, rng: RandomSource) -> None:
        """Check ``activity`` and ``channel``; draw the start."""
        check_choice(self, *LEVELS)
        num_seeds = setup.shape[0]
        self.rng_, self.last_ = rng, start_profile(setup, self.start, rng)
        self.converged_ = np.zeros(num_seeds, dtype=bool)
        self.moves_ = np.zeros(num_seeds, dtype=np.int64)  # moves of the last slot

    def act(self, view: View) -> Profile:
        """One round on this slot's game from the previous profile, in a fresh random order."""
        assert view.others is not None and view.active is not None  # declared
        game = view.others
        movers = (game.weight > 0) & view.active  # [S, N]: only an active player moves
        # one order per seed and slot, drawn whoever moves (same stream batched or alone)
        order = np.argsort(self.rng_.random(movers.shape), axis=-1, kind="stable")
        profile, still = [], []
        self.moves_ = np.zeros(movers.shape[0], dtype=np.int64)
        for time, choice in (
            (game.tx_time_s, self.last_.ap),
            (game.compute_time_s, self.last_.server),
        ):
            w = resource.player_weights(time, game.weight)
            after, moves = best_response_round(w, choice, movers, order)
            profile.append(after)
            still.append(settled(w, after, game.weight > 0))
            self.moves_ += moves
        self.converged_ = np.asarray(still[0] & still[1])
        self.last_ = Profile(profile[0], profile[1])
        return self.last_
