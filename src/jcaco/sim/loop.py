"""The slot loop: the only place that orders one slot (docs/model.md Alg. 1, docs/architecture.md).

Per slot: the environment advances its dynamics and builds the slot's game; the learner acts
on the view its declared information allows (:mod:`jcaco.learners.views`: the set-up of
``reset`` and each slot's view are built from the declaration alone); the slot is scored;
the learner observes its feedback; metrics are recorded. The static game of ``jcaco solve``
is this loop over a :class:`StaticEnvironment` (fading at its mean, no mobility), not a
second code path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from jcaco.game import metrics
from jcaco.game.profile import Profile
from jcaco.learners.base import Feedback, Learner
from jcaco.learners.feedback import build_feedback
from jcaco.learners.information import Information
from jcaco.learners.masl.slot import fused_slot
from jcaco.learners.views import View, build_setup, build_view
from jcaco.model.instance import GameInstance
from jcaco.rng import RandomSource
from jcaco.types import BoolArray, FloatArray


@dataclass(frozen=True)
class Slot:
    """One slot's game.

    An environment may hand out its buffers (``DynamicEnvironment(reuse_buffers=True)``, as
    :func:`jcaco.sim.simulate.simulate` runs it): the arrays are then valid until the next
    slot is made.

    Attributes
    ----------
    index : int
    game : GameInstance
        The slot's game (batched ``(S, ...)``): θ and this slot's standalone times.
    active : ndarray of bool, shape (S, N)
        Realised activity a(t), eq. (1).
    weight : ndarray, shape (S, N)
        Load weights that complete-information learners play against: a(t) in a dynamic
        simulation, θ in the static stochastic game.
    distance_m : ndarray, shape (S, N, M) or None
    mean_tx : callable, optional
        Returns the slot's standalone transmission times at the mean fading (current
        positions), ``(S, N, M)`` [s]; None when the slot's times already are the mean ones.
    cache : dict
        Work shared by the slot's consumers (:func:`score` leaves the expected loads of the
        profile it scored there for the metrics recorder, so they are computed once).
    """

    index: int
    game: GameInstance
    active: BoolArray
    weight: FloatArray
    distance_m: FloatArray | None
    mean_tx: Callable[[], FloatArray] | None = field(default=None, repr=False, compare=False)
    cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def mean_tx_time_s(self) -> FloatArray:
        """The slot's standalone transmission times at the mean fading (computed once)."""
        if self.mean_tx is None:
            return self.game.tx_time_s
        cached = self.cache.get("mean_tx_time_s")
        if cached is None:
            cached = self.cache["mean_tx_time_s"] = self.mean_tx()
        return cached

    def expected_loads(self, profile: Profile) -> tuple[FloatArray, FloatArray]:
        """Expected AP and server loads (27), (28) of ``profile`` in this slot's game.

        Computed once per slot and profile (:func:`score` computes them first).
        """
        cached = self.cache.get("expected_loads")
        if cached is not None and cached[0] is profile:
            return cached[1], cached[2]
        ap_load, server_load = metrics.expected_loads(self.game, profile)
        self.cache["expected_loads"] = (profile, ap_load, server_load)
        return ap_load, server_load


class Environment:
    """Produces the slots; subclasses implement :meth:`initial` and :meth:`slot`."""

    def initial(self) -> GameInstance:
        """The game the learners are reset with (batched)."""
        raise NotImplementedError

    def slot(self, index: int) -> Slot:
        """Advance the dynamics and return slot ``index``."""
        raise NotImplementedError

    def declare(self, information: Information) -> None:
        """What the slots' consumer will read (an environment may prepare it in each slot's
        pass); nothing by default."""


class StaticEnvironment(Environment):
    """The static stochastic game: fixed times, activity redrawn each slot from θ (1).

    Complete-information learners play the expected game (weights θ), so best response
    best-responds to θ-weighted loads; with every θ in {0, 1} it is the complete-information
    game.
    """

    def __init__(self, game: GameInstance, activity_rng: RandomSource):
        self.game = game
        self.rng = activity_rng

    def initial(self) -> GameInstance:
        """The fixed game."""
        return self.game

    def slot(self, index: int) -> Slot:
        """Draw a(t) ~ Bernoulli(θ) and return the fixed game."""
        active = self.rng.random(self.game.theta.shape) < self.game.theta
        return Slot(index, self.game, active, self.game.theta, self.game.distance_m)


def make_view(learner: Learner, slot: Slot, previous: Profile | None) -> View:
    """The view the learner's declared information allows (fair comparisons by construction)."""
    return slot_view(learner.declares(), slot, previous)


def slot_view(info: Information, slot: Slot, previous: Profile | None) -> View:
    """The view of ``slot`` that ``info`` allows (the PettingZoo environment's too)."""
    return build_view(
        info,
        slot=slot.index,
        game=slot.game,
        mean_tx_time_s=slot.mean_tx_time_s,
        active=slot.active,
        weight=slot.weight,
        previous=previous,
    )


def score(slot: Slot, profile: Profile, *, broadcast: bool = False) -> Feedback:
    """Each user's expected (25)–(28) and realised (8), (11) delay at its chosen resources.

    With ``broadcast`` also the numbers the chosen AP and server broadcast (their expected
    and realised user counts), for learners that declare
    ``others="loads"`` or more; :func:`jcaco.game.pricing.broadcast_counts`).
    """
    scored = build_feedback(slot.game, slot.active, profile, broadcast=broadcast)
    slot.cache["expected_loads"] = (
        profile,
        scored.expected_ap_load_s,
        scored.expected_server_load_s,
    )
    return scored.feedback


SlotCallback = Callable[[Slot, Profile, Feedback, Learner], None]


@dataclass(frozen=True)
class LoopOutcome:
    """What :func:`run_loop` returns."""

    slots: int
    converged: BoolArray
    profile: Profile


def run_loop(
    env: Environment,
    learner: Learner,
    learner_rng: RandomSource,
    num_slots: int,
    *,
    stop_when_converged: bool = False,
    callback: SlotCallback | None = None,
    fused: bool = True,
) -> LoopOutcome:
    """Run ``num_slots`` slots (fewer if ``stop_when_converged`` and every seed converged).

    With ``fused`` (default) a learner whose act, score and observe have a compiled form
    that is exactly the protocol path (:func:`jcaco.learners.masl.slot.fused_slot`: MASL
    without a price) runs them as one call per slot; the learner, the profiles, the feedback
    and the callback's arguments are the same to the bit. ``fused=False`` runs the protocol
    path for every learner (to check the other against it).
    """
    learner.reset(build_setup(learner.declares(), env.initial()), learner_rng)
    fast = fused_slot(learner) if fused else None
    env.declare(learner.declares() if fast is None else fast.information)
    broadcast = learner.declares().at_least("others", "loads")
    previous: Profile | None = None
    t = 0
    for t in range(num_slots):
        slot = env.slot(t)
        if fast is not None:
            outcome = fast.step(slot.game, slot.active)
            profile, feedback = outcome.profile, outcome.feedback
            slot.cache["expected_loads"] = (profile, *outcome.expected_loads)
        else:
            profile = learner.act(make_view(learner, slot, previous))
            feedback = score(slot, profile, broadcast=broadcast)
            learner.observe(profile, feedback)
        if callback is not None:
            callback(slot, profile, feedback, learner)
        previous = profile
        if stop_when_converged and bool(np.all(learner.converged)):
            break
    return LoopOutcome(t + 1, learner.converged, learner.recommendation())


__all__ = [
    "Environment",
    "StaticEnvironment",
    "Slot",
    "run_loop",
    "score",
    "make_view",
    "slot_view",
]
