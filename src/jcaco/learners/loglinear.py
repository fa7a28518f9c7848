"""``loglinear``: payoff-based log-linear learning (Marden and Shamma, GEB 75(2), 2012).

Each user keeps a *baseline* action and the cost it last measured there, per subgame (AP and
server apart: the payoff separates and each delay is measured on its own). Each slot an
active user that did not experiment the slot before tries a random other action with
probability ε (``exploration``); else it plays its baseline and refreshes its baseline cost.
After a trial it compares the cost it measured with its baseline cost and keeps the trial with
the logit probability

    P(keep) = 1 / (1 + exp((c_trial - c_base) / (τ(t) · scale))),

at a temperature that falls over time, τ(t) = max(τ_min, τ_0 / (1 + t / t_c)); ``scale`` is
the public constant MASL normalises with (docs/model.md O9), so τ is relative to the delays. In an
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
from jcaco.learners.base import Feedback, Learner, check_choice, measured_costs, uniform_choice
from jcaco.learners.information import Information, own_delays
from jcaco.learners.own_delay import SIGNALS, check_schedule, falling, own_time_proposal
from jcaco.learners.views import Setup, View
from jcaco.rng import RandomSource
from jcaco.types import FloatArray, IntArray

PROPOSALS = ("uniform", "own-time")


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
    proposal : {"uniform", "own-time"}
        How a trial is drawn: uniformly, or with probability ∝ T[i, r]^-2 from the user's own
        standalone times (near APs and fast servers first). The acceptance is then corrected
        by the proposal ratio (Barker's rule with a Hastings factor), so the stationary law at
        fixed τ stays the Gibbs distribution.
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
        proposal: Literal["uniform", "own-time"] = "own-time",
    ):
        self.exploration = exploration
        self.exploration_min = exploration_min
        self.temperature = temperature
        self.temperature_min = temperature_min
        self.cooling_slots = cooling_slots
        self.reward_signal = reward_signal
        self.price = price
        self.patience = patience
        self.proposal = proposal

    def declares(self) -> Information:
        """Own activity; with a price the broadcast counts, and own realised times if measured."""
        return own_delays(self.price, self.reward_signal)

    def _check_params(self) -> None:
        check_schedule(self, positive=("temperature", "temperature_min"))
        check_choice(self, ("reward_signal", SIGNALS), ("proposal", PROPOSALS))

    def reset(self, setup: Setup, rng: RandomSource) -> None:
        """Uniform random baselines; the delay scales (public O9 constants).

        The state of both subgames is stacked on a last axis (0: AP, 1: server): baselines
        ``baseline_``, baseline costs ``base_cost_`` [s], whether the user's last play was a
        trial ``trying_`` and what it played ``played_``, all ``(S, N, 2)``.
        """
        self._check_params()
        s, n, m, _ = setup.shape
        self.rng_ = rng
        self.players_ = setup.players
        self.allowed_ = (np.ones((s, n, m), dtype=bool), setup.feasible)
        self.baseline_ = np.stack(
            [uniform_choice(self.allowed_[0], rng), uniform_choice(self.allowed_[1], rng)], -1
        )
        self.base_cost_ = np.full((s, n, 2), np.inf)
        self.trying_ = np.zeros((s, n, 2), dtype=bool)
        self.played_ = self.baseline_.copy()
        notes = setup.announcements
        if self.reward_signal == "expected":
            scales = (notes.expected_max_ap_load_s, notes.expected_max_server_load_s)
        else:
            scales = (notes.max_ap_load_s, notes.max_server_load_s)
        self.scale_s_ = np.stack(scales, -1)  # [S, 1, 2]
        self.theta_ = setup.theta
        self.own_times_ = (setup.tx_time_s, setup.compute_time_s)
        self.tries_ = np.zeros(0, dtype=np.int64)
        self.log_ratio_ = np.zeros(0)
        self.quiet_ = np.zeros(s, dtype=np.int64)
        self.slot_ = 0
        self.converged_ = np.zeros(s, dtype=bool)
        self.last_ = self.recommendation()

    def temperature_at(self, slot: int) -> float:
        """τ(t) = max(τ_min, τ_0 / (1 + t / t_c))."""
        return falling(self.temperature, self.temperature_min, slot, self.cooling_slots)

    def exploration_at(self, slot: int) -> float:
        """ε(t) = max(ε_min, ε_0 / (1 + t / t_c))."""
        return falling(self.exploration, self.exploration_min, slot, self.cooling_slots)

    def act(self, view: View) -> Profile:
        """Baselines; a trial of another action, w.p. ε(t), for each active user that did not
        try one when it last played (a uniform draw that lands on the baseline is no trial)."""
        assert view.active is not None  # declared: activity="own"
        active = (view.active & self.players_)[..., None]  # [S, N, 1]
        self.slot_ = view.slot
        if self.price or self.proposal == "own-time":  # own times at the declared level
            self.own_times_ = (view.tx_time_s, view.compute_time_s)
        draw = self.rng_.random(self.baseline_.shape)  # [S, N, 2]
        rate = self.exploration_at(self.slot_)
        explore = (draw < rate) & active & ~self.trying_
        # flat indices into (S, N, 2) of the explorers: a few percent of the users
        flat = np.flatnonzero(explore)
        part, user = flat % 2, flat // 2
        trial = np.empty(len(flat), dtype=np.int64)
        ratio = np.empty(len(flat))
        n = self.baseline_.shape[1]
        for p in (0, 1):
            sel = part == p
            rows = np.divmod(user[sel], n)  # (seed, user) of each explorer
            # given draw < ε, draw / ε is uniform: the same number picks the trial
            trial[sel], ratio[sel] = self._draw_trials(p, rows, draw.reshape(-1)[flat[sel]] / rate)
        real = trial != self.baseline_.reshape(-1)[flat]
        self.tries_ = flat[real]  # flat indices of this slot's trials
        self.log_ratio_ = ratio[real]  # their Hastings factors log q(trial) - log q(baseline)
        self.trying_ &= ~active  # an idle user keeps its flag; an active one sets it anew
        self.trying_.reshape(-1)[self.tries_] = True
        self.played_ = self.baseline_.copy()
        self.played_.reshape(-1)[self.tries_] = trial[real]
        self.last_ = Profile(self.played_[..., 0], self.played_[..., 1])
        return self.last_

    def observe(self, profile: Profile, feedback: Feedback) -> None:
        """Logit choice between trial and baseline for the active users that tried; the
        others refresh their baseline cost."""
        active = (feedback.active & self.players_)[..., None]  # [S, N, 1]
        cost = np.stack(
            measured_costs(
                feedback,
                profile,
                self.reward_signal,
                price=self.price,
                theta=self.theta_,
                own_times=self.own_times_,
            ),
            -1,
        )  # [S, N, 2]
        tau = self.temperature_at(self.slot_)
        draw = self.rng_.random(cost.shape)
        tried = self.tries_  # the logit choice only where it is made (all active)
        seed, part = tried // (2 * cost.shape[1]), tried % 2
        flat_cost, flat_base = cost.reshape(-1), self.base_cost_.reshape(-1)
        with np.errstate(over="ignore", invalid="ignore"):
            excess = (flat_cost[tried] - flat_base[tried]) / (tau * self.scale_s_[seed, 0, part])
        excess = excess + self.log_ratio_  # Hastings factor q(trial) / q(baseline)
        excess = np.clip(np.nan_to_num(excess, nan=-700.0), -700.0, 700.0)
        keep = 1.0 / (1.0 + np.exp(excess))  # an unknown baseline cost (inf) gives 1
        moved = tried[draw.reshape(-1)[tried] < keep]
        np.copyto(self.base_cost_, cost, where=active & ~self.trying_)
        flat_base[moved] = flat_cost[moved]
        self.baseline_.reshape(-1)[moved] = self.played_.reshape(-1)[moved]
        seeds_moved = np.bincount(moved // (2 * cost.shape[1]), minlength=cost.shape[0]) > 0
        self.quiet_ = np.where(seeds_moved, 0, self.quiet_ + 1)
        self.converged_ = self.quiet_ >= self.patience

    def _draw_trials(
        self, part: int, rows: tuple[IntArray, ...], draw: FloatArray
    ) -> tuple[IntArray, FloatArray]:
        """Trials of the users at ``rows`` (index arrays into ``(S, N)``) in subgame ``part``
        from one uniform ``draw`` each (inverse CDF), and log q(trial) - log q(baseline)."""
        allowed = self.allowed_[part][rows]  # [rows, R]
        if self.proposal == "uniform":
            probs = allowed / allowed.sum(axis=-1, keepdims=True)
        else:
            probs = own_time_proposal(self.own_times_[part][rows])
        cdf = np.cumsum(probs, axis=-1)
        below = cdf < ((1.0 - draw) * cdf[..., -1])[..., None]  # (0, total]: no p = 0 pick
        trial = np.minimum(below.sum(axis=-1), probs.shape[-1] - 1)
        with np.errstate(divide="ignore"):
            logq = np.log(probs)
        base = self.baseline_[(*rows, part)]
        ratio = logq[np.arange(len(trial)), trial] - logq[np.arange(len(trial)), base]
        return trial, np.nan_to_num(ratio)

    def recommendation(self) -> Profile:
        """The baselines."""
        return Profile(self.baseline_[..., 0].copy(), self.baseline_[..., 1].copy())
