"""Build a :class:`GameInstance` from a network, and convert instances to and from files."""

from __future__ import annotations

import warnings
from typing import Any, Literal

import numpy as np

from jcaco.errors import InfeasibleError, InputError
from jcaco.model.channel import distances_m, rates_bps, rayleigh_power_gain, tx_times_s
from jcaco.model.instance import GameInstance
from jcaco.model.schema import InstanceModel
from jcaco.model.service import compute_times_s, optimal_steps
from jcaco.scenario.limits import check_memory, game_bytes
from jcaco.scenario.network import Network, quantise_theta
from jcaco.types import FloatArray, IntArray

FadingMode = Literal["mean", "sample"]


def network_steps(net: Network) -> IntArray:
    """Optimal steps s*_{i,k} (37) of every user on every server within its step range
    (0: infeasible, e.g. a limit below the server's quality floor)."""
    return optimal_steps(
        net.scale,
        net.fitness,
        net.max_error,
        net.aec_form,
        net.step_limit,
        floor=net.error_floor,
        min_steps=net.min_steps,
    )


def infeasible_users(net: Network, steps: IntArray | None = None) -> IntArray:
    """Indices of users that no server can serve within its step range and above its floor
    (from ``steps`` = :func:`network_steps` of ``net`` when the caller has them)."""
    steps = network_steps(net) if steps is None else steps
    return np.flatnonzero((steps == 0).all(axis=1))


def _describe_infeasible(net: Network, user: int) -> str:
    need = optimal_steps(
        net.scale,
        net.fitness[user : user + 1],
        net.max_error[user : user + 1],
        net.aec_form,
        10**12,
        floor=net.error_floor,
        min_steps=net.min_steps,
    )[0]
    floors = np.zeros(net.num_servers) if net.error_floor is None else net.error_floor
    if (net.max_error[user] <= floors).all():  # below the quality floor of every server
        return (
            f"{net.max_error[user]:g} lies below the quality floor of every server (the lowest "
            f"is {float(np.min(floors)):g}); allowed: a max_error above a server's "
            "error_floor, or --drop-infeasible"
        )
    if (need == 0).all():  # the servers whose floor is below it need over 10**12 steps
        needs = "none reaches it within 10^12 steps"
    else:
        need = np.where(need == 0, np.iinfo(np.int64).max, need)
        best = int(np.argmin(need))
        needs = f"the best, server {best}, needs {int(need[best])} steps"
    return (
        f"{net.max_error[user]:g} cannot be met by any server within its step range ({needs}; "
        f"aec.max_steps={net.max_steps}); allowed: a larger max_error or max_steps, or "
        "--drop-infeasible"
    )


def check_feasible(
    net: Network, drop_infeasible: bool = False, *, steps: IntArray | None = None
) -> tuple[Network, IntArray]:
    """Raise :class:`InfeasibleError` for a user no server can serve, or drop it with a warning.

    Returns the (possibly reduced) network and the indices of the dropped users. ``steps``:
    :func:`network_steps` of ``net``, if the caller has them (they are not computed twice).
    """
    bad = infeasible_users(net, steps)
    if bad.size == 0:
        return net, bad
    if not drop_infeasible:
        raise InfeasibleError(
            _describe_infeasible(net, int(bad[0])), field=f"users[{bad[0]}].max_error"
        )
    warnings.warn(f"dropping {bad.size} user(s) no server can serve: {bad.tolist()}", stacklevel=2)
    keep = np.setdiff1d(np.arange(net.num_users), bad)
    return net.with_users(keep), bad


def build_instance(
    net: Network,
    fading: FadingMode = "mean",
    rng: np.random.Generator | None = None,
    *,
    user_xy_m: FloatArray | None = None,
    fading_gain: FloatArray | None = None,
    steps: IntArray | None = None,
) -> GameInstance:
    """The JCACO game of a network: θ (1), T (6)–(7), s* (37), C (10).

    Parameters
    ----------
    net : Network
        The physical network (every user must have a feasible server; see
        :func:`check_feasible`).
    fading : {"mean", "sample"}
        ``mean`` sets the Rayleigh power gain to its mean g = 1 (deterministic); ``sample``
        draws g ~ Exp(1) from ``rng``.
    rng : numpy.random.Generator, optional
        Required for ``fading="sample"``.
    user_xy_m : ndarray, shape (..., num_users, 2), optional
        Positions overriding the network's (mobility); may carry batch axes.
    fading_gain : ndarray, shape (..., num_users, num_aps), optional
        Explicit power gains (overrides ``fading``).
    steps : ndarray of int, shape (num_users, num_servers), optional
        :func:`network_steps` of ``net``, if the caller has them (0.3 s at 10^6 users).
    """
    xy = net.user_xy_m if user_xy_m is None else user_xy_m
    seeds = int(np.prod(xy.shape[:-2])) if xy.ndim > 2 else 1
    if fading_gain is not None:
        seeds = max(seeds, int(np.prod(np.shape(fading_gain)[:-2])))
    n, m, k = net.num_users, net.num_aps, net.num_servers
    check_memory(game_bytes(n, m, k, seeds), f"a game of {n} users x {m} APs x {k} servers")
    # [..., users, aps]
    dist = distances_m(xy, net.ap_xy_m, net.min_distance_m)
    if fading_gain is not None:
        gain: FloatArray | float = fading_gain
    elif fading == "sample":
        if rng is None:
            raise ValueError("fading='sample' needs an rng")
        gain = rayleigh_power_gain(rng, dist.shape)
    else:
        gain = 1.0
    rate = rates_bps(
        dist,
        net.bandwidth_hz,
        gain,
        tx_power_w=net.tx_power_w,
        noise_dbm_per_hz=net.noise_dbm_per_hz,
        path_loss_exponent=net.path_loss_exponent,
    )
    steps = network_steps(net) if steps is None else steps  # [users, servers]
    batch = dist.shape[:-2]
    theta = quantise_theta(net.theta, net.activity_quantum)
    return GameInstance(
        theta=np.broadcast_to(theta, (*batch, net.num_users)).copy(),
        tx_time_s=tx_times_s(np.broadcast_to(net.content_bits, (*batch, net.num_users)), rate),
        compute_time_s=np.broadcast_to(
            compute_times_s(steps, net.flops_per_step, net.capacity_flops, net.fixed_time_s),
            (*batch, *steps.shape),
        ).copy(),
        steps=np.broadcast_to(steps, (*batch, *steps.shape)).copy(),
        distance_m=dist,
        capacity_flops=np.broadcast_to(net.capacity_flops, (*batch, net.num_servers)).copy(),
        meta={"fading": "given" if fading_gain is not None else fading},
    )


def instance_from_model(model: InstanceModel) -> GameInstance:
    """A :class:`GameInstance` from a validated ``jcaco.instance/1`` file."""
    steps = np.array([[0 if s is None else s for s in row] for row in model.steps], dtype=np.int64)
    compute = np.array(
        [[np.inf if c is None else c for c in row] for row in model.compute_time_s], dtype=float
    )
    meta = dict(model.meta)
    n, m, k = len(model.activity), len(model.tx_time_s[0]), steps.shape[1]
    return GameInstance(
        theta=np.array(model.activity, dtype=float),
        tx_time_s=np.array(model.tx_time_s, dtype=float),
        compute_time_s=compute,
        steps=steps,
        distance_m=meta_array(meta, "distance_m", (n, m), "distances [m] > 0"),
        capacity_flops=meta_array(meta, "capacity_flops", (k,), "capacities [FLOP/s] > 0"),
        meta=meta,
    )


def meta_array(
    meta: dict[str, Any], name: str, shape: tuple[int, ...], what: str
) -> FloatArray | None:
    """``meta[name]`` as an array of ``shape`` with finite positive entries (None if absent).

    Raises
    ------
    InputError
        Naming ``meta.<name>`` when it is not such an array.
    """
    value = meta.get(name)
    if value is None:
        return None
    allowed = f"allowed: {' x '.join(map(str, shape))} finite {what}"
    try:
        array = np.array(value, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise InputError(f"must be numbers; {allowed}", field=f"meta.{name}") from None
    if array.shape != shape or not (np.isfinite(array).all() and (array > 0).all()):
        raise InputError(
            f"got shape {array.shape} or a value out of range; {allowed}", field=f"meta.{name}"
        )
    return array


def instance_to_dict(instance: GameInstance, meta: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ``jcaco.instance/1`` document of a single instance (geometry kept in ``meta``)."""
    out_meta: dict[str, Any] = {k: v for k, v in instance.meta.items() if k != "batch"}
    if instance.distance_m is not None:
        out_meta["distance_m"] = np.asarray(instance.distance_m).tolist()
    if instance.capacity_flops is not None:
        out_meta["capacity_flops"] = np.asarray(instance.capacity_flops).tolist()
    out_meta.update(meta or {})
    feasible = instance.feasible
    return {
        "schema": "jcaco.instance/1",
        "activity": instance.theta.tolist(),
        "tx_time_s": instance.tx_time_s.tolist(),
        "steps": [
            [int(s) if ok else None for s, ok in zip(row, frow, strict=True)]
            for row, frow in zip(instance.steps, feasible, strict=True)
        ],
        "compute_time_s": [
            [float(c) if ok else None for c, ok in zip(row, frow, strict=True)]
            for row, frow in zip(instance.compute_time_s, feasible, strict=True)
        ],
        "meta": out_meta,
    }
