"""A pure strategy profile: one AP and one server per user (steps follow from (37))."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jcaco.types import IntArray


@dataclass(frozen=True)
class Profile:
    """Pure strategy profile (X, Y) of the JCACO game, eqs. (14b)–(14c).

    Attributes
    ----------
    ap : ndarray of int, shape (..., num_users)
        Index of the AP each user associates with (0-based).
    server : ndarray of int, shape (..., num_users)
        Index of the edge server each user offloads to (0-based).
    """

    ap: IntArray
    server: IntArray

    def __post_init__(self) -> None:
        object.__setattr__(self, "ap", np.asarray(self.ap, dtype=np.int64))
        object.__setattr__(self, "server", np.asarray(self.server, dtype=np.int64))

    def copy(self) -> Profile:
        """Deep copy (arrays are copied)."""
        return Profile(self.ap.copy(), self.server.copy())

    def __getitem__(self, index: int) -> Profile:
        """The profile of one batch entry."""
        return Profile(self.ap[index], self.server[index])
