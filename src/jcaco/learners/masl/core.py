"""MASL: Multi-Agent Stochastic Learning, Alg. 1 (AP) and Alg. 2 (server) in lock-step.

Each user keeps a mixed strategy over APs p^c_i and over its feasible servers p^o_i, uniform
at the start (33). Each slot the active users sample an action (O8; "each active UE selects"),
and each *active* user then updates by linear reward–inaction (34), (36), (39) with the
normalised reward (35), (38) ``r = clip(1 - delay / T̄max, 0, 1)``, where the delay is the
expected load of the chosen resource under the sampled profile (O7 (a), default) or the
realised load (O7 (b)).

What it sees, in the paper's words: "each UE updates its strategy based on local feedback
(i.e., the reward signal) alone" (VII-A), and "the strategy updates depend solely on each UE's
local action-reward feedback, and there is no need for any global knowledge of other UEs'
strategies or states" (VI-D). So it declares its own activity bit, the mean channel (it reads
no times at all) and nothing of the others; its normaliser is a public constant announced at
set-up (:class:`~jcaco.learners.views.Announcements`).

Options where the seed is explicit or silent (docs/algorithms.md):

* ``sampling``: ``"active"`` (the seed: "each active UE selects"; an inactive user keeps its
  last action, which enters only the expected loads) or ``"all"`` (every user samples every
  slot, Alg. 1 as docs/model.md writes it).
* ``normaliser``, ``delta`` and ``scale``: the fixed constant T̄max of (35), (38). The paper:
  "It is chosen such that over the considered learning horizon, so that the normalized reward
  remains bounded within ." and "It is worth noting that the normalization factor is a fixed
  constant and does not depend on future observations or online updates." The family
  (:mod:`jcaco.learners.masl.normalisers`), loosest first: ``"o9"`` (Σ_j θ_j max_m T_{j,m}
  at the mean fading and Σ_j θ_j max_k C_{j,k}, docs/model.md O9), ``"per-user"`` (N times
  the user's own largest standalone time, which needs N and its own times only),
  ``"worst-resource"`` (max_r Σ_j θ_j T_{j,r}, the largest expected load any profile gives)
  and ``"start-quantile"`` (the largest load of the uniform start (33) with probability
  >= 1 - ``delta``, Bernstein's bound). ``scale`` multiplies the chosen constant. Every one
  is computed in :meth:`MASL.reset` before the first slot; an adaptive normaliser would be a
  variant beyond the paper. The default is the one the rule of docs/algorithms.md ("MASL's
  normaliser", written before measuring) picked with ``jcaco study masl-normaliser``.
* ``price`` (beyond the paper): the delay in the reward is replaced by the marginal-cost price
  (:mod:`jcaco.game.pricing`): the user's own delay plus the delay it adds to the others on
  its resource, from its own delay, its own standalone time and the user count its AP and
  server broadcast (``others="loads"``). The priced game is an exact potential game whose
  potential is the social cost (15), so the equilibria MASL can settle in are local optima of
  (15). The price can reach about twice the delay, so the normaliser is doubled (rewards are
  clipped to [0, 1] as before).
"""

from __future__ import annotations

from typing import Literal, TypedDict

import numpy as np

from jcaco import kernels
from jcaco.game.profile import Profile
from jcaco.learners.base import Feedback, Learner, check_choice, measured_costs, sample_from
from jcaco.learners.information import Information, own_delays
from jcaco.learners.masl.normalisers import NORMALISERS, normaliser_constants, normaliser_reading
from jcaco.learners.params import check_ranges
from jcaco.learners.views import Setup, View
from jcaco.rng import RandomSource
from jcaco.types import BoolArray, FloatArray, IntArray

SAMPLINGS = ("active", "all")
#: MASL's default normaliser: the one the rule of docs/algorithms.md ("MASL's normaliser")
#: picks (``jcaco study masl-normaliser``).
Normaliser = Literal["o9", "per-user", "worst-resource", "start-quantile"]
DEFAULT_NORMALISER: Normaliser = "start-quantile"


def lri_update(
    probs: FloatArray,
    choice: IntArray,
    reward: FloatArray,
    rate: float,
    update: BoolArray,
    *,
    row_max: FloatArray | None = None,
) -> None:
    """Linear reward–inaction (34) in place: p <- p + b r (e_choice - p) where ``update``.

    ``probs`` is ``(S, N, R)``; ``choice``, ``reward`` and ``update`` are ``(S, N)``. The
    update is ``p <- p (1 - b r)`` followed by ``p[choice] += b r``; a user that does not
    update gets ``b r = 0``, which leaves its row bit for bit unchanged. If ``row_max``
    (``(S, N)``) is given it receives every row's largest entry after the update (the O10
    convergence test), fused into the same pass when the compiled kernel runs.
    """
    step = np.where(update, rate * reward, 0.0)  # [S, N]
    compiled = kernels.load("jcaco.learners.masl._lri_numba") if probs.ndim == 3 else None
    if compiled is not None:  # one pass over the rows, same operations (jcaco.kernels)
        out = np.empty(step.shape) if row_max is None else row_max
        compiled.lri_kernel(probs, choice, step, out)
        return
    probs *= (1.0 - step)[..., None]
    located = _flat_offsets(probs, choice)
    if located is not None:
        memory, offset = located
        memory[offset] += step
    else:  # the chosen entries by fancy indexing: still no put_along_axis overhead
        probs[(*np.indices(choice.shape, sparse=True), choice)] += step
    if row_max is not None:
        row_max[...] = probs.max(axis=-1)


def _flat_offsets(probs: FloatArray, choice: IntArray) -> tuple[FloatArray, IntArray] | None:
    """A 1-D view of the memory block behind ``probs`` and the offsets of the chosen entries.

    Gathering and scattering S x N entries through one flat index is about twice as fast as
    three-array fancy indexing. Returns None unless ``probs`` is an array, or a permuted view
    of one, that covers exactly one C-ordered block (as the resource-major strategies do).
    """
    block = probs if probs.flags.c_contiguous else probs.base
    if (
        not isinstance(block, np.ndarray)
        or not block.flags.c_contiguous
        or block.size != probs.size
        or block.dtype != probs.dtype
        or block.ctypes.data != probs.ctypes.data
        or min(probs.strides, default=1) <= 0
    ):
        return None
    steps = [stride // probs.itemsize for stride in probs.strides]
    offset = choice * steps[-1]  # [..., users]
    for axis, size in enumerate(choice.shape):
        shape = [1] * choice.ndim
        shape[axis] = size
        offset = offset + (np.arange(size) * steps[axis]).reshape(shape)
    return block.reshape(-1), offset


def _empty_resource_major(shape: tuple[int, ...]) -> FloatArray:
    """An unfilled ``shape`` (S, N, R) array, a view of an (S, R, N) C-ordered one.

    Every per-user operation of an iteration (sampling column by column, the L_R-I scaling,
    the row maxima) then walks memory contiguously; with R = 10 a reduction over a short last
    axis of a C-ordered array is ~20x slower. Filled in place, it needs no (S, N, R)
    temporary (80 MB per subgame at 10^6 users and R = 10).
    """
    num_seeds, num_users, num = shape
    return np.empty((num_seeds, num, num_users)).transpose(0, 2, 1)


def _resource_major(probs: FloatArray) -> FloatArray:
    """``probs`` (S, N, R) copied into the layout of :func:`_empty_resource_major`."""
    out = _empty_resource_major(probs.shape)
    out[...] = probs
    return out


def _row_argmax(probs: FloatArray) -> IntArray:
    """``probs.argmax(axis=-1)`` (the first largest entry of each row), ``(S, N)``, read column
    by column: on a resource-major view numpy's ``argmax`` copies the whole ``(S, N, R)``
    array first (80 MB per subgame at 10^6 users and R = 10)."""
    best = probs[..., 0].copy()
    index = np.zeros(best.shape, dtype=np.int64)
    for r in range(1, probs.shape[-1]):
        column = probs[..., r]
        index[column > best] = r
        np.maximum(best, column, out=best)
    return index


#: Default b_c = b_o. Chosen from the measurement in docs/algorithms.md
#: (``jcaco.studies.masl_study``): on random 6-user games b = 0.01 ends at a pure equilibrium
#: about 5x as often as b = 0.1 and 3x as often as b = 0.03, and every run converges within
#: ``jcaco solve``'s 100,000-slot budget; a smaller b gains little more and often does not converge.
DEFAULT_LEARNING_RATE = 0.01


class BothRates(TypedDict):
    """MASL's two learning-rate hyperparameters (keyword arguments of :class:`MASL`)."""

    learning_rate_ap: float
    learning_rate_server: float


def both_rates(rate: float) -> BothRates:
    """MASL's two learning rates b_c of (36) and b_o of (39) set to one value ``rate``, as
    hyperparameters: ``{"learning_rate_ap": rate, "learning_rate_server": rate}`` (the one
    place that splits a single learning rate into :class:`MASL`'s two keys)."""
    return {"learning_rate_ap": rate, "learning_rate_server": rate}


class MASL(Learner):
    """Multi-agent stochastic learning automata (Alg. 1 + Alg. 2).

    Parameters
    ----------
    learning_rate_ap : float
        b_c of (36), in (0, 1] (default :data:`DEFAULT_LEARNING_RATE`).
    learning_rate_server : float
        b_o of (39), in (0, 1] (default :data:`DEFAULT_LEARNING_RATE`).
    reward_signal : {"expected", "measured"}
        Delay fed into the reward: the expected load (O7 (a)) or the realised one (O7 (b)).
    convergence_threshold : float
        O10: converged when every player's largest probability is at least this, in both
        subgames.
    sampling : {"active", "all"}
        Who samples an action each slot (O8): the active users (the seed) or every user.
    normaliser : {"o9", "per-user", "worst-resource", "start-quantile"}
        T̄max of (35), (38), a fixed constant of the set-up (module docstring).
    delta : float
        The level δ of ``start-quantile``, in (0, 1).
    scale : float
        Multiplies the chosen constant, > 0.
    price : bool
        Learn on the marginal-cost price instead of the delay (module docstring).
    """

    name = "masl"
    information = Information("own", "mean", "none")
    reading = normaliser_reading(DEFAULT_NORMALISER, DEFAULT_NORMALISER)

    def __init__(
        self,
        learning_rate_ap: float = DEFAULT_LEARNING_RATE,
        learning_rate_server: float = DEFAULT_LEARNING_RATE,
        reward_signal: Literal["expected", "measured"] = "expected",
        convergence_threshold: float = 0.99,
        sampling: Literal["active", "all"] = "active",
        normaliser: Normaliser = DEFAULT_NORMALISER,
        price: bool = False,
        delta: float = 0.01,
        scale: float = 1.0,
    ):
        self.learning_rate_ap = learning_rate_ap
        self.learning_rate_server = learning_rate_server
        self.reward_signal = reward_signal
        self.convergence_threshold = convergence_threshold
        self.sampling = sampling
        self.normaliser = normaliser
        self.price = price
        self.delta = delta
        self.scale = scale

    def declares(self) -> Information:
        """Own activity and no channel; the per-user normaliser also needs N; a price needs
        the broadcast counts (and its own realised times with the measured signal)."""
        unpriced = Information("own", "mean", "count" if self.normaliser == "per-user" else "none")
        return own_delays(self.price, self.reward_signal, unpriced)

    def _check_params(self) -> None:
        check_ranges(self)
        check_choice(
            self,
            ("reward_signal", ("expected", "measured")),
            ("sampling", SAMPLINGS),
            ("normaliser", NORMALISERS),
        )

    def reset(self, setup: Setup, rng: RandomSource) -> None:
        """Uniform strategies (33) and the normalisers; with ``sampling="active"`` a first
        action drawn for every user (an inactive user holds it until it is next active)."""
        self._check_params()
        feasible = setup.feasible
        s, n, m, _ = setup.shape
        self.rng_ = rng
        self.players_ = setup.players
        # [S, N, R] views of resource-major arrays (see _empty_resource_major)
        self.probs_ap_ = _empty_resource_major((s, n, m))
        self.probs_ap_[...] = 1.0 / m
        self.probs_server_ = _empty_resource_major(feasible.shape)
        np.divide(feasible, feasible.sum(axis=-1, keepdims=True), out=self.probs_server_)
        ap_s, server_s = normaliser_constants(
            setup, self.normaliser, self.reward_signal, self.delta
        )
        factor = self.scale * (2.0 if self.price else 1.0)
        self.max_ap_delay_s_ = ap_s if factor == 1.0 else factor * ap_s
        self.max_server_delay_s_ = server_s if factor == 1.0 else factor * server_s
        if self.price:
            self.theta_ = setup.theta
            self.own_times_ = (setup.tx_time_s, setup.compute_time_s)
        self.converged_ = np.zeros(s, dtype=bool)
        self.last_ = self.recommendation()
        if self.sampling == "active":
            self.last_ = self._sample()

    def _sample(self) -> Profile:
        return Profile(
            sample_from(self.probs_ap_, self.rng_), sample_from(self.probs_server_, self.rng_)
        )

    def act(self, view: View) -> Profile:
        """Users sample an AP and a server from their mixed strategies (O8): the active ones
        (``sampling="active"``; the others keep their last action) or all."""
        sampled = self._sample()
        if self.sampling == "active":
            assert view.active is not None  # declared: activity="own"
            keep = ~view.active
            sampled = Profile(
                np.where(keep, self.last_.ap, sampled.ap),
                np.where(keep, self.last_.server, sampled.server),
            )
        self.last_ = sampled
        if self.price:  # own times at the declared channel level
            self.own_times_ = (view.tx_time_s, view.compute_time_s)
        return self.last_

    def observe(self, profile: Profile, feedback: Feedback) -> None:
        """L_R-I update (36), (39) of the active users with rewards (35), (38)."""
        ap_delay, server_delay = measured_costs(
            feedback,
            profile,
            self.reward_signal,
            price=self.price,
            theta=getattr(self, "theta_", None),
            own_times=getattr(self, "own_times_", None),
        )
        reward_ap = np.clip(1.0 - ap_delay / self.max_ap_delay_s_, 0.0, 1.0)
        reward_server = np.clip(1.0 - server_delay / self.max_server_delay_s_, 0.0, 1.0)
        active = feedback.active & self.players_
        top_ap, top_server = np.empty(active.shape), np.empty(active.shape)  # [S, N]
        lri_update(
            self.probs_ap_, profile.ap, reward_ap, self.learning_rate_ap, active, row_max=top_ap
        )
        lri_update(
            self.probs_server_,
            profile.server,
            reward_server,
            self.learning_rate_server,
            active,
            row_max=top_server,
        )
        threshold = self.convergence_threshold
        done = (top_ap >= threshold) & (top_server >= threshold)
        self.converged_ = np.asarray((done | ~self.players_).all(axis=-1))

    def recommendation(self) -> Profile:
        """x*_i = argmax p^c_i, y*_i = argmax p^o_i (output of Alg. 1 and 2)."""
        return Profile(_row_argmax(self.probs_ap_), _row_argmax(self.probs_server_))
