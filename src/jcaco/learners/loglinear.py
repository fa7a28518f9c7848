"""``loglinear``: payoff-based log-linear learning (Marden and Shamma, GEB 75(2), 2012).

Each user keeps a *baseline* action and the cost it last measured there, per subgame (AP and
server apart: the payoff separates and each delay is measured on its own). Each slot an
active user that did not experiment the slot before tries a random other action with
probability ε (``exploration``); else it plays its baseline and refreshes its baseline cost.
After a trial it compares the cost it measured with its baseline cost and keeps the trial with
the logit probability

    P(keep) = 1 / (1 + exp((c_trial - c_base) / (τ(t) · scale))),

at a temperature that falls over time, τ(t) = max(τ_min, τ_0 / (1 + t / t_c)); ``scale`` is
the public constant MASL normalises with (MODEL.md O9), so τ is relative to the delays. In an
exact potential game the stationary law of this rule at fixed τ is the Gibbs distribution of
the potential and its stochastically stable states are the potential's minimisers.

The cost is the user's measured delay: the expected load of its resource (O7 (a), default) or
the realised one (O7 (b)). The paper's game G_s has only a generalised ordinal potential, so
the Gibbs property holds for ``price=True``: the cost is then the marginal-cost price
(:mod:`jcaco.game.pricing`), own delay plus the delay the user adds to the others on its
resource, computed from its own delay, its own standalone time and the one number its AP and
server broadcast (their expected or realised user count, ``others="loads"``). The priced game
is an exact potential game whose potential is the social cost (15) (or (14)), so the learner
concentrates on its optimum. docs/algorithms.md derives it.

What it sees: its own activity bit; the mean channel (``expected``) or its own realised times
(``measured`` with a price); nothing of the others, or the broadcast counts with a price.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from jcaco.game.profile import Profile
from jcaco.learners.base import Feedback, Learner, measured_costs, uniform_choice
from jcaco.learners.information import Information
from jcaco.learners.views import Setup, View
from jcaco.rng import RandomSource
from jcaco.types import BoolArray, FloatArray, IntArray

SIGNALS = ("expected", "measured")


class _Part:
    """Baseline, baseline cost and trial of one subgame for every user, shape ``(S, N)``."""

    def __init__(self, baseline: IntArray):
        self.baseline = baseline
        self.cost = np.full(baseline.shape, np.inf)
        self.trying = np.zeros(baseline.shape, dtype=bool)
        self.played = baseline.copy()


class LogLinear(Learner):
    """Payoff-based log-linear learning with a falling temperature.

    Parameters
    ----------
    exploration : float
        ε_0 in (0, 1]: probability that an active user tries another action in a slot, at
        the start; ε(t) = max(ε_min, ε_0 / (1 + t / t_c)) falls with the temperature, so that
        late trials are rarely measured while another user is trying too.
    exploration_min : float
        ε_min in (0, ε_0].
    temperature : float
        τ_0 > 0, relative to the O9 delay scale.
    temperature_min : float
        τ_min > 0, the floor of the schedule.
    cooling_slots : float
        t_c > 0 of τ(t) = max(τ_min, τ_0 / (1 + t / t_c)).
    reward_signal : {"expected", "measured"}
        The delay measured: the expected load (O7 (a)) or the realised load (O7 (b)).
    price : bool
        Learn on the marginal-cost price instead of the delay (module docstring).
    patience : int
        Converged when no user changed a baseline for this many slots.
    """

    name = "loglinear"
    information = Information("own", "mean", "none")

    def __init__(
        self,
        exploration: float = 0.05,
        exploration_min: float = 0.01,
        temperature: float = 0.02,
        temperature_min: float = 0.0005,
        cooling_slots: float = 100.0,
        reward_signal: Literal["expected", "measured"] = "expected",
        price: bool = False,
        patience: int = 500,
    ):
        self.exploration = exploration
        self.exploration_min = exploration_min
        self.temperature = temperature
        self.temperature_min = temperature_min
        self.cooling_slots = cooling_slots
        self.reward_signal = reward_signal
        self.price = price
        self.patience = patience

    def declares(self) -> Information:
        """Own activity; with a price the broadcast counts, and own realised times if measured."""
        if not self.price:
            return Information("own", "mean", "none")
        return Information("own", "mean" if self.reward_signal == "expected" else "own", "loads")

    def _check_params(self) -> None:
        if not 0 < self.exploration <= 1:
            raise ValueError(f"exploration must be in (0, 1], got {self.exploration!r}")
        if not 0 < self.exploration_min <= self.exploration:
            raise ValueError(
                f"exploration_min must be in (0, exploration], got {self.exploration_min!r}"
            )
        for name in ("temperature", "temperature_min", "cooling_slots"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)!r}")
        if self.reward_signal not in SIGNALS:
            raise ValueError(f"reward_signal must be one of {SIGNALS}, got {self.reward_signal!r}")
        if int(self.patience) != self.patience or self.patience < 1:
            raise ValueError(f"patience must be an integer >= 1, got {self.patience!r}")

    def reset(self, setup: Setup, rng: RandomSource) -> None:
        """Uniform random baselines; the delay scales (public O9 constants)."""
        self._check_params()
        s, n, m, _ = setup.shape
        self.rng_ = rng
        self.players_ = setup.players
        self.feasible_ = setup.feasible
        self.ap_ = _Part(uniform_choice(np.ones((s, n, m), dtype=bool), rng))
        self.server_ = _Part(uniform_choice(setup.feasible, rng))
        notes = setup.announcements
        if self.reward_signal == "expected":
            scales = (notes.expected_max_ap_load_s, notes.expected_max_server_load_s)
        else:
            scales = (notes.max_ap_load_s, notes.max_server_load_s)
        self.scale_ap_s_, self.scale_server_s_ = scales
        self.theta_ = setup.theta
        self.tx_time_s_ = setup.tx_time_s
        self.compute_time_s_ = setup.compute_time_s
        self.quiet_ = np.zeros(s, dtype=np.int64)
        self.slot_ = 0
        self.converged_ = np.zeros(s, dtype=bool)
        self.last_ = Profile(self.ap_.baseline.copy(), self.server_.baseline.copy())

    def temperature_at(self, slot: int) -> float:
        """τ(t) = max(τ_min, τ_0 / (1 + t / t_c))."""
        return max(self.temperature_min, self.temperature / (1.0 + slot / self.cooling_slots))

    def exploration_at(self, slot: int) -> float:
        """ε(t) = max(ε_min, ε_0 / (1 + t / t_c))."""
        return max(self.exploration_min, self.exploration / (1.0 + slot / self.cooling_slots))

    def _propose(self, part: _Part, allowed: BoolArray, active: BoolArray) -> IntArray:
        """Active users that did not experiment when they last played try another action
        w.p. ε (a uniform draw that lands on the baseline is no trial)."""
        draw = self.rng_.random(part.baseline.shape)  # [S, N]
        trial = uniform_choice(allowed, self.rng_)  # [S, N]
        rate = self.exploration_at(self.slot_)
        tries = active & ~part.trying & (draw < rate) & (trial != part.baseline)
        part.trying = np.where(active, tries, part.trying)  # an idle user keeps its flag
        part.played = np.where(tries, trial, part.baseline)
        return part.played

    def act(self, view: View) -> Profile:
        """Baselines, and a trial for the users that explore this slot."""
        assert view.active is not None  # declared: activity="own"
        active = view.active & self.players_
        self.slot_ = view.slot
        if self.price:  # own times at the declared channel level (mean, or own realised)
            self.tx_time_s_ = view.tx_time_s
            self.compute_time_s_ = view.compute_time_s
        s, n, m = view.tx_time_s.shape
        ap = self._propose(self.ap_, np.ones((s, n, m), dtype=bool), active)
        server = self._propose(self.server_, self.feasible_, active)
        self.last_ = Profile(ap, server)
        return self.last_

    def _settle(
        self, part: _Part, cost: FloatArray, scale: FloatArray, active: BoolArray
    ) -> BoolArray:
        """Logit choice between trial and baseline; baseline costs refreshed. Who moved."""
        tau = self.temperature_at(self.slot_)
        with np.errstate(over="ignore", invalid="ignore"):
            odds = np.exp(np.clip((cost - part.cost) / (tau * scale), -700.0, 700.0))
        keep = 1.0 / (1.0 + odds)  # [S, N]; an unknown baseline cost (inf) gives 1
        draw = self.rng_.random(cost.shape)
        trying = part.trying & active
        moved = trying & (draw < keep)
        refresh = (active & ~part.trying) | moved
        part.baseline = np.where(moved, part.played, part.baseline)
        part.cost = np.where(refresh, cost, part.cost)
        return moved

    def observe(self, profile: Profile, feedback: Feedback) -> None:
        """Settle the trials of the active users; refresh the others' baseline costs."""
        active = feedback.active & self.players_
        cost_ap, cost_server = measured_costs(
            feedback,
            profile,
            self.reward_signal,
            price=self.price,
            theta=self.theta_,
            own_times=(self.tx_time_s_, self.compute_time_s_),
        )
        moved = self._settle(self.ap_, cost_ap, self.scale_ap_s_, active)
        moved |= self._settle(self.server_, cost_server, self.scale_server_s_, active)
        self.quiet_ = np.where(moved.any(axis=-1), 0, self.quiet_ + 1)
        self.converged_ = self.quiet_ >= self.patience

    def recommendation(self) -> Profile:
        """The baselines."""
        return Profile(self.ap_.baseline.copy(), self.server_.baseline.copy())
