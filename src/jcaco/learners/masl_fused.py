"""MASL on the static game as one fused pass per iteration.

The slot loop (:func:`jcaco.sim.loop.run_loop`) keeps act, score and observe apart, as the
learner protocol requires (DESIGN.md §4.3); each is a few passes over the users, so an
iteration reads and writes the strategies and the time matrices several times. On the static
stochastic game nothing else happens in a slot, and MASL's whole iteration is: draw a(t) (1),
sample an AP and a server per user (O8; with ``sampling="active"`` an inactive user keeps
its last action), sum the expected and realised loads (8), (11), (27),
(28), and update each active user by L_R-I (34)–(39) with the O10 test. :func:`run_fused`
does exactly that in two compiled passes over the users per seed
(:mod:`jcaco.learners._masl_fused_numba`), drawing the same random numbers from the same
streams in the same order, and leaves the :class:`MASL` learner in the state the loop would
have left it in: the same strategies, to the bit (``tests/test_masl_fused.py`` runs both).

:func:`fused_applies` says when this is allowed: a :class:`MASL` learner whose every option
other than the learning rates, the reward signal and the threshold is at its default, with
numba available. Otherwise :func:`jcaco.sim.solve.solve` runs the protocol path.
"""

from __future__ import annotations

import inspect
from typing import Any, TypeGuard

import numpy as np

from jcaco import kernels
from jcaco.game.profile import Profile
from jcaco.learners.base import Learner
from jcaco.learners.masl import MASL
from jcaco.learners.views import build_setup
from jcaco.model.instance import GameInstance
from jcaco.rng import RandomSource
from jcaco.types import BoolArray

#: MASL options the fused kernel implements, with the values it supports (None: any).
SUPPORTED: dict[str, tuple[Any, ...] | None] = {
    "learning_rate_ap": None,
    "learning_rate_server": None,
    "reward_signal": ("expected", "measured"),
    "convergence_threshold": None,
    "sampling": ("active", "all"),
    "normaliser": ("o9",),  # one constant per seed; "per-user" scales each user's reward
}

#: The learner state the fused pass reads and updates (set by ``MASL.reset``).
STATE = ("probs_ap_", "probs_server_", "max_ap_delay_s_", "max_server_delay_s_", "players_")


def fused_applies(learner: Learner) -> TypeGuard[MASL]:
    """Whether :func:`run_fused` reproduces ``learner`` on the static game, bit for bit."""
    if type(learner) is not MASL or kernels.load("jcaco.learners._masl_fused_numba") is None:
        return False
    defaults = {name: p.default for name, p in inspect.signature(MASL.__init__).parameters.items()}
    for name, value in learner.get_params().items():
        allowed = SUPPORTED.get(name, (defaults.get(name),))
        if allowed is not None and value not in allowed:
            return False
    return True


def _uniforms(rng: RandomSource, out: np.ndarray) -> np.ndarray:
    """U draws of shape ``(S, N)``: the numbers of ``rng.random((S, N))`` and of
    ``rng.random((S, N, 1))`` (one ``sample_from`` call), which are the same; into ``out``
    for one generator (no fresh pages to fault in every slot)."""
    if isinstance(rng, np.random.Generator):
        rng.random(out=out)
        return out
    return rng.random((*out.shape, 1))[..., 0]


class FusedPass:
    """MASL's state on a static game and its fused iteration (:meth:`step`).

    Parameters
    ----------
    learner : MASL
        Reset here on ``game`` with ``learner_rng``; its strategies are updated in place.
    game : GameInstance
        The static game, batched ``(S, ...)``.
    activity_rng, learner_rng : RandomSource
        The ``activity`` stream (drawn as :class:`jcaco.sim.loop.StaticEnvironment` draws
        a(t)) and the ``learner`` stream (drawn as :meth:`MASL.act` draws).
    """

    def __init__(
        self,
        learner: MASL,
        game: GameInstance,
        activity_rng: RandomSource,
        learner_rng: RandomSource,
    ):
        kernel = kernels.load("jcaco.learners._masl_fused_numba")
        if kernel is None:
            raise RuntimeError("the fused MASL pass needs numba (see fused_applies)")
        self.kernel = kernel.fused_iteration_kernel
        row_totals = kernel.row_totals
        learner.reset(build_setup(learner.declares(), game), learner_rng)
        missing = [name for name in STATE if not hasattr(learner, name)]
        if missing:
            raise RuntimeError(f"MASL no longer keeps {missing}; update masl_fused.py")
        self.learner = learner
        self.activity_rng = activity_rng
        # resource-major (S, R, N): MASL's own layout, so these are its arrays, not copies
        self.probs_ap = np.ascontiguousarray(learner.probs_ap_.transpose(0, 2, 1))
        self.probs_server = np.ascontiguousarray(learner.probs_server_.transpose(0, 2, 1))
        self.theta = np.ascontiguousarray(game.theta, dtype=float)  # [S, N]
        self.tx_time_s = np.ascontiguousarray(game.tx_time_s, dtype=float)  # [S, N, M]
        self.compute_time_s = np.ascontiguousarray(game.compute_time_s, dtype=float)  # [S, N, K]
        self.measured = learner.reward_signal == "measured"
        self.sample_all = learner.sampling == "all"
        self.converged = np.zeros(self.theta.shape[0], dtype=bool)
        # buffers reused every slot: the draws, the actions, the kernel's scratch
        self.uniforms = np.empty((3, *self.theta.shape))
        # the actions: an inactive user keeps its last one (sampling="active")
        self.ap = np.array(np.broadcast_to(learner.last_.ap, self.theta.shape), dtype=np.int64)
        self.server = np.array(
            np.broadcast_to(learner.last_.server, self.theta.shape), dtype=np.int64
        )
        self.work = np.empty((6, self.theta.shape[1]))
        self.count = np.empty(self.theta.shape[1], dtype=np.int64)
        # every row's total, as sampling sums it; the kernel keeps them for the next slot
        self.total_ap = np.empty(self.theta.shape)
        self.total_server = np.empty(self.theta.shape)
        row_totals(self.probs_ap, self.total_ap)
        row_totals(self.probs_server, self.total_server)
        self.slots = 0

    def step(self) -> None:
        """One iteration: a(t), both samples, the loads, the rewards and L_R-I (fused)."""
        learner = self.learner
        uniform_active = _uniforms(self.activity_rng, self.uniforms[0])  # a(t) = [U < θ]
        uniform_ap = _uniforms(learner.rng_, self.uniforms[1])
        uniform_server = _uniforms(learner.rng_, self.uniforms[2])
        self.kernel(
            self.probs_ap,
            self.probs_server,
            self.tx_time_s,
            self.compute_time_s,
            self.theta,
            uniform_active,
            learner.players_,
            uniform_ap,
            uniform_server,
            float(learner.learning_rate_ap),
            float(learner.learning_rate_server),
            learner.max_ap_delay_s_,
            learner.max_server_delay_s_,
            self.measured,
            self.sample_all,
            float(learner.convergence_threshold),
            self.ap,
            self.server,
            self.converged,
            self.total_ap,
            self.total_server,
            self.work,
            self.count,
        )
        self.slots += 1

    def finish(self) -> Profile:
        """Hand the strategies (if MASL's layout made them copies), the last actions and the
        convergence flags to the learner; return its recommendation."""
        for mine, theirs in (
            (self.probs_ap, self.learner.probs_ap_),
            (self.probs_server, self.learner.probs_server_),
        ):
            if not np.shares_memory(mine, theirs):
                theirs[...] = mine.transpose(0, 2, 1)
        if self.slots:  # the last slot's actions (else the learner's own)
            self.learner.last_ = Profile(self.ap.copy(), self.server.copy())
        self.learner.converged_ = self.converged.copy()
        return self.learner.recommendation()


def run_fused(
    learner: MASL,
    game: GameInstance,
    activity_rng: RandomSource,
    learner_rng: RandomSource,
    num_slots: int,
    *,
    stop_when_converged: bool = False,
) -> tuple[int, BoolArray, Profile]:
    """Run MASL on the static game ``game`` (batched) as ``run_loop`` would, fused.

    Returns
    -------
    slots : int
        Slots run.
    converged : ndarray of bool, shape (S,)
    recommendation : Profile
        ``learner.recommendation()`` after the last slot.
    """
    fused = FusedPass(learner, game, activity_rng, learner_rng)
    slots = 0
    while slots < num_slots:
        slots += 1
        fused.step()
        if stop_when_converged and bool(fused.converged.all()):
            break
    recommendation = fused.finish()
    return slots, learner.converged, recommendation


__all__ = ["fused_applies", "run_fused", "FusedPass", "SUPPORTED"]
