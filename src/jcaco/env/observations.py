"""Observation and action spaces of the PettingZoo environment, built from a learner's view.

An agent is one user. Its action is one integer ``a = ap * K + server`` (a ``Discrete(M K)``
space); its observation is a ``Dict`` holding the rows of the slot's
:class:`jcaco.learners.views.View` that belong to it, so an agent sees exactly what a jcaco
learner with the same :class:`~jcaco.learners.information.Information` sees
(:mod:`jcaco.learners.views`), plus its own last delays and an action mask (the default
``observation="dict"``; ``observation="rl"`` gives the flat float32 vector of
:mod:`jcaco.learners.policy_features` and the mask instead, :func:`rl_observation_space`):

=========================  ================  =============================================
key                        shape             present when
=========================  ================  =============================================
``action_mask``            ``(M K,)`` int8   always: 1 where the server meets the user's
                                             accuracy limit (37); an inactive user may only
                                             hold its previous action
``theta``                  ``(1,)``          always: its own θ_i
``tx_time_s``              ``(M,)``          always: its own standalone times (7) [s],
                                             realised (``channel`` own/all) or at the mean
                                             fading
``compute_time_s``         ``(K,)``          always: its own computation times (10) [s]
                                             (``inf``: infeasible)
``distance_m``             ``(M,)``          always: its own distances to the APs [m]
``last_expected_delay_s``  ``(2,)``          always: expected AP and server delay of its
                                             previous action, (25)-(28) [s] (0 at reset;
                                             kept through the slots it is inactive in)
``last_measured_delay_s``  ``(2,)``          always: realised AP and server load L^c, L^o
                                             at its previous action, (8), (11) [s]
``active``                 ``Discrete(2)``   ``activity`` own or all: its a_i(t)
``num_users``              ``Discrete(N+1)`` ``others`` count or more: N
``num_active``             ``Discrete(N+1)`` when the view counts the active users
``others_*``               ``(N, ...)``      ``others="actions"``: everybody's θ, load
                                             weights, times and previous AP and server
=========================  ================  =============================================
"""

from __future__ import annotations

from itertools import repeat
from typing import Any

import numpy as np
import numpy.typing as npt
from gymnasium import spaces

from jcaco.game.profile import Profile
from jcaco.learners.information import Information
from jcaco.learners.policy_features import CLIP, INFEASIBLE, feature_names
from jcaco.learners.views import View
from jcaco.types import FloatArray


def _times(shape: tuple[int, ...]) -> spaces.Box:
    return spaces.Box(0.0, np.inf, shape, dtype=np.float64)


def observation_space(
    info: Information, num_users: int, num_aps: int, num_servers: int
) -> spaces.Dict:
    """The ``Dict`` space of one agent's observation under ``info`` (see the module table)."""
    n, m, k = num_users, num_aps, num_servers
    fields: dict[str, spaces.Space[Any]] = {
        "action_mask": spaces.MultiBinary(m * k),
        "theta": spaces.Box(0.0, 1.0, (1,), dtype=np.float64),
        "tx_time_s": _times((m,)),
        "compute_time_s": _times((k,)),
        "distance_m": _times((m,)),
        "last_expected_delay_s": _times((2,)),
        "last_measured_delay_s": _times((2,)),
    }
    if info.activity != "theta":
        fields["active"] = spaces.Discrete(2)
    if info.at_least("others", "count"):
        fields["num_users"] = spaces.Discrete(n + 1)
    if info.others == "active-count" or (info.others == "actions" and info.activity == "all"):
        fields["num_active"] = spaces.Discrete(n + 1)
    if info.others == "actions":
        fields["others_theta"] = spaces.Box(0.0, 1.0, (n,), dtype=np.float64)
        fields["others_weight"] = spaces.Box(0.0, 1.0, (n,), dtype=np.float64)
        fields["others_tx_time_s"] = _times((n, m))
        fields["others_compute_time_s"] = _times((n, k))
        fields["others_ap"] = spaces.MultiDiscrete(np.full(n, m))
        fields["others_server"] = spaces.MultiDiscrete(np.full(n, k))
    return spaces.Dict(fields)


def rl_observation_space(info: Information, num_aps: int, num_servers: int) -> spaces.Dict:
    """The space of one agent's RL-ready observation (``observation="rl"``):
    ``{"observation": Box(float32, (D,)), "action_mask": Box(int8, (M K,))}``, D and the
    entries from :mod:`jcaco.learners.policy_features`; the same for every agent."""
    size = len(feature_names(info, num_aps, num_servers))
    return spaces.Dict(
        {
            "observation": spaces.Box(INFEASIBLE, CLIP, (size,), dtype=np.float32),
            "action_mask": spaces.Box(0, 1, (num_aps * num_servers,), dtype=np.int8),
        }
    )


def rl_observations(
    vectors: npt.NDArray[np.float32], mask: npt.NDArray[np.int8], agents: list[str]
) -> dict[str, dict[str, Any]]:
    """One ``{"observation", "action_mask"}`` pair per agent from ``(N, D)`` and ``(N, M K)``
    rows (views, not copies)."""
    return {
        agent: {"observation": row, "action_mask": allowed}
        for agent, row, allowed in zip(agents, vectors, mask, strict=True)
    }


def observations(
    view: View,
    mask: npt.NDArray[np.int8],
    last_expected_s: FloatArray,
    last_measured_s: FloatArray,
    previous: Profile | None,
    agents: list[str],
) -> dict[str, dict[str, Any]]:
    """One observation per agent from batch row 0 of ``view`` (rows are views, not copies).

    ``last_expected_s`` and ``last_measured_s`` are ``(N, 2)`` [s]; ``previous`` is the
    previous profile (``(1, N)`` arrays) shown to ``others="actions"`` agents (AP 0 and each
    user's fastest feasible server before the first step).
    """
    assert view.distance_m is not None  # a network always has its geometry
    keys = [
        "action_mask",
        "theta",
        "tx_time_s",
        "compute_time_s",
        "distance_m",
        "last_expected_delay_s",
        "last_measured_delay_s",
    ]
    columns: list[Any] = [
        mask,
        view.theta[0][:, None],
        view.tx_time_s[0],
        view.compute_time_s[0],
        view.distance_m[0],
        last_expected_s,
        last_measured_s,
    ]
    if view.active is not None:
        keys.append("active")
        columns.append(view.active[0].astype(np.int64))
    if view.num_users is not None:
        keys.append("num_users")
        columns.append(repeat(np.int64(view.num_users)))
    if view.num_active is not None:
        keys.append("num_active")
        columns.append(repeat(np.int64(view.num_active[0])))
    if view.others is not None:
        others = view.others
        profile = others.profile if others.profile is not None else previous
        assert profile is not None
        shared = {
            "others_theta": others.theta[0],
            "others_weight": np.asarray(others.weight[0], dtype=np.float64),
            "others_tx_time_s": others.tx_time_s[0],
            "others_compute_time_s": others.compute_time_s[0],
            "others_ap": profile.ap[0],
            "others_server": profile.server[0],
        }
        keys.extend(shared)
        columns.extend(repeat(value) for value in shared.values())
    rows = zip(*columns, strict=False)  # repeat() columns are endless: stop at N rows
    return {
        agent: dict(zip(keys, row, strict=True)) for agent, row in zip(agents, rows, strict=False)
    }


__all__ = ["observation_space", "observations", "rl_observation_space", "rl_observations"]
