"""The learner protocol (docs/extending.md#the-protocol) and what a learner may see.

A learner is a small class: ``__init__`` stores hyperparameters only (explicit keywords, no
work); :meth:`Learner.reset` creates state (trailing underscore); :meth:`Learner.act` returns
a profile; :meth:`Learner.observe` takes the outcome. Every array carries a leading seed axis
``S`` (a single run has ``S = 1``), so one code path serves single runs and batches.

The class attribute ``information`` (an :class:`~jcaco.learners.information.Information`)
declares what a learner may see on three axes; a learner whose declaration depends on its
hyperparameters overrides :meth:`Learner.declares`. The slot loop hands it only that:
:meth:`Learner.reset` gets a :class:`~jcaco.learners.views.Setup` and :meth:`Learner.act` a
:class:`~jcaco.learners.views.View`, both built from the declaration
(:mod:`jcaco.learners.views`). ``role`` says whether it is one of the compared algorithms
(``competitor``), another reading of one (``variant``) or a ``reference`` given more than the
paper allows.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np

from jcaco import kernels
from jcaco.game import pricing, resource
from jcaco.game.profile import Profile
from jcaco.learners.information import NOTHING, Information, information_of
from jcaco.learners.views import Setup, View
from jcaco.rng import RandomSource
from jcaco.types import BoolArray, FloatArray, IntArray

#: What a series is in a comparison: the paper's algorithms and learners beyond it are
#: ``competitor``; an algorithm given more information than the paper allows is a
#: ``reference`` (dashed, never part of a "lowest" claim); ``variant`` marks another reading
#: of a paper baseline that is shown beside it but is not the paper's.
Role = Literal["competitor", "variant", "reference"]
ROLES: tuple[str, ...] = ("competitor", "variant", "reference")


@dataclass(frozen=True)
class Feedback:
    """What each user measures after a slot (only its own entries are meaningful to it).

    Attributes
    ----------
    active : ndarray of bool, shape (S, N)
    ap_delay_expected_s, server_delay_expected_s : ndarray, shape (S, N)
        Expected load of the chosen AP / server under the sampled profile, (25)/(27) and
        (26)/(28) [s] (docs/model.md O7 (a)).
    ap_delay_measured_s, server_delay_measured_s : ndarray, shape (S, N)
        Realised load L^c / L^o of the chosen AP / server, (8) and (11) [s] (O7 (b)).
    ap_users_expected, server_users_expected : ndarray, shape (S, N), or None
        The number the chosen AP / server broadcasts: the expected number of users it serves,
        Σ θ_j over the users on it (the user included). Only for a learner that declares
        ``others="loads"`` or more (:mod:`jcaco.learners.information`), else None.
    ap_users_measured, server_users_measured : ndarray, shape (S, N), or None
        The same count over the active users of the slot (realised), likewise.
    """

    active: BoolArray
    ap_delay_expected_s: FloatArray
    server_delay_expected_s: FloatArray
    ap_delay_measured_s: FloatArray
    server_delay_measured_s: FloatArray
    ap_users_expected: FloatArray | None = None
    server_users_expected: FloatArray | None = None
    ap_users_measured: FloatArray | None = None
    server_users_measured: FloatArray | None = None


def measured_costs(
    feedback: Feedback,
    profile: Profile,
    signal: str,
    *,
    price: bool = False,
    theta: FloatArray | None = None,
    own_times: tuple[FloatArray, FloatArray] | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Each user's cost at its AP and server from its own feedback, shape ``(S, N)`` each [s].

    ``signal`` ``"expected"``: the expected load (O7 (a)); ``"measured"``: the realised load
    (O7 (b)). With ``price`` the marginal-cost price of :func:`jcaco.game.pricing.priced_cost`
    with weight θ_i (expected) or a_i (measured), the user's own standalone times
    ``own_times = (tx_time_s (S, N, M), compute_time_s (S, N, K))`` and the counts its AP and
    server broadcast (``others="loads"``).
    """
    if signal == "expected":
        delays = (feedback.ap_delay_expected_s, feedback.server_delay_expected_s)
        masses = (feedback.ap_users_expected, feedback.server_users_expected)
        weight = np.asarray(theta, dtype=float)
    else:
        delays = (feedback.ap_delay_measured_s, feedback.server_delay_measured_s)
        masses = (feedback.ap_users_measured, feedback.server_users_measured)
        weight = feedback.active.astype(float)
    if not price:
        return delays[0], delays[1]
    assert own_times is not None and theta is not None
    costs = []
    for delay, mass, time, choice in zip(
        delays, masses, own_times, (profile.ap, profile.server), strict=True
    ):
        assert mass is not None, "a priced learner must declare others='loads'"
        own = weight * own_time_at(time, choice)
        costs.append(pricing.priced_cost(own, weight, delay, mass))
    return costs[0], costs[1]


def own_time_at(time: FloatArray, choice: IntArray) -> FloatArray:
    """``time[..., i, choice_i]`` (a user's choice is always feasible, so finite)."""
    return resource.chosen(time, choice)


def _recording(act: Callable[[Any, View], Profile]) -> Callable[[Any, View], Profile]:
    """``act`` that also keeps the profile it returned (the default of ``last_``)."""

    @functools.wraps(act)
    def recording_act(self: Any, view: View) -> Profile:
        profile = act(self, view)
        self.__dict__["_acted"] = profile
        return profile

    recording_act._jcaco_records = True  # type: ignore[attr-defined]
    return recording_act


class Learner:
    """Base class of every algorithm. Subclasses set ``name``, ``information`` and ``role``.

    What a subclass may leave out (the contract forgives): ``__init__`` (then the learner has no
    hyperparameters); ``last_`` (default: the last profile ``act`` returned); ``converged_``
    (default: all False, shape ``(S,)``); ``observe`` (nothing to learn). ``information`` may be
    an :class:`Information` or a shorthand (``"own"``, ``"full"``, a learner's name; see
    :func:`jcaco.learners.information.information_of`).
    """

    name: ClassVar[str] = ""
    information: ClassVar[Information | str] = NOTHING
    role: ClassVar[Role] = "competitor"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        act = cls.__dict__.get("act")
        if act is not None and not getattr(act, "_jcaco_records", False):
            cls.act = _recording(act)  # type: ignore[method-assign,assignment]

    def declares(self) -> Information:
        """The information this instance sees (default: the class's ``information``, a
        shorthand resolved by :func:`~jcaco.learners.information.information_of`)."""
        return information_of(self.information)

    def __getattr__(self, name: str) -> Any:
        # Called only where an attribute is missing: the defaults of last_ and converged_.
        if name in ("last_", "converged_"):
            acted = self.__dict__.get("_acted")
            if acted is None:
                raise AttributeError(
                    f"{type(self).__name__}.{name} is not set yet: call reset() and act() first"
                )
            if name == "last_":
                return acted
            return np.zeros(np.shape(acted.ap)[:1], dtype=bool)  # [S]: never converged
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def reset(self, setup: Setup, rng: RandomSource) -> None:
        """Create the state for a batch of games (leading seed axis) from ``setup``."""
        raise NotImplementedError

    def act(self, view: View) -> Profile:
        """Return every user's action for this slot, shape ``(S, N)`` each."""
        raise NotImplementedError

    def observe(self, profile: Profile, feedback: Feedback) -> None:
        """Take the outcome of the slot (default: nothing to learn)."""

    def recommendation(self) -> Profile:
        """The profile the learner recommends now (default: its last action)."""
        return self.last_.copy()

    @property
    def converged(self) -> BoolArray:
        """Per seed: whether the learner considers itself converged (shape ``(S,)``)."""
        return np.asarray(self.converged_, dtype=bool)

    # -- scikit-learn style parameter introspection -------------------------------------
    @classmethod
    def param_names(cls) -> list[str]:
        """Names of the hyperparameters (the named arguments of ``__init__``; none for a
        learner without its own ``__init__``)."""
        if cls.__init__ is object.__init__:
            return []
        sig = inspect.signature(cls.__init__)
        variadic = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
        return [n for n, p in sig.parameters.items() if n != "self" and p.kind not in variadic]

    def get_params(self) -> dict[str, Any]:
        """Hyperparameters as a dict."""
        return {p: getattr(self, p) for p in self.param_names()}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    if TYPE_CHECKING:  # set by the learner, else the defaults of __getattr__
        last_: Profile
        converged_: BoolArray


def check_choice(learner: Learner, *names_and_allowed: tuple[str, Sequence[str]]) -> None:
    """Raise ``ValueError`` naming the option and its allowed values unless every option
    ``name`` of ``learner`` is one of its ``allowed`` values (checked in ``reset``)."""
    for name, allowed in names_and_allowed:
        value = getattr(learner, name)
        if value not in allowed:
            raise ValueError(f"{name}: got {value!r}; allowed: {', '.join(allowed)}")


def uniform_choice(allowed: BoolArray, rng: RandomSource) -> IntArray:
    """Draw one allowed resource uniformly per user: ``allowed`` is ``(..., N, R)``.

    The ``floor(u * count)``-th allowed resource (0-based, in index order) of one uniform u per
    row; 0 where none is allowed. With numba the rows run in one compiled call after the draw
    (:mod:`jcaco.learners._sample_numba`, the same numbers).
    """
    count = allowed.sum(axis=-1)
    draw = rng.random(count.shape)
    compiled = kernels.load("jcaco.learners._sample_numba")
    if compiled is not None and allowed.dtype == np.bool_ and allowed.ndim >= 1:
        rows = np.ascontiguousarray(allowed).reshape(-1, allowed.shape[-1])
        return compiled.uniform_choice_kernel(rows, draw.reshape(-1)).reshape(count.shape)
    target = np.floor(draw * count).astype(np.int64)
    # index of the target-th allowed resource
    rank = np.cumsum(allowed, axis=-1) - 1
    return np.argmax((rank == target[..., None]) & allowed, axis=-1).astype(np.int64)


#: Rows per block in :func:`sample_from`: the block's running sums (R x 8192 floats) stay in
#: the CPU cache instead of streaming an R x N temporary through memory.
SAMPLE_BLOCK_ROWS = 8192


def _sample_block(probs: FloatArray, draw: FloatArray) -> IntArray:
    """Inverse-CDF indices of one block of rows, given ``draw = 1 - U`` per row."""
    num = probs.shape[-1]
    # [resources, ..., rows]: running sums, column by column
    cdf = np.empty((num, *probs.shape[:-1]))
    cdf[0] = probs[..., 0]
    for r in range(1, num):
        np.add(cdf[r - 1], probs[..., r], out=cdf[r])
    below = np.less(cdf, draw * cdf[-1])  # u = (1 - U) * total, in (0, total]
    if num < 256:  # a byte count is enough and much faster to sum
        count = below.view(np.uint8).sum(axis=0, dtype=np.uint8)
    else:
        count = below.sum(axis=0)
    return np.minimum(count, num - 1).astype(np.int64)


def inverse_cdf(probs: FloatArray, uniform: FloatArray) -> IntArray:
    """One index per row of ``probs`` (``(rows, R)``) from one given uniform draw in [0, 1) per
    row (``(rows,)``), by the rule of :func:`sample_from` (never an index of probability 0)."""
    return _sample_block(probs, 1.0 - uniform)


def sample_from(probs: FloatArray, rng: RandomSource) -> IntArray:
    """Draw one index per row of ``probs`` (``(..., R)``, rows on the simplex).

    Inverse CDF: with ``c`` the running sums of a row and ``u = (1 - U) c_{R-1}`` for one
    uniform draw ``U`` per row, the index is the number of ``c_r < u`` (at most R - 1), so an
    index with zero probability is never drawn. All draws are taken in one call, shape
    ``(..., 1)``, as the straightforward ``np.cumsum`` form does. The running sums are built one
    resource at a time (the same sequential additions as ``np.cumsum``, so the same bits), in
    blocks of :data:`SAMPLE_BLOCK_ROWS` rows; this is several times faster than ``np.cumsum``
    over a short last axis, and fastest when ``probs`` is a resource-major view (as MASL keeps
    its strategies). With numba (:mod:`jcaco.kernels`) a ``(S, N, R)`` batch is sampled by a
    compiled kernel doing the same operations.
    """
    draw = 1.0 - rng.random(probs.shape[:-1] + (1,))[..., 0]  # [..., rows]
    compiled = kernels.load("jcaco.learners._sample_numba") if probs.ndim == 3 else None
    if compiled is not None:  # one pass per row, same operations (jcaco.kernels)
        out = np.empty(probs.shape[:-1], dtype=np.int64)
        compiled.sample_kernel(probs, draw, out)
        return out
    if probs.ndim < 2 or probs.shape[-2] <= SAMPLE_BLOCK_ROWS:
        return _sample_block(probs, draw)
    out = np.empty(probs.shape[:-1], dtype=np.int64)
    for start in range(0, probs.shape[-2], SAMPLE_BLOCK_ROWS):
        block = slice(start, start + SAMPLE_BLOCK_ROWS)
        out[..., block] = _sample_block(probs[..., block, :], draw[..., block])
    return out
