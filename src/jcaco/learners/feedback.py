"""What a learner is told after a slot: the one feedback builder of the slot loop and the
conformance check (:mod:`jcaco.sim.loop`, :mod:`jcaco.learners.checks`).

The view a learner acts on is built by :func:`jcaco.learners.views.build_view`; what it
observes afterwards is built here: each user's expected (25)–(28) and realised (8), (11)
delay at its own choices, and, for learners that declare ``others="loads"`` or more, the
user counts its AP and server broadcast (:func:`jcaco.game.pricing.broadcast_counts`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jcaco.game import pricing, resource
from jcaco.game.profile import Profile
from jcaco.learners.base import Feedback
from jcaco.model.instance import GameInstance
from jcaco.types import BoolArray, FloatArray


@dataclass(frozen=True)
class Scored:
    """A slot's feedback and the expected loads (27), (28) it was computed from.

    Attributes
    ----------
    feedback : Feedback
    expected_ap_load_s, expected_server_load_s : ndarray, shape (S, M) and (S, K)
        θ-weighted loads of the scored profile [s] (the metrics recorder reuses them).
    """

    feedback: Feedback
    expected_ap_load_s: FloatArray
    expected_server_load_s: FloatArray


def build_feedback(
    game: GameInstance, active: BoolArray, profile: Profile, *, broadcast: bool = False
) -> Scored:
    """Score ``profile`` in the slot game ``game`` with the realised activity ``active``.

    Parameters
    ----------
    game : GameInstance
        The slot's game, batched ``(S, ...)``.
    active : ndarray of bool, shape (S, N)
        a(t), eq. (1).
    profile : Profile
        The slot's actions, shape ``(S, N)``.
    broadcast : bool
        Also the counts the chosen AP and server broadcast.
    """
    theta = np.asarray(game.theta, dtype=float)
    weight = np.asarray(active, dtype=float)
    ap = resource.score_subgame(game.tx_time_s, theta, weight, profile.ap)
    server = resource.score_subgame(game.compute_time_s, theta, weight, profile.server)
    counts: dict[str, FloatArray] = {}
    if broadcast:
        counts = pricing.broadcast_counts(theta, weight, profile, game.num_aps, game.num_servers)
    feedback = Feedback(
        active=active,
        ap_delay_expected_s=ap[2],
        server_delay_expected_s=server[2],
        ap_delay_measured_s=ap[3],
        server_delay_measured_s=server[3],
        **counts,
    )
    return Scored(feedback, ap[0], server[0])


__all__ = ["Scored", "build_feedback"]
