"""``br``: best-response dynamics whose moves advance with the slots (the paper's BR [45]).

The paper: "In the BR algorithm, each active UE adjusts its strategy to optimize its payoff,
considering the strategies of other UEs. The BR algorithm iterates this process, with UEs
updating their strategies until no UE can improve its payoff by unilaterally changing its
strategy" (VII-A), and "the BR algorithm requires UEs to know the number of active UEs and the
strategies chosen by those UEs". Sec. V says such schemes "assume a static environment, i.e.,
fixed player set, time-invariant payoff functions, and no stochastic system dynamics during the
convergence process". Here that assumption is tested, not granted (docs/model.md §6, O11): the
iterations of the dynamics advance with the slots while activity, fading and positions change.
Each slot, from the previous slot's profile, ``moves_per_slot`` improving moves are made (the
classic decentralised update: one move by a random active user that can improve), each to the
user's best response (AP and server) against the slot's loads. On a static instance
(``jcaco solve``) the moves go on, slot after slot, until no user can improve: an equilibrium.

Reading (docs/algorithms.md, written before measuring): to best-respond, a user needs the
load of every resource under the current actions of the active users, i.e. the actions, the
activity and the standalone times of the others; the paper is silent on the channel, and the
default reads its complete-information game (16) literally (the slot's realised times,
``channel="all"``). The other readings are options: ``channel="mean"`` (loads at the mean
fading) and ``activity="own"`` (a user knows only its own activity bit, so it plays the
expected game (23) with θ weights, the game MASL learns).
The per-slot exact-equilibrium learner is ``br-oracle``, a reference.

With numba the moves of a slot run incrementally in :mod:`._best_response_numba` (a move
re-checks only the users whose ability to improve it can have changed); they are the moves,
draws and flags of the numpy form here, which recomputes every best response before each move
(``tests/test_br_incremental.py``). With fewer than :data:`INCREMENTAL_FROM_MOVES` moves per
slot (the default one) the numpy form runs, on the compiled best responses, which costs less.

``price=True`` (beyond the paper): each move is a best response to the marginal-cost price
(:mod:`jcaco.game.pricing`), own delay plus the delay the move adds to the others on the
resource, so every move lowers the social cost of the game played ((14) of the slot's realised
game, or (15) with ``activity="own"``) and the moves end at a local optimum of it. It needs
nothing beyond the loads BR already computes, so the declared information is unchanged.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from jcaco import kernels
from jcaco.game import pricing, resource
from jcaco.game.dynamics import greedy_profile
from jcaco.game.profile import Profile
from jcaco.learners.base import Learner, check_choice, uniform_choice
from jcaco.learners.best_response_rejection import rejection_slot
from jcaco.learners.information import Information
from jcaco.learners.readings import BR_MOVE
from jcaco.learners.views import Setup, View
from jcaco.rng import RandomSource
from jcaco.types import BoolArray, FloatArray, IntArray

#: Moves whose uniforms are drawn at once (``S x DRAW_BLOCK`` floats) by the compiled moves.
DRAW_BLOCK = 65_536
#: ``moves_per_slot`` from which the incremental kernel makes a slot's moves; with fewer the
#: numpy form, on the compiled :func:`jcaco.game.resource.best_responses`, costs less: the
#: kernel's set-up per slot is O(N R) with large constants (20 seeds, 5 APs and servers, one
#: move: 142 against 222 µs a slot at N = 30, 4.6 against 5.5 ms at N = 1000; three moves at
#: N = 1000: 5.9 against 4.0 ms). Both give the same bits.
INCREMENTAL_FROM_MOVES = 3


def start_profile(setup: Setup, start: str, rng: RandomSource) -> Profile:
    """A random profile (uniform AP, uniform feasible server) or the greedy one (θ weights).

    The greedy start places users one by one at their best response to those already placed,
    so it needs everybody's θ and times (``others="actions"``).
    """
    s, n, m, _ = setup.shape
    if start == "random":
        return Profile(
            uniform_choice(np.ones((s, n, m), dtype=bool), rng), uniform_choice(setup.feasible, rng)
        )
    if start == "greedy":
        if setup.others is None:
            raise ValueError("start='greedy' needs the others' times (others='actions')")
        order = np.argsort(rng.random((s, n)), axis=1)
        w_ap = resource.player_weights(setup.others.tx_time_s, setup.others.theta)
        w_server = resource.player_weights(setup.others.compute_time_s, setup.others.theta)
        return Profile(
            greedy_profile(w_ap, order, np.ones((s, n, m), dtype=bool)),
            greedy_profile(w_server, order, setup.feasible),
        )
    raise ValueError(f"start must be 'random' or 'greedy', got {start!r}")


#: The activity and channel levels that best response may play with (``br``, ``br-round``).
LEVELS = (("activity", ("all", "own")), ("channel", ("all", "mean")))


class BestResponse(Learner):
    """Best-response dynamics, a bounded number of improving moves per slot (``br``).

    Parameters
    ----------
    start : {"random", "greedy"}
        Initial profile (:func:`start_profile`).
    moves_per_slot : int
        Improving moves per slot (>= 1), each by one user drawn uniformly among the active
        users that can improve.
    activity : {"all", "own"}
        Loads of the realised player set a(t) (the paper's "number of active UEs"), or, knowing
        only its own activity bit, of the expected game (θ weights).
    channel : {"all", "mean"}
        Loads from the slot's realised times, or from the times at the mean fading.
    price : bool
        Best-respond to the marginal-cost price instead of the delay (module docstring).
    draw : {"rank", "rejection"}
        How the mover is drawn. ``"rank"`` (the default): one uniform per move names the
        ``floor(u * count)``-th user that can improve. ``"rejection"`` (for large static games,
        ``jcaco solve -a br --param draw=rejection``): active users drawn uniformly until one
        can improve (:mod:`.best_response_rejection`); accepted users are uniform over those
        that can improve, so the dynamics have the same law, with other random numbers.
        Delay only (not with ``price``).
    """

    name = "br"
    information = Information("all", "all", "actions")
    reading = BR_MOVE

    def __init__(
        self,
        start: Literal["random", "greedy"] = "random",
        moves_per_slot: int = 1,
        activity: Literal["all", "own"] = "all",
        channel: Literal["all", "mean"] = "all",
        price: bool = False,
        draw: Literal["rank", "rejection"] = "rank",
    ):
        self.start = start
        self.moves_per_slot = moves_per_slot
        self.activity = activity
        self.channel = channel
        self.price = price
        self.draw = draw

    def declares(self) -> Information:
        """The others' actions and times, at the activity and channel levels chosen (checked
        first, so that another level is refused naming the two this learner allows)."""
        check_choice(self, *LEVELS)
        return Information(self.activity, self.channel, "actions")

    def reset(self, setup: Setup, rng: RandomSource) -> None:
        """Check the options and draw the starting profile."""
        if int(self.moves_per_slot) != self.moves_per_slot or self.moves_per_slot < 1:
            raise ValueError(f"moves_per_slot must be an integer >= 1, got {self.moves_per_slot}")
        check_choice(self, *LEVELS, ("draw", ("rank", "rejection")))
        if self.draw == "rejection" and self.price:
            raise ValueError("draw='rejection' needs price=false (it draws for the delay)")
        self.rng_ = rng
        self.last_ = start_profile(setup, self.start, rng)
        self.converged_ = np.zeros(setup.shape[0], dtype=bool)
        self.moves_ = np.zeros(setup.shape[0], dtype=np.int64)

    def act(self, view: View) -> Profile:
        """``moves_per_slot`` improving moves on this slot's game from the current profile."""
        assert view.others is not None  # declared: others="actions"
        game = view.others
        w_ap = resource.player_weights(game.tx_time_s, game.weight)  # [S, N, M]
        w_server = resource.player_weights(game.compute_time_s, game.weight)  # [S, N, K]
        players = game.weight > 0  # [S, N]
        assert view.active is not None  # declared: activity "own" or "all"
        movers = players & view.active  # only an active user moves
        ap, server = self.last_.ap.copy(), self.last_.server.copy()
        if self.draw == "rejection":
            self.moves_ = rejection_slot(w_ap, w_server, ap, server, movers, self.moves_per_slot,
                                         self.rng_)  # fmt: skip
            _, gain_ap = resource.best_responses(w_ap, ap)
            _, gain_server = resource.best_responses(w_server, server)
            self.converged_ = np.asarray(~(players & ((gain_ap > 0) | (gain_server > 0))).any(-1))
        elif not self._compiled_moves(w_ap, w_server, ap, server, movers):
            self._numpy_moves(w_ap, w_server, game.weight, ap, server, movers, players)
        self.last_ = Profile(ap, server)
        return self.last_

    def _numpy_moves(
        self,
        w_ap: FloatArray,
        w_server: FloatArray,
        weight: FloatArray,
        ap: IntArray,
        server: IntArray,
        movers: BoolArray,
        players: BoolArray,
    ) -> None:
        """The moves in numpy: every user's best response recomputed before each move."""
        seeds = np.arange(ap.shape[0])
        self.moves_ = np.zeros(ap.shape[0], dtype=np.int64)
        for _ in range(int(self.moves_per_slot)):
            best_ap, gain_ap = self._best(w_ap, weight, ap)
            best_server, gain_server = self._best(w_server, weight, server)
            can = movers & ((gain_ap > 0) | (gain_server > 0))  # [S, N]
            # one draw per seed and move, whether or not it moves (same stream batched or alone)
            user = uniform_choice(can | ~can.any(axis=-1, keepdims=True), self.rng_)  # [S]
            moving = can[seeds, user]
            ap[seeds, user] = np.where(moving, best_ap[seeds, user], ap[seeds, user])
            server[seeds, user] = np.where(moving, best_server[seeds, user], server[seeds, user])
            self.moves_ += moving
        _, gain_ap = self._best(w_ap, weight, ap)
        _, gain_server = self._best(w_server, weight, server)
        improvable = players & ((gain_ap > 0) | (gain_server > 0))
        self.converged_ = np.asarray(~improvable.any(axis=-1))

    def _compiled_moves(
        self,
        w_ap: FloatArray,
        w_server: FloatArray,
        ap: IntArray,
        server: IntArray,
        movers: BoolArray,
    ) -> bool:
        """The same moves, incrementally (:mod:`._best_response_numba`); False if it cannot run.

        It runs for the delay (not ``price``) when numba is there, ``moves_per_slot`` is at
        least :data:`INCREMENTAL_FROM_MOVES` and every load of the start profile is finite.
        The uniforms are drawn in blocks of :data:`DRAW_BLOCK` moves: the same numbers as one
        ``random(S)`` call per move (a seed's generator fills its row in order).
        """
        compiled = None if self.price else kernels.load("jcaco.learners._best_response_numba")
        if compiled is None or int(self.moves_per_slot) < INCREMENTAL_FROM_MOVES:
            return False
        w_ap = np.ascontiguousarray(w_ap, dtype=np.float64)
        w_server = np.ascontiguousarray(w_server, dtype=np.float64)
        finite = np.isfinite(resource.loads(w_ap, ap)).all()
        if not (finite and np.isfinite(resource.loads(w_server, server)).all()):
            return False
        if np.isnan(w_ap).any() or np.isnan(w_server).any():
            return False
        num_seeds = ap.shape[0]
        self.moves_ = np.zeros(num_seeds, dtype=np.int64)
        mover = np.ascontiguousarray(movers, dtype=bool)
        choices = np.array(ap, dtype=np.int64, order="C"), np.array(server, dtype=np.int64)
        can_move = np.ones(num_seeds, dtype=bool)
        left = int(self.moves_per_slot)
        while left > 0:
            block = min(left, DRAW_BLOCK)
            left -= block
            draws = self._uniforms(num_seeds, block)  # [S, block]
            if can_move.any():  # once no active user can improve, the draws move nobody
                moves, improvable, can_move = compiled.br_moves_kernel(
                    w_ap, w_server, *choices, mover, draws, resource.DEFAULT_ATOL_S
                )
                self.moves_ += moves
        ap[...], server[...] = choices
        self.converged_ = np.asarray(~improvable)
        return True

    def _uniforms(self, num_seeds: int, num_moves: int) -> FloatArray:
        """``(S, moves)`` uniforms: row s, column k is seed s's draw of move k (one per move)."""
        if isinstance(self.rng_, np.random.Generator):  # one call of random(S) per move
            return np.ascontiguousarray(self.rng_.random((num_moves, num_seeds)).T)
        return self.rng_.random((num_seeds, num_moves))

    def _best(
        self, w: FloatArray, weight: FloatArray, choice: IntArray
    ) -> tuple[IntArray, FloatArray]:
        """Best responses and gains: to the delay, or with ``price`` to the priced cost."""
        if self.price:
            return pricing.priced_best_responses(w, weight, choice)
        return resource.best_responses(w, choice)
