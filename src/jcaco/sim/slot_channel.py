"""One pass over a slot's channel: distances, path gains and both sets of transmission times.

A slot of :class:`jcaco.sim.environment.DynamicEnvironment` needs, from the users' positions
and the fading gains, the realised transmission times (6)–(7) of the slot's game and, for a
learner that declares ``channel="mean"``, the times at the mean fading g = 1 at the same
positions. Both share everything up to the fading: the distances and the path gain
P d^{-α}, the costly power. :class:`SlotChannel` computes that shared part once per change of
positions and finishes each set of times from it, with the same floating-point operations in
the same order as :func:`jcaco.model.channel.rates_bps` and
:func:`jcaco.model.channel.tx_times_s` (the same bits; ``tests/test_slot_channel.py``):

    snr = ((P d^{-α}) g) / (N_0 B),  R = B log2(1 + snr),  T = D / max(R, 1e-300),

where the mean times skip the factor g = 1 (a multiplication by 1.0 is exact).

With ``reuse`` every ``(S, N, M)`` array lives in a buffer made once, so a slot allocates no
such array and the process's memory stays flat over slots; the arrays a slot hands out are
then valid until the next slot is computed.
"""

from __future__ import annotations

import numpy as np

from jcaco.types import FloatArray
from jcaco.units import dbm_per_hz_to_w_per_hz

#: Exponents for which ``array ** exponent`` does not call ``np.power`` (numpy's
#: ``fast_scalar_power``): computed through the operator, so with the same ufunc.
_FAST_POWERS = (-1.0, 0.0, 0.5, 1.0, 2.0)


def power_into(base: FloatArray, exponent: float, out: FloatArray) -> FloatArray:
    """``base ** exponent`` written into ``out``, with the ufunc the operator would use."""
    if float(exponent) in _FAST_POWERS:
        out[...] = base**exponent
        return out
    return np.power(base, exponent, out=out)


def floor_into(x: FloatArray, floor: float, out: FloatArray) -> FloatArray:
    """``np.maximum(x, floor, out=out)`` with ``out`` being ``x``, skipped when no element is
    below ``floor`` (a minimum is a quarter of the cost of ``np.maximum``; a NaN minimum
    fails the test, so NaN propagates as before)."""
    if not x.min() >= floor:
        np.maximum(x, floor, out=out)
    return out


def batched_distances_into(
    user_xy_m: FloatArray,
    ap_xy_m: FloatArray,
    min_distance_m: float,
    out: FloatArray,
    scratch: FloatArray,
) -> FloatArray:
    """User–AP distances of a batch, floored at ``min_distance_m`` (docs/model.md (6)).

    ``user_xy_m`` is ``(S, N, 2)``, ``ap_xy_m`` ``(S, M, 2)``; ``out`` and ``scratch`` are
    ``(S, N, M)`` buffers (``scratch`` is overwritten); returns ``out`` [m].
    """
    np.subtract(user_xy_m[:, :, None, 0], ap_xy_m[:, None, :, 0], out=out)
    np.subtract(user_xy_m[:, :, None, 1], ap_xy_m[:, None, :, 1], out=scratch)
    np.multiply(out, out, out=out)
    np.multiply(scratch, scratch, out=scratch)
    np.add(out, scratch, out=out)
    np.sqrt(out, out=out)
    return floor_into(out, min_distance_m, out)


#: Elements of ``(S, N, M)`` arrays one step of the sweep takes (a block of users whose
#: scratch and results stay in the core's cache between the operations).
BLOCK_ELEMENTS = 65_536


def blocks(num_seeds: int, num_users: int, num_aps: int) -> list[tuple[slice, slice]]:
    """``(seeds, users)`` slices cutting ``(S, N, M)`` arrays into blocks of about
    :data:`BLOCK_ELEMENTS`: several whole seeds at a time when a seed is small, else pieces
    of one seed's users (each block a contiguous piece of memory)."""
    per_seed = num_users * num_aps
    if per_seed <= BLOCK_ELEMENTS:
        step = max(1, BLOCK_ELEMENTS // max(per_seed, 1))
        return [(slice(s, s + step), slice(None)) for s in range(0, num_seeds, step)]
    users = max(1, BLOCK_ELEMENTS // num_aps)
    return [
        (slice(s, s + 1), slice(u, u + users))
        for s in range(num_seeds)
        for u in range(0, num_users, users)
    ]


class SlotChannel:
    """The channel of a batch of networks, slot by slot (docs/model.md (6)–(7)).

    :meth:`sweep` makes a slot's distances (after a move), realised times and, when asked,
    mean-fading times in one pass over the users, block by block (:func:`blocks`): a block's
    distances, path gains and both sets of times are computed while its rows are in the cache.

    Parameters
    ----------
    ap_xy_m : ndarray, shape (S, M, 2)
        AP positions [m].
    bandwidth_hz : ndarray, shape (S, 1, M)
        Each AP's bandwidth B_m [Hz].
    content_bits : ndarray, shape (S, N)
        Each user's content size D_i [bit].
    distance_m : ndarray, shape (S, N, M)
        The distances at the initial positions [m] (never written).
    radio : dict
        ``tx_power_w``, ``noise_dbm_per_hz``, ``path_loss_exponent``, ``min_distance_m``.
    reuse : bool
        Keep every ``(S, N, M)`` result in a buffer made once, valid until the next
        :meth:`sweep`, instead of a new array per slot (the process's memory then stays flat
        over slots).
    """

    def __init__(
        self,
        ap_xy_m: FloatArray,
        bandwidth_hz: FloatArray,
        content_bits: FloatArray,
        distance_m: FloatArray,
        radio: dict[str, float],
        reuse: bool,
    ):
        self.ap_xy_m = ap_xy_m
        self.bandwidth_hz = bandwidth_hz
        self.content_bits = content_bits[..., None]  # [S, N, 1]
        self.noise_w = dbm_per_hz_to_w_per_hz(radio["noise_dbm_per_hz"]) * bandwidth_hz
        self.tx_power_w = radio["tx_power_w"]
        self.exponent = -radio["path_loss_exponent"]
        self.min_distance_m = radio["min_distance_m"]
        self.reuse = reuse
        self.distance_m = distance_m  # [S, N, M]
        self.tx_time_s: FloatArray | None = None  # the last sweep's realised times
        self._mean: tuple[FloatArray, FloatArray] | None = None  # (distances, mean times)
        self._buffers: dict[str, FloatArray] = {}
        s, n, m = distance_m.shape
        self._blocks = blocks(s, n, m)
        self._scratch = np.empty(  # a block's path gains
            max(len(range(s)[a]) * len(range(n)[b]) * m for a, b in self._blocks)
        )

    def _buffer(self, name: str) -> FloatArray:
        """A ``(S, N, M)`` array: the same one every slot with ``reuse``, else a new one."""
        if not self.reuse:
            return np.empty(self.distance_m.shape)
        buf = self._buffers.get(name)
        if buf is None:
            buf = self._buffers[name] = np.empty(self.distance_m.shape)
        return buf

    def _finish(self, snr_out: FloatArray, bandwidth_hz: FloatArray, bits: FloatArray) -> None:
        """Times (7) from the SNR held in ``snr_out``, in place: D / max(B log2(1 + snr), ε)."""
        np.add(1.0, snr_out, out=snr_out)
        np.log2(snr_out, out=snr_out)
        np.multiply(bandwidth_hz, snr_out, out=snr_out)
        floor_into(snr_out, 1e-300, snr_out)
        np.divide(bits, snr_out, out=snr_out)

    def sweep(
        self, user_xy_m: FloatArray | None, fading_gain: FloatArray | None, mean: bool
    ) -> None:
        """One pass over the users for a slot.

        Parameters
        ----------
        user_xy_m : ndarray, shape (S, N, 2), or None
            New positions [m] (None: the users have not moved).
        fading_gain : ndarray, shape (S, N, M), or None
            The slot's fading gains: the realised times go to :attr:`tx_time_s` (None: none).
        mean : bool
            Also the times at the mean fading g = 1 (:meth:`mean_tx_time_s`).
        """
        if user_xy_m is not None:
            self.distance_m = self._buffer("distance")
        distance = self.distance_m
        realised = None if fading_gain is None else self._buffer("realised")
        mean_out = self._buffer("mean") if mean else None
        for seeds, users in self._blocks:
            d = distance[seeds, users]
            gain = self._scratch[: d.size].reshape(d.shape)
            if user_xy_m is not None:
                xy = user_xy_m[seeds, users]
                batched_distances_into(xy, self.ap_xy_m[seeds], self.min_distance_m, d, gain)
            power_into(d, self.exponent, gain)
            np.multiply(self.tx_power_w, gain, out=gain)  # P d^{-α}
            noise, bandwidth, bits = (
                self.noise_w[seeds],
                self.bandwidth_hz[seeds],
                self.content_bits[seeds, users],
            )
            if realised is not None:
                assert fading_gain is not None
                out = realised[seeds, users]
                np.multiply(gain, fading_gain[seeds, users], out=out)
                np.divide(out, noise, out=out)
                self._finish(out, bandwidth, bits)
            if mean_out is not None:
                out = mean_out[seeds, users]
                np.divide(gain, noise, out=out)
                self._finish(out, bandwidth, bits)
        self.tx_time_s = realised
        self._mean = None if mean_out is None else (distance, mean_out)

    def mean_tx_time_s(self, distance_m: FloatArray) -> FloatArray:
        """The times at the mean fading g = 1 and the distances ``distance_m`` (a sweep's
        :attr:`distance_m`), ``(S, N, M)`` [s]: the last sweep's when it made them at those
        distances, else computed now."""
        if self._mean is None or self._mean[0] is not distance_m:
            current, realised = self.distance_m, self.tx_time_s
            self.distance_m = distance_m
            self.sweep(None, None, mean=True)
            self.distance_m, self.tx_time_s = current, realised
        assert self._mean is not None
        return self._mean[1]


__all__ = [
    "BLOCK_ELEMENTS",
    "SlotChannel",
    "batched_distances_into",
    "blocks",
    "floor_into",
    "power_into",
]
