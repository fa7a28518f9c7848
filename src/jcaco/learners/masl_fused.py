"""MASL on the static game as one fused pass per iteration (issue 11, item 4).

The slot loop (:func:`jcaco.sim.loop.run_loop`) keeps act, score and observe apart, as the
learner protocol requires (DESIGN.md §4.3); each is a few passes over the users, so an
iteration reads and writes the strategies and the time matrices several times. On the static
stochastic game nothing else happens in a slot, and MASL's whole iteration is: draw a(t) (1),
sample an AP and a server per user (O8), sum the expected and realised loads (8), (11), (27),
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
from typing import Any

import numpy as np

from jcaco.game import kernels
from jcaco.game.profile import Profile
from jcaco.learners.base import Learner
from jcaco.learners.masl import MASL
from jcaco.model.instance import GameInstance
from jcaco.rng import RandomSource
from jcaco.types import BoolArray

#: MASL options the fused kernel implements, with the values it supports (None: any).
SUPPORTED: dict[str, tuple[Any, ...] | None] = {
    "learning_rate_ap": None,
    "learning_rate_server": None,
    "reward_signal": ("expected", "measured"),
    "convergence_threshold": None,
}

#: The learner state the fused pass reads and updates (set by ``MASL.reset``).
STATE = ("probs_ap_", "probs_server_", "max_ap_delay_s_", "max_server_delay_s_", "players_")


def fused_applies(learner: Learner) -> bool:
    """Whether :func:`run_fused` reproduces ``learner`` on the static game, bit for bit."""
    if type(learner) is not MASL or kernels.load("jcaco.learners._masl_fused_numba") is None:
        return False
    defaults = {name: p.default for name, p in inspect.signature(MASL.__init__).parameters.items()}
    for name, value in learner.get_params().items():
        allowed = SUPPORTED.get(name, (defaults.get(name),))
        if allowed is not None and value not in allowed:
            return False
    return True


def _uniforms(rng: RandomSource, shape: tuple[int, int]) -> np.ndarray:
    """The learner's U draws of one ``sample_from`` call, ``(S, N)`` (the same numbers)."""
    if isinstance(rng, np.random.Generator):
        out = np.empty(shape)
        rng.random(out=out)  # the numbers of rng.random((S, N, 1)), without the allocation
        return out
    return rng.random((*shape, 1))[..., 0]


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

    The activity a(t) is drawn from ``activity_rng`` as :class:`jcaco.sim.loop.
    StaticEnvironment` draws it, the actions from ``learner_rng`` as :meth:`MASL.act`.

    Returns
    -------
    slots : int
        Slots run.
    converged : ndarray of bool, shape (S,)
    recommendation : Profile
        ``learner.recommendation()`` after the last slot.
    """
    kernel = kernels.load("jcaco.learners._masl_fused_numba")
    if kernel is None:
        raise RuntimeError("the fused MASL pass needs numba (see fused_applies)")
    learner.reset(game, learner_rng)
    missing = [name for name in STATE if not hasattr(learner, name)]
    if missing:
        raise RuntimeError(f"MASL no longer keeps {missing}; update masl_fused.py")
    shape = game.activity.shape
    theta = np.ascontiguousarray(game.activity, dtype=float)
    tx = np.ascontiguousarray(game.tx_time_s, dtype=float)
    compute = np.ascontiguousarray(game.compute_time_s, dtype=float)
    ap = np.empty(shape, dtype=np.int64)
    server = np.empty(shape, dtype=np.int64)
    converged = np.zeros(shape[0], dtype=bool)
    measured = learner.reward_signal == "measured"
    slots = 0
    while slots < num_slots:
        slots += 1
        active = (activity_rng.random(shape) < game.activity).astype(float)
        uniform_ap = _uniforms(learner.rng_, shape)
        uniform_server = _uniforms(learner.rng_, shape)
        ap, server = np.empty_like(ap), np.empty_like(server)  # the slot's own profile
        kernel.fused_iteration_kernel(
            learner.probs_ap_,
            learner.probs_server_,
            tx,
            compute,
            theta,
            active,
            learner.players_,
            uniform_ap,
            uniform_server,
            float(learner.learning_rate_ap),
            float(learner.learning_rate_server),
            learner.max_ap_delay_s_,
            learner.max_server_delay_s_,
            measured,
            float(learner.convergence_threshold),
            ap,
            server,
            converged,
        )
        if stop_when_converged and bool(converged.all()):
            break
    learner.last_ = Profile(ap, server)
    learner.converged_ = converged.copy()
    return slots, learner.converged, learner.recommendation()


__all__ = ["fused_applies", "run_fused", "SUPPORTED"]
