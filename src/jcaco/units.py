"""Unit conversions, named so that every call site says what it converts (docs/model.md §7)."""

from __future__ import annotations

import numpy as np

from jcaco.types import FloatArray

#: Bytes in one megabyte under the decimal convention (docs/model.md O14).
BYTES_PER_MB = 1_000_000
#: Bits in one byte.
BITS_PER_BYTE = 8


def dbm_to_w(power_dbm: float | FloatArray) -> float | FloatArray:
    """Convert a power in dBm to watts: ``10 ** ((dBm - 30) / 10)``.

    >>> round(float(dbm_to_w(23.0)), 4)
    0.1995
    """
    return 10.0 ** ((np.asarray(power_dbm, dtype=float) - 30.0) / 10.0)


def w_to_dbm(power_w: float | FloatArray) -> float | FloatArray:
    """Convert a power in watts to dBm.

    >>> round(float(w_to_dbm(0.2)), 2)
    23.01
    """
    return 10.0 * np.log10(np.asarray(power_w, dtype=float)) + 30.0


def dbm_per_hz_to_w_per_hz(psd_dbm_per_hz: float) -> float:
    """Convert a noise power spectral density in dBm/Hz to W/Hz.

    >>> f"{dbm_per_hz_to_w_per_hz(-174.0):.3e}"
    '3.981e-21'
    """
    return float(10.0 ** ((psd_dbm_per_hz - 30.0) / 10.0))


def mb_to_bits(size_mb: float | FloatArray) -> float | FloatArray:
    """Convert megabytes (decimal, 1 MB = 10**6 B) to bits.

    >>> float(mb_to_bits(2.0))
    16000000.0
    """
    return np.asarray(size_mb, dtype=float) * BYTES_PER_MB * BITS_PER_BYTE + 0.0


def bytes_to_bits(size_bytes: float | FloatArray) -> float | FloatArray:
    """Convert bytes to bits."""
    return np.asarray(size_bytes, dtype=float) * BITS_PER_BYTE + 0.0
