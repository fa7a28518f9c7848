"""UE–AP links: Shannon rate with path loss and Rayleigh fading, eqs. (6)–(7)."""

from __future__ import annotations

import numpy as np

from jcaco.types import FloatArray
from jcaco.units import dbm_per_hz_to_w_per_hz


def distances_m(user_xy_m: FloatArray, ap_xy_m: FloatArray, min_distance_m: float) -> FloatArray:
    """User–AP distances d_{i,m} floored at ``min_distance_m`` (docs/model.md (6), O17).

    Parameters
    ----------
    user_xy_m : ndarray, shape (..., num_users, 2)
    ap_xy_m : ndarray, shape (num_aps, 2)

    Returns
    -------
    ndarray, shape (..., num_users, num_aps)
    """
    # [..., users, aps, 2]
    delta = user_xy_m[..., :, None, :] - ap_xy_m[None, :, :]
    return np.maximum(np.sqrt((delta**2).sum(axis=-1)), min_distance_m)


def rayleigh_power_gain(rng: np.random.Generator, shape: tuple[int, ...]) -> FloatArray:
    """Rayleigh fading power gains g ~ Exp(1) (unit mean), i.i.d. per user, AP and slot."""
    return rng.standard_exponential(shape)


def rates_bps(
    distance_m: FloatArray,
    bandwidth_hz: FloatArray,
    fading: FloatArray | float,
    *,
    tx_power_w: float,
    noise_dbm_per_hz: float,
    path_loss_exponent: float,
) -> FloatArray:
    """Standalone rate R_{i,m} = B_m log2(1 + P d^{-α} g / (N_0 B_m)), eq. (6) [bit/s].

    Parameters
    ----------
    distance_m : ndarray, shape (..., num_users, num_aps)
    bandwidth_hz : ndarray, shape (num_aps,)
    fading : ndarray broadcastable to ``distance_m`` or float
        Power gain g (1.0 is the mean of Rayleigh fading).
    """
    noise_w = dbm_per_hz_to_w_per_hz(noise_dbm_per_hz) * bandwidth_hz  # [aps]
    # [..., users, aps]
    snr = tx_power_w * distance_m ** (-path_loss_exponent) * fading / noise_w
    return bandwidth_hz * np.log2(1.0 + snr)


def tx_times_s(content_bits: FloatArray, rate_bps: FloatArray) -> FloatArray:
    """Standalone transmission time T_{i,m} = D_i / R_{i,m}, eq. (7) [s].

    ``content_bits`` has shape ``(..., num_users)``, ``rate_bps`` ``(..., num_users, num_aps)``.
    A zero rate (deep fade) gives ``inf``, which a tiny positive floor on the rate avoids.
    """
    return content_bits[..., None] / np.maximum(rate_bps, 1e-300)
