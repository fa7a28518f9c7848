"""MASL's part of a time slot as one compiled call (issue 19, the fused slot).

In the slot loop (:func:`jcaco.sim.loop.run_loop`) a slot of MASL is: the environment's pass
(activity (1), fading (6), mobility (O3), the slot's times (7)); MASL's :meth:`~MASL.act`
(two draws of uniforms and two inverse-CDF samplings (O8), an inactive user keeping its
action); the score (:func:`jcaco.sim.loop.score`: expected (27), (28) and realised (8), (11)
loads and each user's delays); MASL's :meth:`~MASL.observe` (rewards (35), (38), L_R-I (34),
(36), (39), O10). Everything after the environment's pass is a dozen numpy calls per slot
over ``(S, N)`` and ``(S, N, R)`` arrays; :class:`FusedSlot` does it in one compiled call
(:mod:`jcaco.learners.masl._slot_numba`) with the same floating-point operations in the same
order per user, and leaves the learner, the profile and the feedback as the protocol path
would, to the bit (``tests/test_masl_slot.py`` runs both slot by slot).

The channel stays with the environment (numpy: its powers and logarithms are numpy's own,
vectorised, which a compiled loop would not reproduce bit for bit), and so do the random
draws: the slot's uniforms are drawn by the learner's own generators, with the calls
:func:`jcaco.learners.base.sample_from` makes, so any :data:`jcaco.rng.RandomSource` works
and a seed gives the same numbers alone or in a batch. The update needs no transcendental
function (a quotient, a clip, products and sums).

:func:`fused_slot` says when the fused slot is exactly the protocol path: a :class:`MASL`
(not a subclass; no method of the class, or helper it calls, replaced on the instance or on
the class after import) without ``price`` (any learning rates, threshold, reward signal,
sampling and normaliser: a constant per seed or per user), its strategies in MASL's
resource-major layout, with numba (``kernels.use("numpy")`` or ``JCACO_NO_NUMBA`` turn it
off, as ``run_loop(fused=False)`` does). Otherwise the loop runs the protocol path.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import TypeGuard

import numpy as np

from jcaco import kernels
from jcaco.game.profile import Profile
from jcaco.learners.base import Feedback, Learner
from jcaco.learners.information import Information
from jcaco.learners.masl import core as _masl
from jcaco.learners.masl.core import MASL, SAMPLINGS
from jcaco.learners.masl.normalisers import NORMALISERS
from jcaco.model.instance import GameInstance
from jcaco.types import BoolArray, FloatArray

#: What the fused slot reads of a slot besides what the score reads (the slot's realised
#: times): each user's own activity bit. MASL without a price reads no times at all, so the
#: environment need not make the mean-fading ones its declaration (channel "mean") names.
READS = Information("own", "own", "none")


@dataclass(frozen=True)
class SlotOutcome:
    """What one fused slot hands the loop.

    Attributes
    ----------
    profile : Profile
        The slot's actions, ``(S, N)`` (also the learner's ``last_``).
    feedback : Feedback
        What :func:`jcaco.sim.loop.score` returns for the profile (no broadcast counts).
    expected_loads : tuple of ndarray
        The expected AP (27) and server (28) loads of the profile, ``(S, M)``, ``(S, K)``
        [s] (the recorder's).
    """

    profile: Profile
    feedback: Feedback
    expected_loads: tuple[FloatArray, FloatArray]


def _major(probs: FloatArray) -> FloatArray | None:
    """The ``(S, R, N)`` C-ordered array behind MASL's ``(S, N, R)`` strategies, else None."""
    major = probs.transpose(0, 2, 1)
    return major if major.flags.c_contiguous and major.dtype == np.float64 else None


#: The methods and module functions the protocol path of an unpriced MASL slot calls, as
#: imported: one replaced afterwards (``MASL.observe = ...``, a monkeypatch of
#: ``jcaco.learners.masl.core.lri_update``) is not the code the kernel reproduces.
_PROTOCOL = (
    (MASL, "act", MASL.act),
    (MASL, "observe", MASL.observe),
    (MASL, "_sample", MASL._sample),
    (MASL, "declares", MASL.declares),
    (_masl, "sample_from", _masl.sample_from),
    (_masl, "lri_update", _masl.lri_update),
    (_masl, "measured_costs", _masl.measured_costs),
)


def _as_written(learner: Learner) -> TypeGuard[MASL]:
    """Whether ``learner`` is a :class:`MASL` running the class's code as imported: not a
    subclass, no method replaced on the instance or the class, no helper replaced."""
    if type(learner) is not MASL:
        return False
    if any(callable(getattr(MASL, name, None)) for name in vars(learner)):
        return False  # an instance attribute shadows a method (e.g. a patched observe)
    return all(vars(owner).get(name) is original for owner, name, original in _PROTOCOL)


def fused_slot(learner: Learner) -> FusedSlot | None:
    """A :class:`FusedSlot` of ``learner`` (reset) when it is exactly the protocol path (see
    the module), else None."""
    if not _as_written(learner):
        return None
    kernel = kernels.load("jcaco.learners.masl._slot_numba")
    if kernel is None or learner.price:
        return None
    if (
        learner.reward_signal not in ("expected", "measured")
        or learner.sampling not in SAMPLINGS
        or learner.normaliser not in NORMALISERS
    ):
        return None
    probs = getattr(learner, "probs_ap_", None), getattr(learner, "probs_server_", None)
    if any(p is None or p.ndim != 3 or _major(p) is None for p in probs):
        return None
    shape = np.shape(learner.players_)  # (S, N); T̄max is (S, 1) or (S, N), as the kernel reads it
    scales = learner.max_ap_delay_s_, learner.max_server_delay_s_
    if any(np.shape(m) not in ((shape[0], 1), shape) for m in scales):
        return None
    return FusedSlot(learner, kernel)


class FusedSlot:
    """MASL's act, the slot's score and MASL's observe in one compiled call per slot.

    Parameters
    ----------
    learner : MASL
        Reset; its strategies are updated in place and its ``last_``, ``converged_`` set
        each slot, as the protocol path sets them.
    kernel : module
        :mod:`jcaco.learners.masl._slot_numba`.
    """

    information = READS

    def __init__(self, learner: MASL, kernel: ModuleType):
        self.learner = learner
        self.kernel = kernel
        self.players = np.ascontiguousarray(learner.players_, dtype=bool)  # [S, N]
        self.shape = self.players.shape
        max_ap, max_server = (
            np.ascontiguousarray(np.atleast_2d(np.asarray(m, dtype=float)))
            for m in (learner.max_ap_delay_s_, learner.max_server_delay_s_)
        )
        self.settings = (
            max_ap,
            max_server,
            (float(learner.learning_rate_ap), float(learner.learning_rate_server)),
            float(learner.convergence_threshold),
            learner.sampling == "all",
            learner.reward_signal == "measured",
        )

    def step(self, game: GameInstance, active: BoolArray) -> SlotOutcome:
        """One slot of ``game`` (batched) with the realised activity ``active`` (S, N)."""
        learner = self.learner
        rng = learner.rng_
        s, n = self.shape
        # the draws of MASL.act's two sample_from calls, in their order and shape
        uniforms = (rng.random((s, n, 1)).reshape(s, n), rng.random((s, n, 1)).reshape(s, n))
        last = learner.last_
        ap, server = np.empty((s, n), dtype=np.int64), np.empty((s, n), dtype=np.int64)
        delays = np.empty((4, s, n))
        load_ap, load_server = np.empty((2, s, game.num_aps)), np.empty((2, s, game.num_servers))
        converged = np.empty(s, dtype=bool)
        probs_ap, probs_server = _major(learner.probs_ap_), _major(learner.probs_server_)
        assert probs_ap is not None and probs_server is not None  # checked by fused_slot
        self.kernel.masl_slot_kernel(
            (probs_ap, probs_server),
            (last.ap, last.server),
            uniforms,
            (
                np.asarray(active, dtype=bool),
                np.asarray(game.theta, dtype=float),
                self.players,
                game.tx_time_s,
                game.compute_time_s,
            ),
            self.settings,
            ((ap, server), delays, (load_ap, load_server), converged),
        )
        profile = Profile(ap, server)
        learner.last_ = profile
        learner.__dict__["_acted"] = profile  # what Learner's act wrapper keeps
        learner.converged_ = converged
        # the delays in Feedback's order: expected AP, expected server, realised AP, server
        feedback = Feedback(active, *delays)
        return SlotOutcome(profile, feedback, (load_ap[0], load_server[0]))


__all__ = ["READS", "FusedSlot", "SlotOutcome", "fused_slot"]
