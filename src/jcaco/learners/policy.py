"""``policy``: run a saved policy, trained in the environment's RL observation (docs/env.md).

A saved policy is two files side by side, data only: ``NAME.npz`` holds the weights of a
multilayer perceptron (``layer_0_weight`` ``(H_1, D)``, ``layer_0_bias`` ``(H_1,)``, ...,
the last layer giving one logit per action ``a = ap * K + server``), read with
``numpy.load(allow_pickle=False)``; ``NAME.json`` (``jcaco.policy/1``) says what the policy was
trained with: the :class:`~jcaco.learners.information.Information` of its observations, the
observation layout (:data:`~jcaco.learners.policy_features.FEATURES_VERSION`, M, K, the entry
names), the activation, the trainer, and a SHA-256 digest over the weights and those fields, so
that a declaration edited after saving is refused. Nothing in either file names code: jcaco
never unpickles or imports anything to run a policy, and runs it with numpy alone (the
trainers are needed only to train: ``pip install 'jcaco[rl]'``, :mod:`jcaco.env.training`).

Each slot every user's observation vector (:func:`~jcaco.learners.policy_features.features`,
from its own rows of the view its declaration allows, its previous action and its own last
feedback) goes through the network; the action is the most likely one among those its mask
allows (``deterministic``) or a draw from the masked softmax with the learner's random stream.
Seeds are evaluated one at a time, so a batch of seeds acts exactly as the seeds alone.

A *padded* policy (sidecar ``observation.padded: true``, trained with
``parallel_env(..., pad_to=(M_max, K_max))``) acts in any network of at most M_max APs and
K_max servers: its observations are padded the same way and the padded actions masked; a
larger network is refused. A deterministic policy reports convergence (``converged_``) in a
slot where no user changed its action: on a static game (``jcaco solve``) its next
observation, and so its next profile, is then the same, a fixed point.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from jcaco.errors import InputError
from jcaco.game.profile import Profile
from jcaco.io.files import atomic_path
from jcaco.learners.base import Feedback, Learner, sample_from
from jcaco.learners.information import NOTHING, Information
from jcaco.learners.policy_features import (
    FEATURES_VERSION,
    action_masks,
    distance_scale_m,
    feature_names,
    features,
    initial_action,
    time_scale_s,
    unpadded_codes,
)
from jcaco.learners.views import Setup, View
from jcaco.rng import RandomSource
from jcaco.types import FloatArray

FORMAT = "jcaco.policy/1"
#: ``policy@PATH``: the ``policy`` learner with ``path=PATH`` as an algorithm name.
POLICY_PREFIX = "policy@"
ACTIVATIONS = ("tanh", "relu")


@dataclass(frozen=True)
class SavedPolicy:
    """A policy read from disk (:func:`load_policy`).

    Attributes
    ----------
    information : Information
        What its observations held when it was trained.
    num_aps, num_servers : int
        M and K of the networks it acts in (its action space is ``Discrete(M K)``); for a
        padded policy the padded sizes M_max and K_max.
    layers : tuple of (weight, bias)
        ``weight`` ``(out, in)``, ``bias`` ``(out,)``, float64; the last gives the logits.
    activation : str
        Between layers: ``tanh`` or ``relu``.
    trainer : dict
        What trained it (free-form, reported only).
    padded : bool
        Whether it acts in any network of at most ``num_aps`` APs and ``num_servers``
        servers (padded observations and actions) rather than exactly those.
    """

    information: Information
    num_aps: int
    num_servers: int
    layers: tuple[tuple[FloatArray, FloatArray], ...]
    activation: str
    trainer: dict[str, Any]
    padded: bool = False

    @property
    def pad_to(self) -> tuple[int, int] | None:
        """``(M_max, K_max)`` of a padded policy, else None."""
        return (self.num_aps, self.num_servers) if self.padded else None

    def logits(self, x: FloatArray) -> FloatArray:
        """The network's output for rows ``x`` ``(R, D)``: ``(R, M K)``."""
        h = np.asarray(x, dtype=np.float64)
        for index, (weight, bias) in enumerate(self.layers):
            h = h @ weight.T + bias
            if index < len(self.layers) - 1:
                h = np.tanh(h) if self.activation == "tanh" else np.maximum(h, 0.0)
        return h


def sidecar_of(path: str | Path) -> Path:
    """The JSON beside the weights ``path`` (``policy.npz`` -> ``policy.json``)."""
    return Path(path).with_suffix(".json")


def _digest(weights: bytes, header: dict[str, Any]) -> str:
    fields = {k: header[k] for k in ("format", "information", "observation", "activation")}
    text = json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(weights + b"\0" + text).hexdigest()


def save_policy(
    path: str | Path,
    layers: list[tuple[np.ndarray, np.ndarray]],
    *,
    information: Information,
    num_aps: int,
    num_servers: int,
    activation: str = "tanh",
    trainer: dict[str, Any] | None = None,
    padded: bool = False,
) -> Path:
    """Write ``path`` (``.npz`` weights) and its JSON sidecar, each atomically (the sidecar
    last); return ``path``.

    ``layers`` are ``(weight (out, in), bias (out,))`` pairs, input first; the first takes the
    observation vector of ``information`` on M APs and K servers, the last gives M K logits.
    ``padded``: M and K are the padded sizes M_max, K_max of ``pad_to`` (module docstring).
    """
    path = Path(path).with_suffix(".npz")
    arrays: dict[str, np.ndarray] = {}
    for index, (weight, bias) in enumerate(layers):
        arrays[f"layer_{index}_weight"] = np.asarray(weight, dtype=np.float32)
        arrays[f"layer_{index}_bias"] = np.asarray(bias, dtype=np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp, tmp.open("wb") as handle:
        np.savez(handle, **arrays)  # type: ignore[arg-type]
    observation: dict[str, Any] = {
        "version": FEATURES_VERSION,
        "num_aps": num_aps,
        "num_servers": num_servers,
        "names": feature_names(information, num_aps, num_servers),
    }
    if padded:  # absent from unpadded sidecars, whose digests stay as they were
        observation["padded"] = True
    header: dict[str, Any] = {
        "format": FORMAT,
        "information": information.as_dict(),
        "observation": observation,
        "activation": activation,
        "trainer": trainer or {},
    }
    header["digest"] = _digest(path.read_bytes(), header)
    with atomic_path(sidecar_of(path)) as tmp:
        tmp.write_text(json.dumps(header, indent=2) + "\n")
    load_policy(path)  # what is written must read back
    return path


def _refuse(path: Path, field: str, message: str) -> InputError:
    return InputError(message, source=str(path), field=field)


def load_policy(path: str | Path) -> SavedPolicy:
    """Read and check a saved policy (weights ``path``, sidecar :func:`sidecar_of`).

    Raises
    ------
    InputError
        A missing or unreadable file, another format or observation version, a declaration
        or layout that is not the one the weights were saved with, or weights whose shapes do
        not chain from the observation size to M K logits.
    """
    full = Path(path).resolve()
    stamps = tuple(
        (f.stat().st_mtime_ns, f.stat().st_size) if f.is_file() else None
        for f in (full, sidecar_of(full))
    )
    return _load(str(full), stamps)


@lru_cache(maxsize=16)
def _load(path_text: str, stamps: tuple[object, ...]) -> SavedPolicy:
    """:func:`load_policy` of the files as they are (``stamps``: their times and sizes)."""
    path, side = Path(path_text), sidecar_of(path_text)
    for file in (path, side):
        if not file.is_file():
            raise _refuse(file, "path", "no such file; a saved policy is NAME.npz + NAME.json")
    try:
        header = json.loads(side.read_text())
        weights = path.read_bytes()
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: np.asarray(data[k], dtype=np.float64) for k in data.files}
    except (OSError, ValueError) as exc:
        raise _refuse(path, "path", f"not a readable saved policy ({exc})") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise _refuse(side, "format", f"must be {FORMAT!r}")
    try:
        info = Information(**header["information"])
        spec = header["observation"]
        m, k, version = int(spec["num_aps"]), int(spec["num_servers"]), int(spec["version"])
        padded = spec.get("padded", False) is True
        activation = str(header["activation"])
        digest = header["digest"]
    except (KeyError, TypeError, ValueError) as exc:
        raise _refuse(side, "information", f"not a jcaco.policy/1 sidecar ({exc})") from None
    if digest != _digest(weights, header):
        raise _refuse(
            side,
            "information",
            f"{info} is not the declaration the policy was saved with (digest differs); "
            "export the policy again instead of editing its sidecar",
        )
    if version != FEATURES_VERSION:
        raise _refuse(side, "observation.version", f"must be {FEATURES_VERSION}, got {version}")
    if activation not in ACTIVATIONS:
        raise _refuse(side, "activation", f"must be one of {', '.join(ACTIVATIONS)}")
    layers = []
    width = len(feature_names(info, m, k))
    for index in range(len(arrays) // 2):
        weight = arrays.get(f"layer_{index}_weight")
        bias = arrays.get(f"layer_{index}_bias")
        if weight is None or bias is None or weight.ndim != 2 or weight.shape[1] != width:
            raise _refuse(path, f"layer_{index}", f"must be a weight (H, {width}) and a bias (H,)")
        if bias.shape != (weight.shape[0],):
            raise _refuse(path, f"layer_{index}_bias", f"must have shape ({weight.shape[0]},)")
        layers.append((weight, bias))
        width = weight.shape[0]
    if not layers or width != m * k or 2 * len(layers) != len(arrays):
        raise _refuse(path, "layers", f"must chain to {m * k} logits (M K), and nothing else")
    trainer = header.get("trainer") if isinstance(header.get("trainer"), dict) else {}
    return SavedPolicy(info, m, k, tuple(layers), activation, dict(trainer or {}), padded)


class PolicyLearner(Learner):
    """Run a saved policy (``--param path=policy.npz``).

    Parameters
    ----------
    path : str
        The weights file of a policy saved by :func:`save_policy` (its sidecar beside it).
    deterministic : bool
        Take the most likely allowed action (default) or draw from the masked softmax.
    declaration : str
        Optional: the information the policy must have been trained with, as
        ``activity,channel,others`` (e.g. ``own,mean,none``, MASL's); another one is refused.
        Empty: whatever its sidecar says.
    """

    name = "policy"
    information = NOTHING

    def __init__(self, path: str = "", deterministic: bool = True, declaration: str = ""):
        self.path = path
        self.deterministic = deterministic
        self.declaration = declaration

    def policy(self) -> SavedPolicy:
        """The saved policy, checked (:func:`load_policy`)."""
        if not self.path:
            raise InputError("give the saved policy: --param path=NAME.npz", field="path")
        saved = load_policy(self.path)
        if self.declaration:
            levels = self.declaration.split(",")
            try:
                wanted = Information(*levels) if len(levels) == 3 else None  # type: ignore[arg-type]
            except ValueError:
                wanted = None
            if wanted is None:
                raise InputError(
                    "must be activity,channel,others, e.g. own,mean,none; "
                    f"got {self.declaration!r}",
                    field="declaration",
                )
            if wanted != saved.information:
                raise InputError(
                    f"the policy was trained with {saved.information}, not {wanted}",
                    source=self.path,
                    field="declaration",
                )
        return saved

    def declares(self) -> Information:
        """The information the policy was trained with (its sidecar); without a path
        nothing (:meth:`reset` then asks for one)."""
        return self.policy().information if self.path else NOTHING

    def reset(self, setup: Setup, rng: RandomSource) -> None:
        """Load the policy, check its action space against the network (a padded policy:
        at most its M_max APs and K_max servers), start every user at AP 0 and its fastest
        feasible server."""
        self.policy_ = saved = self.policy()
        s, n, m, k = setup.shape
        fits = m <= saved.num_aps and k <= saved.num_servers
        if not (fits if saved.padded else (m, k) == (saved.num_aps, saved.num_servers)):
            limit = "at most " if saved.padded else ""
            raise InputError(
                f"the policy acts on {limit}{saved.num_aps} APs and {saved.num_servers} "
                f"servers; this network has {m} and {k}",
                source=self.path,
                field="observation",
            )
        self.rng_ = rng
        self.feasible_ = setup.feasible
        self.scale_s_ = time_scale_s(setup)
        self.distance_scale_m_ = distance_scale_m(setup)
        self.held_ = initial_action(setup)
        self.last_expected_s_ = np.zeros((s, n, 2))
        self.last_measured_s_ = np.zeros((s, n, 2))
        self.fresh_ = True
        self.converged_ = np.zeros(s, dtype=bool)
        self.last_ = Profile(self.held_ // k, self.held_ % k)

    def act(self, view: View) -> Profile:
        """Every user's action from its observation vector, within its mask."""
        saved, m, k = self.policy_, view.tx_time_s.shape[-1], self.feasible_.shape[-1]
        held = None if self.fresh_ else self.held_
        mask = action_masks(self.feasible_, m, view.active, held, saved.pad_to).astype(bool)
        vectors = features(
            view,
            self.scale_s_,
            self.distance_scale_m_,
            self.held_,
            self.last_expected_s_,
            self.last_measured_s_,
            m,
            saved.pad_to,
        )
        # one seed at a time: the same arithmetic whatever the batch
        logits = np.stack([saved.logits(rows) for rows in vectors])  # [S, N, M K]
        logits = np.where(mask, logits, -np.inf)
        if self.deterministic:
            chosen = np.argmax(logits, axis=-1)
        else:
            shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
            chosen = sample_from(shifted / shifted.sum(axis=-1, keepdims=True), self.rng_)
        ap, server = unpadded_codes(chosen.astype(np.int64), k, saved.pad_to)
        chosen = ap * k + server
        # a deterministic policy at a profile it repeats is at a fixed point of a static game
        still = (chosen == self.held_).all(axis=-1) & (not self.fresh_) & self.deterministic
        self.converged_ = np.asarray(still, dtype=bool)
        self.held_ = chosen
        self.fresh_ = False
        self.last_ = Profile(ap, server)
        return self.last_

    def observe(self, profile: Profile, feedback: Feedback) -> None:
        """Keep each active user's expected and realised delays for its next observation."""
        on = feedback.active[..., None]
        expected = np.stack([feedback.ap_delay_expected_s, feedback.server_delay_expected_s], -1)
        measured = np.stack([feedback.ap_delay_measured_s, feedback.server_delay_measured_s], -1)
        self.last_expected_s_ = np.where(on, expected, self.last_expected_s_)
        self.last_measured_s_ = np.where(on, measured, self.last_measured_s_)


@lru_cache(maxsize=16)
def bound_policy(path: str) -> type[PolicyLearner]:
    """The ``policy`` learner with ``path`` as its default (the name ``policy@PATH``)."""
    if not path:
        raise InputError("policy@PATH needs the saved policy's path", field="algorithm")

    class BoundPolicy(PolicyLearner):
        __doc__ = PolicyLearner.__doc__

        def __init__(
            self, path: str = path, deterministic: bool = True, declaration: str = ""
        ) -> None:
            super().__init__(path, deterministic, declaration)

    BoundPolicy.__qualname__ = BoundPolicy.__name__ = "PolicyLearner"
    return BoundPolicy


__all__ = [
    "POLICY_PREFIX",
    "bound_policy",
    "FORMAT",
    "PolicyLearner",
    "SavedPolicy",
    "load_policy",
    "save_policy",
    "sidecar_of",
]
