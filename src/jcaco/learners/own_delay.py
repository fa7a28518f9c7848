"""What the learners on their own measured delay share (``loglinear`` and ``bandit``).

The delay signals they may learn on (O7 (a) expected, (b) measured), the trial proposal ∝ T^-2
over the feasible resources, the falling schedule of exploration and temperature, and the check
of the options they have in common.
"""

from __future__ import annotations

import numpy as np

from jcaco.learners.base import Learner
from jcaco.types import FloatArray

SIGNALS = ("expected", "measured")


def own_time_proposal(time: FloatArray) -> FloatArray:
    """Trial probabilities ∝ T^-2 over the feasible resources, shape ``(S, N, R)``."""
    finite = np.isfinite(time)
    fastest = np.where(finite, time, np.inf).min(axis=-1, keepdims=True)
    score = np.where(finite, (fastest / np.where(finite, time, 1.0)) ** 2, 0.0)
    return score / score.sum(axis=-1, keepdims=True)


def falling(start: float, floor: float, slot: int, cooling_slots: float) -> float:
    """The schedule max(floor, start / (1 + t / t_c)) at slot t (t_c = ``cooling_slots``)."""
    return max(floor, start / (1.0 + slot / cooling_slots))


def check_schedule(learner: Learner, positive: tuple[str, ...] = ()) -> None:
    """Raise ``ValueError`` naming the option unless ``exploration`` is in (0, 1],
    ``exploration_min`` in (0, exploration], ``cooling_slots`` and each of ``positive`` > 0
    and ``patience`` an integer >= 1 (the options ``loglinear`` and ``bandit`` share)."""
    rate, low, patience = (
        getattr(learner, n) for n in ("exploration", "exploration_min", "patience")
    )
    if not 0 < rate <= 1:
        raise ValueError(f"exploration must be in (0, 1], got {rate!r}")
    if not 0 < low <= rate:
        raise ValueError(f"exploration_min must be in (0, exploration], got {low!r}")
    for name in ("cooling_slots", *positive):
        if not getattr(learner, name) > 0:
            raise ValueError(f"{name} must be > 0, got {getattr(learner, name)!r}")
    if int(patience) != patience or patience < 1:
        raise ValueError(f"patience must be an integer >= 1, got {patience!r}")
