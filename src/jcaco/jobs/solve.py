"""Solve one static game with one algorithm and certify the outcome (``jcaco solve``)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from jcaco.game import metrics
from jcaco.game.profile import Profile
from jcaco.io.files import provenance
from jcaco.learners.base import Learner
from jcaco.learners.masl.fused import fused_applies, run_fused
from jcaco.learners.registry import make_learner
from jcaco.model.instance import GameInstance, add_batch_axis
from jcaco.rng import stream
from jcaco.sim.loop import LoopOutcome, StaticEnvironment, run_loop
from jcaco.sim.schema import RESULT_FIELDS, RESULT_SCHEMA

#: Slot budget of ``jcaco solve`` when none is given (docs/model.md O10 uses 2000 for the figures;
#: a static solve may run longer because it stops as soon as the learner has converged). With
#: MASL's default b = 0.01 every run of the docs/algorithms.md measurement converged within it
#: (34,000 slots on average on 6-user games; about 70,000 on the paper's 30-user network).
DEFAULT_ITERATIONS = 100_000


@dataclass(frozen=True)
class SolveResult:
    """A solved (or given) profile with its certificates (``jcaco.result/1``)."""

    algorithm: str
    seed: int | None
    profile: Profile
    evaluation: metrics.Evaluation
    iterations: int
    converged: bool
    wall_time_s: float
    meta: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """The ``jcaco.result/1`` JSON document.

        Its keys are :data:`jcaco.sim.schema.RESULT_FIELDS` (the fields of
        :class:`~jcaco.sim.schema.ResultModel`, in its order): ``schema`` and ``version`` are
        the stamp, every other value is the attribute of that name of this result, of its
        :attr:`evaluation` or of its :attr:`profile` (arrays as lists).
        """
        stamp = {"schema": RESULT_SCHEMA, **provenance(revision=False)}
        sources = (self, self.evaluation, self.profile)
        doc: dict[str, Any] = {}
        for name in RESULT_FIELDS:
            if name in stamp:
                doc[name] = stamp[name]
                continue
            source = next(source for source in sources if hasattr(source, name))
            doc[name] = _plain(getattr(source, name))
        return doc


def _plain(value: Any) -> Any:
    """``value`` as JSON-ready Python: arrays and sequences as lists, mappings as dicts."""
    if isinstance(value, np.ndarray | list | tuple):
        return np.asarray(value).tolist()
    if isinstance(value, Mapping):
        return dict(value)
    return value


def solve(
    instance: GameInstance,
    algorithm: str | Callable[..., Learner] = "masl",
    *,
    seed: int = 0,
    iterations: int = DEFAULT_ITERATIONS,
    params: Mapping[str, Any] | None = None,
) -> SolveResult:
    """:func:`jcaco.api.solve` on one :class:`GameInstance` (the parameters are documented
    there): the slot loop over a :class:`StaticEnvironment`, or MASL's fused pass."""
    if iterations < 1:
        raise ValueError("iterations must be >= 1")
    learner = make_learner(algorithm, params)
    batched = add_batch_axis(instance)
    env = StaticEnvironment(batched, stream(seed, "activity"))
    start = time.perf_counter()
    if fused_applies(learner):
        slots, converged, recommendation = run_fused(
            learner, batched, env.rng, stream(seed, "learner"), iterations, stop_when_converged=True
        )
        outcome = LoopOutcome(slots, converged, recommendation)
    else:
        outcome = run_loop(
            env, learner, stream(seed, "learner"), iterations, stop_when_converged=True
        )
    wall = time.perf_counter() - start
    profile = outcome.profile[0]
    name = algorithm if isinstance(algorithm, str) else getattr(algorithm, "name", str(algorithm))
    return SolveResult(
        algorithm=name,
        seed=seed,
        profile=profile,
        evaluation=metrics.evaluate(instance, profile),
        iterations=outcome.slots,
        converged=bool(outcome.converged[0]),
        wall_time_s=wall,
        meta={"params": learner.get_params(), "git_revision": provenance()["git_revision"]},
    )
