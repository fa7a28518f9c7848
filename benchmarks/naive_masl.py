"""The straightforward MASL iteration: plain Python, one loop per user (the speed reference).

This is what ``jcaco.learners.masl.core.MASL`` plus ``jcaco.sim.loop`` compute in one slot of the
static game, written the obvious way with the state in Python lists: draw the activity
a(t) ~ Bernoulli(θ) (1); every user draws an AP and a server from its mixed strategies, and
with ``sampling="active"`` (O8, the default) an inactive user keeps its last action instead;
the expected loads (27), (28) and the realised loads (8), (11) are accumulated user by user;
every active user gets the rewards (35), (38) and updates by L_R-I (34), (36), (39); the
convergence test O10 is applied. Floating-point operations are done in the same order as the
vectorised code, so for the same random numbers both give the same bits
(``tests/test_bench_naive.py`` checks it).
"""

from __future__ import annotations

import numpy as np

from jcaco.learners.views import Announcements
from jcaco.model.instance import GameInstance, add_batch_axis


def _sample(row: list[float], r: float) -> int:
    """Inverse-CDF draw from one strategy row, as ``jcaco.learners.base.sample_from``."""
    total = 0.0
    cdf = []
    for p in row:
        total += p
        cdf.append(total)
    u = (1.0 - r) * total
    index = 0
    for c in cdf:
        if c < u:
            index += 1
    return min(index, len(row) - 1)


def _update(row: list[float], choice: int, step: float) -> None:
    """L_R-I (34) in place: p <- p (1 - step), then p[choice] += step."""
    keep = 1.0 - step
    for r in range(len(row)):
        row[r] = row[r] * keep
    row[choice] = row[choice] + step


class NaiveMASL:
    """MASL (Alg. 1 + 2) on one static game, state in Python lists.

    Parameters
    ----------
    game : GameInstance
        One unbatched game.
    learning_rate_ap, learning_rate_server : float
        b_c and b_o.
    convergence_threshold : float
        O10 threshold.
    sampling : {"active", "all"}
        O8; with ``"active"`` :meth:`first_actions` must be called once before the first
        iteration (as ``MASL.reset`` draws the first actions).
    """

    def __init__(
        self,
        game: GameInstance,
        learning_rate_ap: float,
        learning_rate_server: float,
        convergence_threshold: float = 0.99,
        sampling: str = "active",
    ):
        self.theta = game.theta.tolist()
        self.tx_time_s = game.tx_time_s.tolist()
        self.compute_time_s = game.compute_time_s.tolist()
        self.rate_ap = learning_rate_ap
        self.rate_server = learning_rate_server
        self.threshold = convergence_threshold
        num_aps = game.num_aps
        self.probs_ap = [[1.0 / num_aps] * num_aps for _ in self.theta]
        feasible = np.isfinite(game.compute_time_s)
        self.probs_server = (feasible / feasible.sum(axis=-1, keepdims=True)).tolist()
        # O9 normalisers: set once at reset, not part of the iteration
        announced = Announcements.of(add_batch_axis(game))
        self.max_ap_delay_s = float(announced.expected_max_ap_load_s[0, 0])
        self.max_server_delay_s = float(announced.expected_max_server_load_s[0, 0])
        self.converged = False
        self.sampling = sampling
        self.ap: list[int] = []
        self.server: list[int] = []

    def first_actions(self, learner_rng: np.random.Generator) -> None:
        """Every user's first action (``sampling="active"``), drawn from the uniform strategies."""
        n = len(self.theta)
        u_ap = learner_rng.random(n).tolist()
        u_server = learner_rng.random(n).tolist()
        self.ap = [_sample(self.probs_ap[i], u_ap[i]) for i in range(n)]
        self.server = [_sample(self.probs_server[i], u_server[i]) for i in range(n)]

    def iteration(
        self, activity_rng: np.random.Generator, learner_rng: np.random.Generator
    ) -> tuple[list[int], list[int]]:
        """One slot: activity, sampling, scoring, L_R-I update. Returns the sampled profile."""
        n = len(self.theta)
        u_active = activity_rng.random(n).tolist()
        u_ap = learner_rng.random(n).tolist()
        u_server = learner_rng.random(n).tolist()
        active = [u < th for u, th in zip(u_active, self.theta, strict=True)]
        ap = [_sample(self.probs_ap[i], u_ap[i]) for i in range(n)]
        server = [_sample(self.probs_server[i], u_server[i]) for i in range(n)]
        if self.sampling == "active":  # inactive users keep their last action
            ap = [ap[i] if active[i] else self.ap[i] for i in range(n)]
            server = [server[i] if active[i] else self.server[i] for i in range(n)]
            self.ap, self.server = ap, server
        # loads, user by user: expected (27), (28) and realised (8), (11)
        ap_expected = [0.0] * len(self.probs_ap[0])
        server_expected = [0.0] * len(self.probs_server[0])
        ap_real = [0.0] * len(ap_expected)
        server_real = [0.0] * len(server_expected)
        for i in range(n):
            if self.theta[i] > 0:
                ap_expected[ap[i]] += self.theta[i] * self.tx_time_s[i][ap[i]]
                server_expected[server[i]] += self.theta[i] * self.compute_time_s[i][server[i]]
            if active[i]:
                ap_real[ap[i]] += self.tx_time_s[i][ap[i]]
                server_real[server[i]] += self.compute_time_s[i][server[i]]
        # rewards (35), (38) and L_R-I (36), (39) of the active players
        done = True
        for i in range(n):
            if active[i] and self.theta[i] > 0:
                r_ap = min(max(1.0 - ap_expected[ap[i]] / self.max_ap_delay_s, 0.0), 1.0)
                r_sv = min(
                    max(1.0 - server_expected[server[i]] / self.max_server_delay_s, 0.0), 1.0
                )
                _update(self.probs_ap[i], ap[i], self.rate_ap * r_ap)
                _update(self.probs_server[i], server[i], self.rate_server * r_sv)
            if self.theta[i] > 0 and (
                max(self.probs_ap[i]) < self.threshold or max(self.probs_server[i]) < self.threshold
            ):
                done = False
        self.converged = done
        return ap, server
