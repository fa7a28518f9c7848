"""Time-slot dynamics as pure transitions: activity (1), Rayleigh fading (6), mobility (O3).

Each transition is ``(state, config, rng) -> new state`` on a :class:`DynamicState` batched
over seeds (leading axis ``S``), and draws only from its own named stream (``activity``,
``fading``, ``mobility``; docs/architecture.md) through a :class:`jcaco.rng.SeedBatch`, so that

* a batch of seeds draws exactly what each seed draws alone (row ``s`` comes from seed ``s``'s
  generator), and
* every algorithm run with the same seeds sees the same draws (common random numbers): no
  transition reads the learners' actions.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from jcaco import kernels
from jcaco.rng import RandomSource, SeedBatch
from jcaco.types import BoolArray, FloatArray


@dataclass(frozen=True)
class DynamicsConfig:
    """Which dynamics run between slots.

    Attributes
    ----------
    activity : bool
        Redraw a(t) ~ Bernoulli(θ) every slot, eq. (1); ``False``: every user with θ > 0 is
        active in every slot.
    fading : {"rayleigh", "mean"}
        Redraw the Rayleigh power gains g ~ Exp(1) every slot (6), or keep g = 1 (their mean).
    mobility : bool
        Random walk of the users (docs/model.md O3).
    step_radius_m : float
        Each slot a user moves by a displacement uniform in a disc of this radius [m],
        reflected at the borders of the square area.
    """

    activity: bool = True
    fading: Literal["rayleigh", "mean"] = "rayleigh"
    mobility: bool = True
    step_radius_m: float = 5.0

    def __post_init__(self) -> None:
        if self.fading not in ("rayleigh", "mean"):
            raise ValueError(f"fading must be 'rayleigh' or 'mean', got {self.fading!r}")
        if not (self.step_radius_m >= 0 and np.isfinite(self.step_radius_m)):
            raise ValueError(f"step_radius_m must be finite and >= 0, got {self.step_radius_m!r}")

    @property
    def static(self) -> bool:
        """True when the slot's game never changes (mean fading and no mobility)."""
        return self.fading == "mean" and not self.mobility


#: No dynamics except the activity draws: the static stochastic game of ``jcaco solve``.
STATIC = DynamicsConfig(activity=True, fading="mean", mobility=False)


@dataclass(frozen=True)
class DynamicState:
    """The random state of one slot, batched over seeds.

    Attributes
    ----------
    theta : ndarray, shape (S, N)
        Activity probabilities θ_i (constant over time).
    area_m : ndarray, shape (S,)
        Side of each seed's square area [m] (constant over time).
    active : ndarray of bool, shape (S, N)
        Realised activity a(t), eq. (1).
    fading_gain : ndarray, shape (S, N, M)
        Rayleigh power gains g_{i,m}(t) (all ones at the mean).
    user_xy_m : ndarray, shape (S, N, 2)
        User positions [m].
    """

    theta: FloatArray
    area_m: FloatArray
    active: BoolArray
    fading_gain: FloatArray
    user_xy_m: FloatArray


def initial_state(
    theta: FloatArray, area_m: FloatArray, user_xy_m: FloatArray, num_aps: int
) -> DynamicState:
    """The state before the first slot: every player active, g = 1, the given positions."""
    s, n = theta.shape
    return DynamicState(
        theta=theta,
        area_m=area_m,
        active=theta > 0,
        fading_gain=np.ones((s, n, num_aps)),  # [S, N, M]
        user_xy_m=user_xy_m,
    )


def step_activity(
    state: DynamicState, config: DynamicsConfig, rng: RandomSource | DrawAhead
) -> DynamicState:
    """Redraw a(t): a_i ~ Bernoulli(θ_i) independently per user and slot, eqs. (1)–(3).

    With ``config.activity`` off, every user with θ > 0 is active and nothing is drawn.
    """
    if not config.activity:
        return replace(state, active=state.theta > 0)
    # [S, N]
    return replace(state, active=rng.random(state.theta.shape) < state.theta)


def step_fading(
    state: DynamicState,
    config: DynamicsConfig,
    rng: RandomSource | DrawAhead,
    out: FloatArray | None = None,
) -> DynamicState:
    """Redraw the Rayleigh power gains g ~ Exp(1), i.i.d. per user, AP and slot, eq. (6).

    With ``config.fading == "mean"`` the gains stay at 1 and nothing is drawn. ``out``, a
    C-contiguous float array of the gains' shape, receives the draws (the same numbers)
    instead of a new array.
    """
    if config.fading == "mean":
        return state
    shape = state.fading_gain.shape  # [S, N, M]
    if out is None:
        return replace(state, fading_gain=rng.standard_exponential(shape))
    if isinstance(rng, np.random.Generator):
        rng.standard_exponential(out=out)
    else:
        rng.standard_exponential(shape, out=out)
    return replace(state, fading_gain=out)


def reflect(x: FloatArray, side: FloatArray | float) -> FloatArray:
    """Fold coordinates into ``[0, side]`` by reflecting at both borders (a mirror map).

    The map is periodic with period ``2 side`` and the identity on ``[0, side]``, so a step
    of any length is reflected as often as needed: ``-1 -> 1``, ``side + 2 -> side - 2``.

    Parameters
    ----------
    x : ndarray
        Coordinates [m].
    side : float or ndarray broadcastable to ``x``
        Side of the square area [m] (> 0).
    """
    period = 2.0 * np.asarray(side, dtype=float)
    folded = np.mod(x, period)
    return np.where(folded > side, period - folded, folded)


def disc_steps(uniform: FloatArray, radius_m: float) -> FloatArray:
    """Displacements uniform in a disc from uniform [0, 1) pairs (last axis: radius, angle).

    The radius is ``r sqrt(u_0)`` (area-uniform) and the angle ``2π u_1``.
    """
    radius = radius_m * np.sqrt(uniform[..., 0])
    angle = 2.0 * np.pi * uniform[..., 1]
    return np.stack((radius * np.cos(angle), radius * np.sin(angle)), axis=-1)


#: Bytes of one stream's draws made ahead at a time by :class:`DrawAhead` (a few slots' worth
#: at a reproduction's sizes; one slot at a time once a slot's draws are larger).
DRAW_AHEAD_BYTES = 1 << 20


class DrawAhead:
    """One named stream's per-slot draws, made ``slots`` slots at a time: the same numbers.

    Each seed's generator fills its ``slots`` slots' draws in one call (``(slots, *shape)``,
    row by row, in the order it would fill them slot by slot: numpy's ``random`` and
    ``standard_exponential`` fill an array element after element and keep nothing between
    calls), and each slot then takes its ``(S, *shape)`` view. A slot of 30 users in 20 seeds
    then costs one generator call per seed every ``slots`` slots instead of every slot.

    A stream serves one method and one shape (what :func:`step_activity`,
    :func:`step_fading` and :func:`step_mobility` each ask for); asking for another raises
    ``ValueError``. The generators run ahead of the slots by up to ``slots - 1`` slots' draws,
    so they must not be drawn from by anything else.

    Parameters
    ----------
    batch : SeedBatch
        One generator per seed.
    max_bytes : int, optional
        Draws made ahead at most (default :data:`DRAW_AHEAD_BYTES`); at least one slot.
    """

    def __init__(self, batch: SeedBatch, max_bytes: int | None = None):
        self.batch = batch
        self.max_bytes = DRAW_AHEAD_BYTES if max_bytes is None else max_bytes
        self._kind: tuple[str, tuple[int, ...]] | None = None
        self._slots = 1  # slots drawn per call, set by the first draw
        self._buffer: FloatArray | None = None  # [S, slots, *shape]
        self._next = 0  # the next slot of the buffer to hand out

    def _take(self, method: str, shape: tuple[int, ...], out: FloatArray | None) -> FloatArray:
        if self._kind is None:
            shape = tuple(int(n) for n in shape)
            self._kind = (method, shape)
            self._slots = max(1, self.max_bytes // max(8 * int(np.prod(shape)), 1))
        elif self._kind != (method, shape) and self._kind != (method, tuple(map(int, shape))):
            raise ValueError(f"a stream drawn as {self._kind} cannot draw {(method, shape)}")
        slots = self._slots
        if slots == 1:  # one slot at a time: straight into ``out``
            return self.batch._fill(method, shape, out)
        if self._buffer is None or self._next == self._buffer.shape[1]:
            if self._buffer is None:
                self._buffer = np.empty((shape[0], slots, *shape[1:]))
            for g, rows in zip(self.batch.generators, self._buffer, strict=True):
                getattr(g, method)(out=rows)  # [slots, *shape[1:]], slot after slot
            self._next = 0
        view = self._buffer[:, self._next]
        self._next += 1
        if out is None:
            return view
        out[...] = view
        return out

    def random(self, shape: tuple[int, ...], out: FloatArray | None = None) -> FloatArray:
        """This slot's uniform [0, 1) draws (first axis: seeds), into ``out`` if given."""
        return self._take("random", shape, out)

    def standard_exponential(
        self, shape: tuple[int, ...], out: FloatArray | None = None
    ) -> FloatArray:
        """This slot's Exp(1) draws (first axis: seeds), into ``out`` if given."""
        return self._take("standard_exponential", shape, out)


class WalkBuffers:
    """Arrays one step of the random walk works in, made once (:func:`step_mobility`):
    ``uniform`` ``(S, N, 2)``; ``radius``, ``angle``, ``trig`` and ``sine`` ``(S, N)``;
    ``reflect`` ``(S, N, 2)`` bools."""

    def __init__(self, shape: tuple[int, ...]):
        self.uniform = np.empty(shape)  # [S, N, 2]
        self.radius = np.empty(shape[:-1])  # [S, N]
        self.angle = np.empty(shape[:-1])
        self.trig = np.empty(shape[:-1])
        self.sine = np.empty(shape[:-1])  # the compiled step's sines (trig: its cosines)
        self.reflect = np.empty(shape, dtype=bool)  # [S, N, 2]


def _walk_in_place(
    xy_m: FloatArray,
    area_m: FloatArray,
    radius_m: float,
    rng: RandomSource | DrawAhead,
    work: WalkBuffers,
) -> None:
    """:func:`disc_steps` and :func:`reflect` of one walk step, written over ``xy_m``: the
    same operations on the same numbers, so the same positions. With numba the step and the
    fold run in one compiled call (:mod:`jcaco.sim._dynamics_numba`) on numpy's cosines and
    sines."""
    u, radius, angle, trig = work.uniform, work.radius, work.angle, work.trig
    if isinstance(rng, np.random.Generator):
        rng.random(out=u)
    else:
        rng.random(u.shape, out=u)
    np.multiply(2.0 * np.pi, u[..., 1], out=angle)
    compiled = kernels.load("jcaco.sim._dynamics_numba")
    if compiled is not None and xy_m.flags.c_contiguous and xy_m.dtype == np.float64:
        np.cos(angle, out=trig)
        np.sin(angle, out=work.sine)
        side_m = np.ascontiguousarray(area_m, dtype=float)
        if not compiled.walk_kernel(xy_m, u, trig, work.sine, float(radius_m), side_m):
            _fold(xy_m, area_m, work.reflect)
        return
    np.sqrt(u[..., 0], out=radius)
    np.multiply(radius_m, radius, out=radius)
    for k, fn in enumerate((np.cos, np.sin)):
        fn(angle, out=trig)
        np.multiply(radius, trig, out=trig)
        np.add(xy_m[..., k], trig, out=xy_m[..., k])
    _fold(xy_m, area_m, work.reflect)


def _fold(xy_m: FloatArray, area_m: FloatArray, mask: BoolArray) -> None:
    """:func:`reflect` of ``xy_m`` into each seed's square, written over it (``mask``: a
    bool buffer of its shape)."""
    side = area_m[:, None, None]
    period = 2.0 * np.asarray(side, dtype=float)
    shortest = period.min()
    if -shortest < xy_m.min() and xy_m.max() < shortest:
        # np.mod(x, p) for -p < x < p without its division (numpy's npy_divmod): fmod is the
        # identity there, a negative x becomes x + p, and a zero becomes +0.0
        np.less(xy_m, 0.0, out=mask)
        np.add(xy_m, period, out=xy_m, where=mask)
        np.add(xy_m, 0.0, out=xy_m)
    else:
        np.mod(xy_m, period, out=xy_m)
    np.greater(xy_m, side, out=mask)
    np.subtract(period, xy_m, out=xy_m, where=mask)


def step_mobility(
    state: DynamicState,
    config: DynamicsConfig,
    rng: RandomSource | DrawAhead,
    work: WalkBuffers | None = None,
) -> DynamicState:
    """Random walk (docs/model.md O3): a uniform step in a disc, reflected at the area's border.

    With ``config.mobility`` off the users stay put and nothing is drawn. With ``work``
    (:class:`WalkBuffers` of the positions' shape) the step is written over
    ``state.user_xy_m`` without allocating (the same positions).
    """
    if not config.mobility:
        return state
    if work is not None:
        _walk_in_place(state.user_xy_m, state.area_m, config.step_radius_m, rng, work)
        return state
    # [S, N, 2]: per user a radius and an angle draw
    step = disc_steps(rng.random(state.user_xy_m.shape), config.step_radius_m)
    moved = reflect(state.user_xy_m + step, state.area_m[:, None, None])
    return replace(state, user_xy_m=moved)


__all__ = [
    "DynamicsConfig",
    "DynamicState",
    "STATIC",
    "initial_state",
    "step_activity",
    "step_fading",
    "step_mobility",
    "WalkBuffers",
    "DrawAhead",
    "DRAW_AHEAD_BYTES",
    "reflect",
    "disc_steps",
]
