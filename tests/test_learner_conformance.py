"""Every registered learner passes the protocol check (docs/extending.md), and the check itself
catches each kind of breach it claims to catch."""

from __future__ import annotations

import numpy as np
import pytest

from jcaco.game.profile import Profile
from jcaco.learners.base import Learner
from jcaco.learners.checks import check_learner
from jcaco.learners.masl import MASL
from jcaco.learners.random_assignment import RandomAssignment
from jcaco.learners.registry import LEARNERS
from jcaco.learners.views import View
from jcaco.rng import stream


@pytest.mark.parametrize("name", sorted(LEARNERS))
def test_registered_learner_conforms(name: str) -> None:
    check_learner(name)


class _StateInInit(RandomAssignment):
    def __init__(self, redraw: bool = True):
        self.redraw = redraw
        self.rng_ = stream(0, "learner")


class _ExtraAttribute(RandomAssignment):
    def __init__(self, redraw: bool = True):
        self.redraw = redraw
        self.cache = {}


class _PeeksAtWeights(RandomAssignment):
    def act(self, view: View) -> Profile:
        peeked = view.others.weight  # type: ignore[union-attr]  # not declared: others is None
        return super().act(view) if peeked is not None else super().act(view)


class _InfeasibleServer(RandomAssignment):
    def act(self, view: View) -> Profile:
        profile = super().act(view)
        return Profile(profile.ap, np.argmax(~np.isfinite(view.compute_time_s), axis=-1))


class _LearnsWhenInactive(MASL):
    def observe(self, profile, feedback):  # type: ignore[no-untyped-def]
        everyone = type(feedback)(np.ones_like(feedback.active), *list(vars(feedback).values())[1:])
        super().observe(profile, everyone)


class _OwnEntropy(RandomAssignment):
    def reset(self, setup, rng):  # type: ignore[no-untyped-def]
        super().reset(setup, np.random.default_rng())


class _SharedGenerator(RandomAssignment):
    """Draws a batch from the first seed's generator only: fine alone, wrong in a batch."""

    def reset(self, setup, rng):  # type: ignore[no-untyped-def]
        super().reset(setup, getattr(rng, "generators", [rng])[0])


class _WrongShape(RandomAssignment):
    def act(self, view: View) -> Profile:
        profile = super().act(view)
        return Profile(profile.ap[:, :-1], profile.server[:, :-1])


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (_StateInInit, "__init__ created state"),
        (_ExtraAttribute, "store only its hyperparameters"),
        (_PeeksAtWeights, "read something its view does not have"),
        (_InfeasibleServer, "infeasible server"),
        (_LearnsWhenInactive, "inactive"),
        (_OwnEntropy, "same seed"),
        (_SharedGenerator, "SeedBatch"),
        (_WrongShape, "shape"),
    ],
)
def test_check_catches_breach(broken: type[Learner], message: str) -> None:
    with pytest.raises(AssertionError, match=message):
        check_learner(broken)


def test_check_accepts_a_factory_with_hyperparameters() -> None:
    check_learner(lambda: MASL(learning_rate_ap=0.3, learning_rate_server=0.3), seed=4)
    check_learner(RandomAssignment, seed=5, num_slots=4)
