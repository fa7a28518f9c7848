"""Exhaustive enumeration of pure Nash equilibria for tiny games (a test oracle and a tool).

The JCACO payoff is separable (docs/model.md §4.2, item 5), so the pure equilibria of the joint game
are exactly the products of the equilibria of the AP subgame and the server subgame.
"""

from __future__ import annotations

import itertools

import numpy as np

from jcaco.game import resource
from jcaco.game.profile import Profile
from jcaco.model.instance import GameInstance
from jcaco.types import BoolArray, FloatArray, IntArray

#: Refuse to enumerate more profiles than this (the count grows as R**N).
MAX_PROFILES = 2_000_000


def enumerate_profiles(allowed: BoolArray) -> IntArray:
    """All pure profiles of one resource game: shape ``(num_profiles, num_users)``.

    Parameters
    ----------
    allowed : ndarray of bool, shape (num_users, num_resources)
        Which resources each user may pick (a non-player should be given a single one).
    """
    options = [np.flatnonzero(row) for row in allowed]
    count = int(np.prod([len(o) for o in options], dtype=np.float64))
    if count > MAX_PROFILES:
        raise ValueError(f"{count} profiles to enumerate; at most {MAX_PROFILES} are allowed")
    return np.array(list(itertools.product(*options)), dtype=np.int64).reshape(count, len(options))


def subgame_equilibria(
    time: FloatArray, weight: FloatArray, atol: float = resource.DEFAULT_ATOL_S
) -> IntArray:
    """Every pure equilibrium of one resource game (single, unbatched).

    Non-players (weight 0) are pinned to their first allowed resource, since their choice is
    irrelevant. Returns shape ``(num_equilibria, num_users)``.
    """
    w = resource.player_weights(time, weight)
    allowed = np.isfinite(time)
    players = np.asarray(weight) > 0
    first = allowed.argmax(axis=1)
    allowed = np.where(players[:, None], allowed, np.eye(time.shape[1], dtype=bool)[first])
    profiles = enumerate_profiles(allowed)
    # [profiles, users, resources]
    wb = np.broadcast_to(w, (len(profiles), *w.shape))
    gaps = resource.nash_gaps(wb, profiles, np.broadcast_to(players, profiles.shape))
    return profiles[gaps.max(axis=1, initial=0.0) <= atol]


def pure_equilibria(instance: GameInstance) -> list[Profile]:
    """Every pure Nash equilibrium of a single JCACO instance (product of the subgames')."""
    aps = subgame_equilibria(instance.tx_time_s, instance.theta)
    servers = subgame_equilibria(instance.compute_time_s, instance.theta)
    return [Profile(a, s) for a in aps for s in servers]
