"""The lines of a figure: an algorithm, its hyperparameters, its role and its runner.

A :class:`Series` is data. Its ``runner`` names the function that turns a task's networks and
seeds into rows (:data:`jcaco.experiments.sweep.RUNNERS`: ``learner`` simulates a registered
learner, ``planner`` replays the dynamics and solves each sampled slot exactly), so the sweep
treats every series alike and never branches on a series' name. Its ``role`` says how the
report uses it (docs/model.md §6, docs/architecture.md#command-line):

* ``competitor``: an algorithm run with the information the paper gives it; only competitors
  enter the claims ("MASL is lowest", "reduces by up to X%");
* ``variant``: a reading beyond the paper's (``fp-empirical``), listed beside them;
* ``reference``: given more than the paper allows (``br-oracle``, the central ``planner``):
  a dashed line, listed for information, never part of a claim.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from jcaco.learners.base import Role
from jcaco.learners.registry import role_of

#: Every role, in the order tables and legends list them.
ROLES: tuple[Role, ...] = ("competitor", "variant", "reference")


@dataclass(frozen=True)
class Series:
    """One line of a figure.

    Attributes
    ----------
    label : str
        The legend entry and the ``algorithm`` column of the store (``masl b=0.01``).
    algorithm : str
        Registered learner name (``jcaco list``), or ``planner``; the store's ``learner``.
    params : mapping
        Hyperparameters (the learner's, or the runner's).
    role : {"competitor", "variant", "reference"}
        How the report uses the series (module docstring).
    runner : str
        Key of the function that runs it (:data:`jcaco.experiments.sweep.RUNNERS`).
    max_seeds : int, optional
        Run only the first ``max_seeds`` runs of a point (a costly reference line).
    cost : float
        Relative cost per (run, slot, user), used only to start the longest tasks first.
    """

    label: str
    algorithm: str
    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    role: Role = "competitor"
    runner: str = "learner"
    max_seeds: int | None = None
    cost: float = 1.0

    def seed_count(self, seeds: int) -> int:
        """How many of a point's ``seeds`` runs this series runs."""
        return seeds if self.max_seeds is None else min(seeds, self.max_seeds)


def learner_series(
    algorithm: str,
    params: Mapping[str, Any] | None = None,
    *,
    label: str | None = None,
    cost: float = 1.0,
) -> Series:
    """A registered learner as a series, with the role its class declares."""
    role = role_of(algorithm)
    if role not in ROLES:
        raise ValueError(f"learner {algorithm!r} declares role {role!r}; allowed: {ROLES}")
    return Series(
        label=algorithm if label is None else label,
        algorithm=algorithm,
        params=MappingProxyType(dict(params or {})),
        role=role,
        cost=cost,
    )


__all__ = ["ROLES", "Role", "Series", "learner_series"]
