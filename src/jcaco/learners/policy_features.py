"""The RL-ready observation: one flat float32 vector and an int8 action mask per user.

Shared by the PettingZoo environment's ``observation="rl"`` (:mod:`jcaco.env`) and the
``policy`` learner (:mod:`jcaco.learners.policy`), so that a policy trained in the environment
sees the same numbers when it runs in ``jcaco simulate``. Everything is batched ``(S, N, ...)``
and built only from what the agent's :class:`~jcaco.learners.information.Information` allows:
rows of the slot's :class:`~jcaco.learners.views.View`, its own previous action and its own
feedback of the previous slot.

Scaling (every entry finite, of order 1). Times are in units of the user's own time scale
``s_i`` [s] (:func:`time_scale_s`: its fastest AP plus fastest feasible server at set-up) and
compressed as ``log1p(t / s_i)``, clipped to ``[0, CLIP]``, so a load of a thousand users is
about 7. An infeasible server's computation time is ``-1`` (``inf`` in the view); the mask
carries the meaning. The vector, in order:

=========================  ========  ===========================================================
entries                    count     value
=========================  ========  ===========================================================
theta                      1         θ_i
tx_time                    M         ``log1p(T_im / s_i)``, own standalone times (7)
compute_time               K         ``log1p(C_ik / s_i)``, -1 where infeasible (37)
distance                   M         ``d_im / max_m d_im`` at set-up
last_expected_delay        2         ``log1p(. / s_i)``, expected AP and server delay (25)-(28)
last_measured_delay        2         ``log1p(. / s_i)``, realised AP and server load (8), (11)
previous_action            M K       one-hot of its previous (AP, server)
active                     1         activity ``own``/``all``: a_i(t)
num_users                  1         others ``count`` or more: ``log10(N) / 4``
active_share               1         when the view counts active users: active / N
ap_load, server_load       M + K     others ``actions``: each AP's and server's load (27), (28)
                                     at the previous profile, ``log1p(. / s_i)`` (0 at reset)
=========================  ========  ===========================================================

Padding (``pad_to=(M_max, K_max)``): one policy for networks of up to M_max APs and K_max
servers. Every per-AP entry is laid out for M_max APs and every per-server entry for K_max
servers; the entries of APs and servers the network does not have are ``-1`` (finite, the
code of "absent", as for an infeasible server) and ``previous_action`` is a one-hot over the
M_max K_max padded actions ``a = ap * K_max + server``. The mask (:func:`action_masks`) is 0
on every padded action, so a padded action is never chosen.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from jcaco.learners.information import Information
from jcaco.learners.views import Setup, View
from jcaco.types import BoolArray, FloatArray, IntArray

#: Version of the layout above; a saved policy records it and is refused under another.
FEATURES_VERSION = 1
#: Upper bound of every entry (a time of e^32 s_i is beyond any network).
CLIP = 32.0
#: Lower bound: the code of an infeasible server.
INFEASIBLE = -1.0


def feature_names(info: Information, num_aps: int, num_servers: int) -> list[str]:
    """The names of the entries of the vector under ``info`` (its length is the size)."""
    m, k = num_aps, num_servers
    names = ["theta"]
    names += [f"tx_time[{a}]" for a in range(m)]
    names += [f"compute_time[{s}]" for s in range(k)]
    names += [f"distance[{a}]" for a in range(m)]
    names += ["last_expected_ap", "last_expected_server", "last_measured_ap"]
    names += ["last_measured_server"]
    names += [f"previous_action[{a}]" for a in range(m * k)]
    if info.activity != "theta":
        names.append("active")
    if info.at_least("others", "count"):
        names.append("num_users")
    if _counts_active(info):
        names.append("active_share")
    if info.others == "actions":
        names += [f"ap_load[{a}]" for a in range(m)] + [f"server_load[{s}]" for s in range(k)]
    return names


def _counts_active(info: Information) -> bool:
    return info.others == "active-count" or (info.others == "actions" and info.activity == "all")


def time_scale_s(setup: Setup) -> FloatArray:
    """Each user's own time scale ``s_i``: fastest AP plus fastest feasible server at set-up
    (mean fading), shape ``(S, N)`` [s]."""
    fastest_server_s = np.min(setup.compute_time_s, axis=-1, where=setup.feasible, initial=np.inf)
    scale = setup.tx_time_s.min(axis=-1) + fastest_server_s
    return np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)


def distance_scale_m(setup: Setup) -> FloatArray:
    """Each user's farthest AP at set-up, shape ``(S, N)`` [m] (1 without geometry)."""
    if setup.distance_m is None:
        return np.ones(setup.theta.shape)
    return np.maximum(setup.distance_m.max(axis=-1), 1e-9)


def initial_action(setup: Setup) -> IntArray:
    """Each user's action before the first slot: AP 0 and its fastest feasible server,
    ``(S, N)`` codes ``ap * K + server``."""
    return np.argmin(np.where(setup.feasible, setup.compute_time_s, np.inf), axis=-1)


def padded_codes(codes: IntArray, num_servers: int, pad_to: tuple[int, int] | None) -> IntArray:
    """Actions ``ap * K + server`` as codes of the padded layout ``ap * K_max + server``
    (unchanged without ``pad_to``)."""
    if pad_to is None:
        return codes
    return (codes // num_servers) * pad_to[1] + codes % num_servers


def unpadded_codes(
    codes: IntArray, num_servers: int, pad_to: tuple[int, int] | None
) -> tuple[IntArray, IntArray]:
    """(AP, server) of padded action codes (the inverse of :func:`padded_codes`)."""
    width = num_servers if pad_to is None else pad_to[1]
    return codes // width, codes % width


def check_padding(num_aps: int, num_servers: int, pad_to: tuple[int, int] | None) -> None:
    """Raise ``ValueError`` if a network of ``num_aps`` APs and ``num_servers`` servers does not
    fit in ``pad_to = (M_max, K_max)``."""
    if pad_to is not None and (num_aps > pad_to[0] or num_servers > pad_to[1]):
        raise ValueError(
            f"a network of {num_aps} APs and {num_servers} servers does not fit the padding "
            f"to {pad_to[0]} APs and {pad_to[1]} servers"
        )


def _pad(values: np.ndarray, width: int, fill: float) -> np.ndarray:
    """``values`` with its last axis extended to ``width`` entries of ``fill``."""
    extra = width - values.shape[-1]
    if extra <= 0:
        return values
    widths = [(0, 0)] * (values.ndim - 1) + [(0, extra)]
    return np.pad(values, widths, constant_values=fill)


def action_masks(
    feasible: BoolArray,
    num_aps: int,
    active: BoolArray | None,
    held: IntArray | None,
    pad_to: tuple[int, int] | None = None,
) -> npt.NDArray[np.int8]:
    """Each user's action mask, ``(..., N, M K)`` int8.

    Parameters
    ----------
    feasible : ndarray of bool, shape (..., N, K)
        The servers that meet the user's accuracy limit (37); every AP is allowed.
    num_aps : int
        M.
    active : ndarray of bool, shape (..., N), or None
        The slot's a(t); None when unknown to the agents (``activity="theta"``).
    held : ndarray of int, shape (..., N), or None
        Each user's previous action ``ap * K + server``; an inactive user may only hold it
        (None before the first slot: every feasible action).
    pad_to : (int, int), optional
        ``(M_max, K_max)``: the mask of the padded layout, ``(..., N, M_max K_max)``, 0 on
        every action of an AP or server the network lacks (module docstring).
    """
    lead = feasible.shape[:-1]
    k = feasible.shape[-1]
    check_padding(num_aps, k, pad_to)
    allowed = np.broadcast_to(feasible[..., None, :], (*lead, num_aps, k))
    if pad_to is not None:
        allowed = _pad(allowed, pad_to[1], False)
        allowed = np.swapaxes(_pad(np.swapaxes(allowed, -1, -2), pad_to[0], False), -1, -2)
    mask: npt.NDArray[np.int8] = allowed.reshape(*lead, -1).astype(np.int8)
    if active is not None and held is not None:
        idle = ~np.asarray(active, dtype=bool)
        hold = np.zeros_like(mask)
        codes = padded_codes(np.asarray(held), k, pad_to)
        np.put_along_axis(hold, codes[..., None], 1, axis=-1)
        mask = np.where(idle[..., None], hold, mask).astype(np.int8)
    return mask


def _log_time(time_s: FloatArray, scale_s: FloatArray) -> FloatArray:
    """``log1p(t / s)`` clipped to ``[0, CLIP]``; ``scale_s`` broadcasts against ``time_s``."""
    return np.clip(np.log1p(np.maximum(time_s, 0.0) / scale_s), 0.0, CLIP)


def _resource_loads_s(view: View, num_aps: int) -> tuple[FloatArray, FloatArray]:
    """Each AP's and server's load Σ_j w_j T_j over the users on it at the previous profile,
    ``(S, M)`` and ``(S, K)`` [s]; zeros before the first slot."""
    others = view.others
    assert others is not None
    s = others.theta.shape[0]
    k = others.compute_time_s.shape[-1]
    if others.profile is None:
        return np.zeros((s, num_aps)), np.zeros((s, k))
    ap, server = others.profile.ap, others.profile.server
    rows = np.arange(s)[:, None]
    tx = np.take_along_axis(others.tx_time_s, ap[..., None], axis=-1)[..., 0]
    cp = np.take_along_axis(others.compute_time_s, server[..., None], axis=-1)[..., 0]
    ap_load = np.zeros((s, num_aps))
    server_load = np.zeros((s, k))
    np.add.at(ap_load, (np.broadcast_to(rows, ap.shape), ap), others.weight * tx)
    np.add.at(server_load, (np.broadcast_to(rows, server.shape), server), others.weight * cp)
    return ap_load, server_load


def features(
    view: View,
    scale_s: FloatArray,
    distance_scale: FloatArray,
    held: IntArray,
    last_expected_s: FloatArray,
    last_measured_s: FloatArray,
    num_aps: int,
    pad_to: tuple[int, int] | None = None,
) -> npt.NDArray[np.float32]:
    """The observation vectors of every user, ``(S, N, D)`` float32 (the module's table).

    Parameters
    ----------
    view : View
        The slot's view under the agents' information.
    scale_s, distance_scale : ndarray, shape (S, N)
        :func:`time_scale_s` [s] and :func:`distance_scale_m` [m].
    held : ndarray of int, shape (S, N)
        Each user's previous action (:func:`initial_action` before the first slot).
    last_expected_s, last_measured_s : ndarray, shape (S, N, 2)
        Expected and realised (AP, server) delay of its previous action [s] (0 at reset).
    num_aps : int
        M.
    pad_to : (int, int), optional
        ``(M_max, K_max)``: the padded layout (module docstring); D is then the size of
        :func:`feature_names` for M_max and K_max.
    """
    info = view.information
    s, n, m = view.tx_time_s.shape
    k = view.compute_time_s.shape[-1]
    check_padding(m, k, pad_to)
    wide_m, wide_k = (m, k) if pad_to is None else pad_to
    scale = scale_s[..., None]
    compute = view.compute_time_s
    columns: list[FloatArray] = [
        view.theta[..., None],
        _log_time(view.tx_time_s, scale),
        np.where(
            np.isfinite(compute),
            _log_time(np.where(np.isfinite(compute), compute, 0), scale),
            INFEASIBLE,
        ),
        np.zeros((s, n, m))
        if view.distance_m is None
        else view.distance_m / distance_scale[..., None],
        _log_time(last_expected_s, scale),
        _log_time(last_measured_s, scale),
        np.eye(wide_m * wide_k)[padded_codes(held, k, pad_to)],
    ]
    if info.activity != "theta":
        assert view.active is not None
        columns.append(view.active[..., None].astype(float))
    if info.at_least("others", "count"):
        assert view.num_users is not None
        columns.append(np.full((s, n, 1), np.log10(max(view.num_users, 1)) / 4.0))
    if _counts_active(info):
        assert view.num_active is not None
        share = view.num_active / max(n, 1)
        columns.append(np.broadcast_to(share[:, None, None], (s, n, 1)))
    if info.others == "actions":
        ap_load, server_load = _resource_loads_s(view, num_aps)
        columns.append(_log_time(ap_load[:, None, :], scale))
        columns.append(_log_time(server_load[:, None, :], scale))
    if pad_to is not None:  # per-AP and per-server blocks widened with "absent"
        wide = {1: wide_m, 2: wide_k, 3: wide_m}
        if info.others == "actions":
            wide.update({len(columns) - 2: wide_m, len(columns) - 1: wide_k})
        columns = [
            _pad(np.broadcast_to(c, (s, n, c.shape[-1])), wide[i], INFEASIBLE) if i in wide else c
            for i, c in enumerate(columns)
        ]
    out = np.concatenate([np.broadcast_to(c, (s, n, c.shape[-1])) for c in columns], axis=-1)
    return np.clip(out, INFEASIBLE, CLIP).astype(np.float32)


__all__ = [
    "CLIP",
    "FEATURES_VERSION",
    "INFEASIBLE",
    "action_masks",
    "check_padding",
    "distance_scale_m",
    "feature_names",
    "features",
    "initial_action",
    "padded_codes",
    "time_scale_s",
    "unpadded_codes",
]
