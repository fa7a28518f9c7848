"""What a learner may see, as data (docs/extending.md#the-protocol, docs/model.md §6).

Every learner declares an :class:`Information` on three axes, following the paper's sentence
for each baseline; the slot loop builds the learner's view from that declaration alone (in
``reset`` as in ``act``, :mod:`jcaco.learners.views`), so a learner cannot read more than it
declares and comparisons are fair by construction.

* **activity**: ``theta`` (θ only: the user's own activity probability), ``own`` (also its own
  activity bit a_i(t) each slot), ``all`` (everybody's a(t): the slot's realised player set);
* **channel**: ``mean`` (standalone link times at the mean fading, at the current positions),
  ``own`` (its own realised times of the slot), ``all`` (everybody's realised times);
* **others**: ``none`` (nothing about the other users), ``count`` (the number of users N),
  ``active-count`` (N and the number of active users), ``loads`` (N and one number broadcast
  per AP and per server after each slot: how many users it served, expected Σθ and realised;
  a user hears the numbers of the AP and server it used, in
  :class:`~jcaco.learners.base.Feedback`; what marginal-cost pricing needs,
  :mod:`jcaco.game.pricing`), ``actions`` (everybody's actions, θ and standalone times: what
  computing the loads of every resource needs).

Computation times (10) carry no fading, so every learner sees its own; server capacities and
the named constants of :class:`jcaco.learners.views.Announcements` are public.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

ActivityLevel = Literal["theta", "own", "all"]
ChannelLevel = Literal["mean", "own", "all"]
OthersLevel = Literal["none", "count", "active-count", "loads", "actions"]

#: The levels of each axis, from least to most informed.
AXES: dict[str, tuple[str, ...]] = {
    "activity": ("theta", "own", "all"),
    "channel": ("mean", "own", "all"),
    "others": ("none", "count", "active-count", "loads", "actions"),
}


@dataclass(frozen=True)
class Information:
    """A learner's declared information on the three axes (see the module docstring).

    Raises
    ------
    ValueError
        If a level is not one of :data:`AXES`.
    """

    activity: ActivityLevel
    channel: ChannelLevel
    others: OthersLevel

    def __post_init__(self) -> None:
        for axis, levels in AXES.items():
            value = getattr(self, axis)
            if value not in levels:
                raise ValueError(f"information.{axis} must be one of {levels}, got {value!r}")

    def at_least(self, axis: str, level: str) -> bool:
        """Whether this declaration reaches ``level`` on ``axis`` (``others``, ``count``...)."""
        levels = AXES[axis]
        return levels.index(getattr(self, axis)) >= levels.index(level)

    def as_dict(self) -> dict[str, str]:
        """``{"activity": ..., "channel": ..., "others": ...}`` (``jcaco list --json``)."""
        return asdict(self)

    def __str__(self) -> str:
        return f"activity={self.activity} channel={self.channel} others={self.others}"


def own_delays(price: bool, reward_signal: str, unpriced: Information | None = None) -> Information:
    """What a learner that learns from its own measured delays sees (``masl``, ``loglinear``,
    ``bandit``): its own activity bit and the mean channel (``unpriced``, by default
    own / mean / none); with a marginal-cost ``price`` (:mod:`jcaco.game.pricing`) also the
    count its AP and server broadcast (``others="loads"``) and, with ``reward_signal``
    ``"measured"``, its own realised times (the price needs its own time at the slot)."""
    if not price:
        return unpriced or Information("own", "mean", "none")
    return Information("own", "mean" if reward_signal == "expected" else "own", "loads")


#: The least a learner can know: its θ, its mean-fading times, nothing about the others.
NOTHING = Information("theta", "mean", "none")
#: Everything of the slot's realised game (the references' information).
EVERYTHING = Information("all", "all", "actions")

#: Shorthands for a declaration, as the environment (:mod:`jcaco.env`) accepts them.
SHORTHANDS: dict[str, Information] = {
    "nothing": NOTHING,
    "own": Information("own", "own", "none"),
    "full": EVERYTHING,
}


def information_of(information: Information | str) -> Information:
    """A declaration from an :class:`Information`, a shorthand of :data:`SHORTHANDS`
    (``"nothing"``, ``"own"``: its own activity bit and realised times, ``"full"``) or a
    registered learner's name (that learner's declaration).

    Raises
    ------
    ValueError
        For anything else, listing what is allowed.
    """
    if isinstance(information, Information):
        return information
    if isinstance(information, str):
        if information in SHORTHANDS:
            return SHORTHANDS[information]
        from jcaco.learners.registry import LEARNERS  # the registry imports the learners

        if information in LEARNERS:
            return LEARNERS[information]().declares()
    from jcaco.learners.registry import LEARNERS

    allowed = ", ".join([*SHORTHANDS, *sorted(LEARNERS)])
    raise ValueError(f"information must be an Information or one of {allowed}; got {information!r}")


__all__ = [
    "AXES",
    "EVERYTHING",
    "NOTHING",
    "SHORTHANDS",
    "Information",
    "information_of",
    "own_delays",
]
