"""``bandit``: each user an ε-greedy bandit over its own APs and servers (beyond the paper).

Where ``loglinear`` keeps one baseline and the cost it last measured there, this learner
remembers the cost it measured on *every* resource it has played: per user and resource a
recency-weighted mean of its measured cost (Sutton and Barto, *Reinforcement Learning: An
Introduction*, 2nd ed., 2018, §2.5, "tracking a nonstationary problem"), and for a resource it
has not played yet the cost it would pay there alone, θ_i T[i, r] (a lower bound of the delay
and of the price: optimistic initial values, ibid. §2.6, so that the near APs and fast servers
are tried first, each once, without a random search). Each slot an active user

* with probability ε(t) (falling as in ``loglinear``) *explores*: it plays for one slot a
  trial, the resource other than its incumbent whose estimate, relaxed toward the alone cost
  as it ages (Q_r ← θ_i T[i, r] + (Q_r − θ_i T[i, r]) exp(−age_r / A), A = ``memory_slots``:
  an old measurement may no longer hold, so it is trusted less), is lowest (``directed``;
  optimism in the face of uncertainty), or one drawn ∝ T[i, r]^-2 from its own standalone
  times (``own-time``, ``loglinear``'s proposal);
* otherwise it plays its *incumbent*, after moving the incumbent to its best-estimated
  resource with probability ρ (``switch_rate``) when that estimate is below the incumbent's:
  inertia, as in the payoff-based dynamics of Marden, Young, Arslan and Shamma (SIAM J.
  Control Optim. 48(1), 2009), so that users that learn at once the same better resource do not
  all move there in one slot;

and after the slot updates the estimate of the resource it played, Q ← Q + α (c − Q)
(``step`` α; the first measurement replaces the optimistic value). The cost c is its measured
delay (expected load, O7 (a), default, or the realised one, O7 (b)) or with ``price=True`` the
marginal-cost price of :mod:`jcaco.game.pricing`, whose game has the social cost (15) (or (14))
as exact potential: a user's incumbent then moves, in expectation, only to lower the social
cost, and the learner settles at a local optimum of it under single moves (an equilibrium of
the priced game) with fresher comparisons than one baseline gives.

What it sees: exactly what ``loglinear`` sees (:func:`jcaco.learners.information.own_delays`):
its own activity bit, the mean channel (own realised times with ``measured`` and a price), its
own delays; with a price the count its AP and server broadcast.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from jcaco import kernels
from jcaco.game.profile import Profile
from jcaco.learners.base import (
    Feedback,
    Learner,
    check_choice,
    inverse_cdf,
    measured_costs,
    uniform_choice,
)
from jcaco.learners.information import Information, own_delays
from jcaco.learners.own_delay import SIGNALS, check_schedule, falling, own_time_proposal
from jcaco.learners.views import Setup, View
from jcaco.rng import RandomSource
from jcaco.types import FloatArray, IntArray

TRIALS = ("own-time", "directed")


class CostBandit(Learner):
    """ε-greedy bandit with recency-weighted cost estimates, optimistic start and inertia.

    Parameters
    ----------
    exploration : float
        ε_0 in (0, 1]: the probability that an active user plays a trial in a slot, at the
        start; ε(t) = max(ε_min, ε_0 / (1 + t / t_c)) (``loglinear``'s schedule).
    exploration_min : float
        ε_min in (0, ε_0].
    cooling_slots : float
        t_c > 0.
    step : float
        α in (0, 1]: weight of a new measurement in a resource's estimate (1: the last one).
    switch_rate : float
        ρ in (0, 1]: the probability that a user whose best estimate beats its incumbent's
        moves there in a slot (1 - inertia).
    reward_signal : {"expected", "measured"}
        The delay measured: the expected load (O7 (a)) or the realised load (O7 (b)).
    price : bool
        Learn on the marginal-cost price instead of the delay (module docstring).
    patience : int
        Converged when no user moved its incumbent for this many slots.
    trials : {"directed", "own-time"}
        How a trial is chosen (module docstring).
    memory_slots : float
        A > 0: the age [slots] over which a measurement relaxes toward the alone cost
        (``directed``).

    Notes
    -----
    The defaults (ε as ``loglinear``; α = 0.5, ρ = 0.2 written before measuring; directed
    trials with A = 50 chosen by the rule of :mod:`jcaco.studies.bandit_defaults`) were
    set on networks of the ``sensitivity`` stream, never on the figures' (docs/algorithms.md).
    """

    name = "bandit"
    information = Information("own", "mean", "none")

    def __init__(
        self,
        exploration: float = 0.05,
        exploration_min: float = 0.01,
        cooling_slots: float = 100.0,
        step: float = 0.5,
        switch_rate: float = 0.2,
        reward_signal: Literal["expected", "measured"] = "expected",
        price: bool = False,
        patience: int = 500,
        trials: Literal["own-time", "directed"] = "directed",
        memory_slots: float = 50.0,
    ):
        self.exploration = exploration
        self.exploration_min = exploration_min
        self.cooling_slots = cooling_slots
        self.step = step
        self.switch_rate = switch_rate
        self.reward_signal = reward_signal
        self.price = price
        self.patience = patience
        self.trials = trials
        self.memory_slots = memory_slots

    def declares(self) -> Information:
        """Own activity; with a price the broadcast counts, and own realised times if measured."""
        return own_delays(self.price, self.reward_signal)

    def _check_params(self) -> None:
        check_schedule(self, positive=("memory_slots",))
        for name in ("step", "switch_rate"):
            if not 0 < getattr(self, name) <= 1:
                raise ValueError(f"{name} must be in (0, 1], got {getattr(self, name)!r}")
        check_choice(self, ("reward_signal", SIGNALS), ("trials", TRIALS))

    def reset(self, setup: Setup, rng: RandomSource) -> None:
        """Uniform random incumbents; no estimates yet.

        Per subgame (index 0: AP, 1: server): incumbents ``incumbent_`` ``(S, N)``, the
        estimates ``estimate_s_`` ``(S, N, R)`` [s] (NaN: never played), the profile played.
        """
        self._check_params()
        s, n, m, _ = setup.shape
        self.rng_ = rng
        self.players_ = setup.players
        self.allowed_ = (np.ones((s, n, m), dtype=bool), setup.feasible)
        self.incumbent_ = [uniform_choice(allowed, rng) for allowed in self.allowed_]
        # NaN: never played; inf: infeasible (never played either)
        self.estimate_s_: list[FloatArray] = [
            np.where(allowed, np.nan, np.inf) for allowed in self.allowed_
        ]
        self.known_ = [~allowed for allowed in self.allowed_]  # played, or infeasible
        self.cells_ = np.arange(s * n) * np.array([m, setup.feasible.shape[-1]])[:, None]
        self.seen_: list[IntArray] = [
            np.zeros(allowed.shape, dtype=np.int64) for allowed in self.allowed_
        ]
        self.theta_ = setup.theta
        self.own_times_ = (setup.tx_time_s, setup.compute_time_s)
        self.quiet_ = np.zeros(s, dtype=np.int64)
        self.slot_ = 0
        self.converged_ = np.zeros(s, dtype=bool)
        self.last_ = self.recommendation()

    def exploration_at(self, slot: int) -> float:
        """ε(t) = max(ε_min, ε_0 / (1 + t / t_c))."""
        return falling(self.exploration, self.exploration_min, slot, self.cooling_slots)

    def alone_s(self, part: int, rows: tuple[IntArray, ...] | None = None) -> FloatArray:
        """θ_i T[i, r] (a_i T with ``measured``): the cost on r alone, a lower bound of the
        delay and of the price [s], ``(S, N, R)`` (or the ``rows``)."""
        weight = self.theta_ if self.reward_signal == "expected" else np.ones_like(self.theta_)
        time = self.own_times_[part]
        if rows is not None:
            weight, time = weight[rows], time[rows]
        with np.errstate(invalid="ignore"):
            return weight[..., None] * time

    def estimates(self, part: int) -> FloatArray:
        """Each user's estimated cost of each resource of subgame ``part``, ``(S, N, R)`` [s]:
        the tracked mean where played, else θ_i T[i, r] (alone there); ``inf`` if infeasible."""
        estimate = self.alone_s(part)
        np.putmask(estimate, self.known_[part], self.estimate_s_[part])
        return estimate

    def _best(self, part: int, incumbent: IntArray) -> tuple[IntArray, FloatArray]:
        """Each user's best-estimated resource and the incumbent's estimate minus its
        (>= 0), shape ``(S, N)`` each; compiled when numba is there (same bits)."""
        compiled = kernels.load("jcaco.learners._bandit_numba")
        if compiled is not None:
            best = np.empty(incumbent.shape, dtype=np.int64)
            gain = np.empty(incumbent.shape)
            weight = self.theta_ if self.reward_signal == "expected" else np.ones_like(self.theta_)
            time = np.ascontiguousarray(self.own_times_[part])
            known = self.known_[part]
            compiled.best_kernel(weight, time, known, self.estimate_s_[part], incumbent, best, gain)
            return best, gain
        estimate = self.estimates(part)
        best = estimate.argmin(axis=-1)
        flat, cells = estimate.reshape(-1), self.cells_[part]
        gain = flat[cells + incumbent.reshape(-1)] - flat[cells + best.reshape(-1)]
        return best, gain.reshape(incumbent.shape)

    def _trials(self, part: int, flat: IntArray, uniform: FloatArray) -> IntArray:
        """The trials of the users at flat indices ``flat`` of ``(S, N)``, one ``uniform``
        draw each: ∝ T^-2 (``own-time``), or (``directed``) the resource other than the
        incumbent whose estimate, relaxed toward the alone cost as it ages, is lowest."""
        rows = np.divmod(flat, self.players_.shape[1])
        if self.trials == "own-time":
            return inverse_cdf(own_time_proposal(self.own_times_[part][rows]), uniform)
        alone = self.alone_s(part, rows)
        tracked = self.estimate_s_[part][rows]
        age = self.slot_ - self.seen_[part][rows]
        with np.errstate(invalid="ignore"):  # inf - inf where infeasible: masked below
            relaxed = alone + (tracked - alone) * np.exp(-age / self.memory_slots)
        relaxed = np.where(np.isnan(tracked), alone, relaxed)
        relaxed = np.where(self.allowed_[part][rows], relaxed, np.inf)
        incumbent = self.incumbent_[part][rows]
        others = relaxed.copy()
        others[np.arange(len(flat)), incumbent] = np.inf
        trial = others.argmin(axis=-1)
        return np.where(np.isfinite(others.min(axis=-1)), trial, incumbent)

    def act(self, view: View) -> Profile:
        """Incumbents (moved to the best estimate w.p. ρ when it is better); a trial w.p. ε(t)."""
        assert view.active is not None  # declared: activity="own"
        active = view.active & self.players_  # [S, N]
        self.slot_ = view.slot
        self.own_times_ = (view.tx_time_s, view.compute_time_s)
        rate = self.exploration_at(self.slot_)
        moved = np.zeros(active.shape[0], dtype=bool)
        played = []
        for part in (0, 1):
            incumbent = self.incumbent_[part]
            best, gain = self._best(part, incumbent)
            draw, move_draw = np.moveaxis(self.rng_.random((*active.shape, 2)), -1, 0)
            explore = active & (draw < rate)
            switch = active & ~explore & (gain > 0) & (move_draw < self.switch_rate)
            incumbent = np.where(switch, best, incumbent)
            moved |= switch.any(axis=-1)
            plays = incumbent.copy()
            self.incumbent_[part] = incumbent
            flat = np.flatnonzero(explore)  # a few percent of the users
            # given draw < ε, draw / ε is uniform: the same number picks the trial
            plays.reshape(-1)[flat] = self._trials(part, flat, draw.reshape(-1)[flat] / rate)
            played.append(plays)
        self.quiet_ = np.where(moved, 0, self.quiet_ + 1)
        self.converged_ = self.quiet_ >= self.patience
        self.last_ = Profile(played[0], played[1])
        return self.last_

    def observe(self, profile: Profile, feedback: Feedback) -> None:
        """Track the measured cost of the resource each active user played."""
        active = feedback.active & self.players_
        costs = measured_costs(
            feedback,
            profile,
            self.reward_signal,
            price=self.price,
            theta=self.theta_,
            own_times=self.own_times_,
        )
        users = np.flatnonzero(active)
        choices = (profile.ap, profile.server)
        for part, (cost, choice) in enumerate(zip(costs, choices, strict=True)):
            tracked = self.estimate_s_[part]
            cells = users * tracked.shape[-1] + choice.reshape(-1)[users]
            old = tracked.reshape(-1)[cells]
            new = cost.reshape(-1)[users]
            tracked.reshape(-1)[cells] = np.where(np.isnan(old), new, old + self.step * (new - old))
            self.seen_[part].reshape(-1)[cells] = self.slot_
            self.known_[part].reshape(-1)[cells] = True

    def recommendation(self) -> Profile:
        """The incumbents."""
        return Profile(self.incumbent_[0].copy(), self.incumbent_[1].copy())


__all__ = ["CostBandit"]
