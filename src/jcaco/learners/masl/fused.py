"""MASL on the static game as one fused pass per iteration.

The slot loop (:func:`jcaco.sim.loop.run_loop`) keeps act, score and observe apart, as the
learner protocol requires (docs/extending.md); each is a few passes over the users, so an
iteration reads and writes the strategies and the time matrices several times. On the static
stochastic game nothing else happens in a slot, and MASL's whole iteration is: draw a(t) (1),
sample an AP and a server per user (O8; with ``sampling="active"`` an inactive user keeps
its last action), sum the loads its rewards read (the expected (27), (28) or, with
``reward_signal="measured"``, the realised (8), (11)), and update each active user by L_R-I
(34)–(39) with the O10 test. :func:`run_fused`
does exactly that in one compiled sweep over the users per seed and slot
(:mod:`jcaco.learners.masl._fused_numba`: slot t's update and slot t+1's sampling and loads,
a block of users at a time), drawing the same random numbers from the same streams in the same
order, and leaves the :class:`MASL` learner in the state the loop would
have left it in: the same strategies, to the bit (``tests/test_masl_fused.py`` runs both).

:func:`fused_applies` says when this is allowed: a :class:`MASL` learner whose options are
among :data:`SUPPORTED` (any learning rates and threshold, either reward signal, either
sampling; the rest at their defaults), with numba available. Otherwise
:func:`jcaco.jobs.solve.solve` runs the protocol path. The streams must be numpy PCG64
generators, as :func:`jcaco.rng.stream` gives them (the kernel draws their numbers itself).
"""

from __future__ import annotations

import inspect
from typing import Any, TypeGuard

import numpy as np

from jcaco import kernels
from jcaco.game.profile import Profile
from jcaco.learners.base import Learner
from jcaco.learners.masl.core import MASL
from jcaco.learners.masl.pcg64 import pcg64_jump, pcg64_state, set_pcg64_state
from jcaco.learners.views import build_setup
from jcaco.model.instance import GameInstance
from jcaco.rng import RandomSource, SeedBatch
from jcaco.types import BoolArray, FloatArray

#: MASL options the fused kernel implements, with the values it supports (None: any).
SUPPORTED: dict[str, tuple[Any, ...] | None] = {
    "learning_rate_ap": None,
    "learning_rate_server": None,
    "reward_signal": ("expected", "measured"),
    "convergence_threshold": None,
    "sampling": ("active", "all"),
    # one constant per seed; "per-user" scales each user's reward
    "normaliser": ("o9", "worst-resource", "start-quantile"),
    "delta": None,
    "scale": None,
}

#: The learner state the fused pass reads and updates (set by ``MASL.reset``).
STATE = ("probs_ap_", "probs_server_", "max_ap_delay_s_", "max_server_delay_s_", "players_")


def fused_applies(learner: Learner) -> TypeGuard[MASL]:
    """Whether :func:`run_fused` reproduces ``learner`` on the static game, bit for bit."""
    if type(learner) is not MASL or kernels.load("jcaco.learners.masl._fused_numba") is None:
        return False
    defaults = {name: p.default for name, p in inspect.signature(MASL.__init__).parameters.items()}
    for name, value in learner.get_params().items():
        allowed = SUPPORTED.get(name, (defaults.get(name),))
        if allowed is not None and value not in allowed:
            return False
    return True


def tile(probs: FloatArray, width: int) -> FloatArray:
    """The strategies ``probs`` (S, N, R) tiled, ``(S, B, R, W)`` with B = ceil(N / W): entry
    ``[s, i // W, r, i % W]`` is ``probs[s, i, r]``; the last block's unused columns are 0."""
    num_seeds, num_users, num = probs.shape
    blocks = -(-num_users // width)
    tiled = np.zeros((num_seeds, blocks, num, width))
    full = num_users // width
    head = probs[:, : full * width].reshape(num_seeds, full, width, num)
    tiled[:, :full] = head.transpose(0, 1, 3, 2)
    if full < blocks:
        tiled[:, full, :, : num_users - full * width] = probs[:, full * width :].transpose(0, 2, 1)
    return tiled


def untile(tiled: FloatArray, num_users: int) -> FloatArray:
    """:func:`tile` undone: the strategies ``(S, N, R)``, a view of a resource-major array."""
    num_seeds, blocks, num, width = tiled.shape
    major = np.empty((num_seeds, num, num_users))  # [S, R, N]
    full = num_users // width
    body = major[:, :, : full * width].reshape(num_seeds, num, full, width)
    body[...] = tiled[:, :full].transpose(0, 2, 1, 3)
    if full < blocks:
        major[:, :, full * width :] = tiled[:, full, :, : num_users - full * width]
    return major.transpose(0, 2, 1)


#: Bytes of strategies and time matrices a slot streams above which the sweep prefetches the
#: next block (320 B per user at 10 APs and 10 servers: 8 MiB is 26,000 users). On the
#: benchmark machine (32 MiB L3) prefetching cost 30 % at 10^4 users (3 MiB, which stays in the
#: cache), about broke even at 3 x 10^4 and saved 20 % at 10^5 (31 MiB); docs/performance.md.
PREFETCH_FROM_BYTES = 8 * 2**20


def _generators(rng: RandomSource) -> list[np.random.Generator]:
    """The generator behind ``rng``, one per seed: row s of a draw comes from the s-th."""
    return [rng] if isinstance(rng, np.random.Generator) else list(rng.generators)


def _check_streams(
    activity: list[np.random.Generator], learner: list[np.random.Generator], num_seeds: int
) -> None:
    """Raise unless the two streams are what the kernel can draw as the slot loop does: the
    same number of generators, 1 or S, each a distinct numpy PCG64 (a generator shared by
    both streams, or by two seeds, interleaves its draws in the loop; the kernel's chains
    would not)."""
    count = len(activity)
    if len(learner) != count or count not in (1, num_seeds):
        raise ValueError(
            f"the fused pass needs 1 or {num_seeds} generators in each stream, "
            f"got {count} (activity) and {len(learner)} (learner)"
        )
    if len({id(generator) for generator in activity + learner}) < 2 * count:
        raise ValueError("the fused pass needs a separate generator for each stream and seed")
    for generator in activity + learner:
        pcg64_state(generator)  # TypeError unless PCG64


def _words(value: int) -> tuple[np.uint64, np.uint64]:
    """A 128-bit integer as its (high, low) uint64 words."""
    return np.uint64(value >> 64), np.uint64(value & 0xFFFFFFFFFFFFFFFF)


def _from_words(words: np.ndarray) -> int:
    """:func:`_words` undone."""
    return (int(words[0]) << 64) | int(words[1])


def _map_words(mult: int, plus: int) -> tuple[np.uint64, ...]:
    """An affine map ``x -> mult x + plus (mod 2^128)`` as four uint64 words."""
    return (*_words(mult), *_words(plus))


def pcg64_chains(
    activity: list[np.random.Generator],
    learner: list[np.random.Generator],
    shape: tuple[int, int],
    lanes: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The kernel's view of the two streams (``rng`` of
    :func:`jcaco.learners.masl._fused_numba.fused_iteration_kernel`) for draws of ``shape``
    (S, N) from G PCG64 generator pairs: ``chains`` (3, G, 2), the states; ``server_jumps``
    (G, 4), ``lane_jumps`` (2, G, ``lanes``, 4) and ``row_jumps`` (2, G, 4), maps of steps
    ahead.

    A slot draws a(t) (N uniforms per seed) from ``activity``, then the AP samples and then
    the server samples (N each per seed) from ``learner``, as ``rng.random((S, N))`` three
    times: with one generator per seed, from generator s; with one generator for S seeds,
    row after row. So a slot's server draws start N (one generator per seed) or S N (one
    for all) draws after its AP draws (``server_jumps``), and a seed's row is N draws of
    each (``row_jumps``); ``lane_jumps[., g, l]`` is l + 1 steps of each stream
    (:mod:`jcaco.learners.masl._pcg64_numba` deals a row to lanes).

    Raises
    ------
    TypeError
        If a generator is not numpy's PCG64 (the kernel draws PCG64's numbers itself).
    ValueError
        If the two streams have different numbers of generators, or neither 1 nor S, or a
        generator appears twice.
    """
    num_seeds, num_users = shape
    _check_streams(activity, learner, num_seeds)
    count = len(activity)
    chains = np.zeros((3, count, 2), dtype=np.uint64)
    server_jumps = np.zeros((count, 4), dtype=np.uint64)
    lane_jumps = np.zeros((2, count, lanes, 4), dtype=np.uint64)
    row_jumps = np.zeros((2, count, 4), dtype=np.uint64)
    ahead = num_users if count > 1 else num_seeds * num_users
    for g, pair in enumerate(zip(activity, learner, strict=True)):
        for q, generator in enumerate(pair):
            state, inc = pcg64_state(generator)
            chains[q, g] = _words(state)
            row_jumps[q, g] = _map_words(*pcg64_jump(num_users, inc))
            for lane in range(lanes):
                lane_jumps[q, g, lane] = _map_words(*pcg64_jump(lane + 1, inc))
        server_jumps[g] = _map_words(*pcg64_jump(ahead, pcg64_state(pair[1])[1]))
    return chains, server_jumps, lane_jumps, row_jumps


class FusedPass:
    """MASL's state on a static game and its fused iteration (:meth:`step`).

    Slot t's sweep also starts slot t+1 (samples and loads, see
    :mod:`jcaco.learners.masl._fused_numba`), so it draws slot t+1's uniforms. The kernel
    draws them from the generators' PCG64 states (:func:`pcg64_chains`); the generators
    themselves stand still until :meth:`finish` puts them where the slot loop leaves them.

    Parameters
    ----------
    learner : MASL
        Reset here on ``game`` with ``learner_rng``. The pass takes its strategies (tiled,
        :func:`tile`) and hands them back, with its other state, in :meth:`finish`.
    game : GameInstance
        The static game, batched ``(S, ...)``.
    activity_rng, learner_rng : RandomSource
        The ``activity`` stream (drawn as :class:`jcaco.sim.loop.StaticEnvironment` draws
        a(t)) and the ``learner`` stream (drawn as :meth:`MASL.act` draws): numpy PCG64
        generators (:func:`jcaco.rng.stream` gives them), one or one per seed each.
    block : int, optional
        Users per block W of the sweep and of the tiled strategies (any size gives the same
        bits; default ``BLOCK`` of the kernel module).
    """

    def __init__(
        self,
        learner: MASL,
        game: GameInstance,
        activity_rng: RandomSource,
        learner_rng: RandomSource,
        *,
        block: int | None = None,
    ):
        kernel = kernels.load("jcaco.learners.masl._fused_numba")
        if kernel is None:
            raise RuntimeError("the fused MASL pass needs numba (see fused_applies)")
        self.kernel = kernel
        # the activity stream first, then the learner's (AP, then server): the slot's order;
        # the kernel draws them (PCG64) and they are handed back in finish()
        self.generators = (_generators(activity_rng), _generators(learner_rng))
        num_seeds = game.theta.shape[0]
        for source in (activity_rng, learner_rng):  # as SeedBatch.random would refuse
            if isinstance(source, SeedBatch) and len(source) != num_seeds:
                raise ValueError(f"first axis must be the {len(source)} seeds, got {num_seeds}")
        _check_streams(*self.generators, num_seeds)  # before the reset draws from one of them
        learner.reset(build_setup(learner.declares(), game), learner_rng)
        missing = [name for name in STATE if not hasattr(learner, name)]
        if missing:
            raise RuntimeError(f"MASL no longer keeps {missing}; update learners/masl/fused.py")
        self.learner = learner
        self.rng = pcg64_chains(*self.generators, game.theta.shape, kernel.LANES)
        self.saved: np.ndarray | None = None  # the chains before a slot drawn ahead
        # the strategies, tiled (S, B, R, W); the learner has them back from finish() (one
        # copy of them at a time: the learner's go as soon as they are tiled)
        width = kernel.BLOCK if block is None else block
        self.probs_ap = tile(learner.probs_ap_, width)
        del learner.probs_ap_
        self.probs_server = tile(learner.probs_server_, width)
        del learner.probs_server_
        self.theta = np.ascontiguousarray(game.theta, dtype=float)  # [S, N]
        self.players = np.ascontiguousarray(learner.players_, dtype=bool)  # [S, N]
        self.times = (
            np.ascontiguousarray(game.tx_time_s, dtype=float),  # [S, N, M]
            np.ascontiguousarray(game.compute_time_s, dtype=float),  # [S, N, K]
        )
        self.rates = (float(learner.learning_rate_ap), float(learner.learning_rate_server))
        self.max_delay_s = (
            np.ascontiguousarray(learner.max_ap_delay_s_, dtype=float),
            np.ascontiguousarray(learner.max_server_delay_s_, dtype=float),
        )
        self.measured = learner.reward_signal == "measured"
        self.sample_all = learner.sampling == "all"
        # (sample_all, measured, prefetch): prefetching pays once a slot's arrays no longer
        # stay in the cache from one slot to the next
        streamed = self.probs_ap.nbytes + self.probs_server.nbytes
        streamed += sum(array.nbytes for array in self.times)
        self.flags = (self.sample_all, self.measured, streamed > PREFETCH_FROM_BYTES)
        self.converged = np.zeros(self.theta.shape[0], dtype=bool)
        # buffers reused every slot: the actions of two slots (buffer ``self.sampled`` holds
        # the slot to be updated next; the other the one before, which an inactive user
        # keeps), who updates, the loads
        # (indices in the narrowest integers that hold them: less memory to stream)
        num = max(game.num_aps, game.num_servers)
        self.index_dtype = np.uint16 if num <= np.iinfo(np.uint16).max else np.uint32
        self.ap = np.empty((2, *self.theta.shape), dtype=self.index_dtype)
        self.server = np.empty((2, *self.theta.shape), dtype=self.index_dtype)
        self.ap[1] = learner.last_.ap
        self.server[1] = learner.last_.server
        self.sampled = 1  # slot 0: the learner's own actions
        self.update = np.empty(self.theta.shape, dtype=bool)
        self.loads = np.zeros((self.theta.shape[0], 2, num))  # the rewards' (AP, server)
        # what the kernels read of the game (the strategies: read and written in place)
        self.game = (self.probs_ap, self.probs_server, self.times, self.theta, self.players)
        self.slots = 0
        self.finished = False

    def _start(self) -> None:
        """The first slot's samples and loads (its own sweep)."""
        self.kernel.prime_kernel(
            self.game,
            self.rng,
            self.flags,
            self.ap[1],
            self.server[1],
            self.ap[0],
            self.server[0],
            self.update,
            self.loads,
        )
        self.sampled = 0

    def step(self) -> None:
        """One iteration: a(t), both samples, the loads, the rewards and L_R-I (fused)."""
        if self.finished:
            raise RuntimeError("this fused pass has finished; start a new one")
        if self.slots == 0:
            self._start()
        self.saved = self.rng[0].copy()  # the kernel draws slot t+1's uniforms ahead
        now, ahead = self.sampled, 1 - self.sampled
        self.kernel.fused_iteration_kernel(
            self.game,
            self.rng,
            self.flags,
            self.ap[now],
            self.server[now],
            self.ap[ahead],
            self.server[ahead],
            self.update,
            self.loads,
            self.rates,
            self.max_delay_s,
            float(self.learner.convergence_threshold),
            self.converged,
        )
        self.sampled = ahead
        self.slots += 1

    def finish(self) -> Profile:
        """Put the generators where the slot loop leaves them (before the slot drawn ahead);
        hand the strategies (in MASL's layout), the last slot's actions and the convergence
        flags to the learner; return its recommendation. The pass ends here."""
        if self.finished:
            raise RuntimeError("this fused pass has finished already")
        self.finished = True
        if self.saved is not None:  # chains 0 and 1: the activity and learner streams
            for q, generators in enumerate(self.generators):
                for g, generator in enumerate(generators):
                    set_pcg64_state(generator, _from_words(self.saved[q, g]))
            self.saved = None
        num_users = self.theta.shape[1]
        released = np.empty((0, 0, 0, 0))  # (one copy of the strategies at a time)
        self.learner.probs_ap_ = untile(self.probs_ap, num_users)
        self.probs_ap = released
        self.learner.probs_server_ = untile(self.probs_server, num_users)
        self.probs_server = released
        self.game = (released, released, *self.game[2:])
        if self.slots:  # the last slot's actions (else the learner's own)
            last = 1 - self.sampled
            dtype = self.learner.last_.ap.dtype  # the learner's own index type
            self.learner.last_ = Profile(
                self.ap[last].astype(dtype), self.server[last].astype(dtype)
            )
        self.learner.converged_ = self.converged.copy()
        return self.learner.recommendation()


def run_fused(
    learner: MASL,
    game: GameInstance,
    activity_rng: RandomSource,
    learner_rng: RandomSource,
    num_slots: int,
    *,
    stop_when_converged: bool = False,
    block: int | None = None,
) -> tuple[int, BoolArray, Profile]:
    """Run MASL on the static game ``game`` (batched) as ``run_loop`` would, fused; ``block``
    is :class:`FusedPass`'s (the result does not depend on it).

    Returns
    -------
    slots : int
        Slots run.
    converged : ndarray of bool, shape (S,)
    recommendation : Profile
        ``learner.recommendation()`` after the last slot.
    """
    fused = FusedPass(learner, game, activity_rng, learner_rng, block=block)
    slots = 0
    while slots < num_slots:
        slots += 1
        fused.step()
        if stop_when_converged and bool(fused.converged.all()):
            break
    recommendation = fused.finish()
    return slots, learner.converged, recommendation


__all__ = [
    "fused_applies",
    "run_fused",
    "FusedPass",
    "SUPPORTED",
    "pcg64_chains",
    "tile",
    "untile",
]
