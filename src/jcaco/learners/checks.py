"""Conformance check of the learner protocol (docs/extending.md#the-protocol), like scikit-learn's
``check_estimator`` or PettingZoo's ``api_test``.

:func:`check_learner` drives a learner through a few slots of a small random batched game
(activity redrawn from θ, link times redrawn as by fading, load weights a(t) as in a dynamic
simulation) and raises :class:`AssertionError` with a clear message at the first breach:

* ``__init__`` only stores its hyperparameters (no work, no trailing-underscore attribute);
* ``declares()`` returns an :class:`Information` and ``role`` is a known role; the learner
  gets the set-up and views its declaration allows (:mod:`jcaco.learners.views`, the same
  builder as the slot loop) and must act on them;
* ``act`` returns a :class:`Profile` of shape ``(S, N)`` with valid AP indices and only
  feasible servers, and does not modify the view;
* after each slot, what ``solve``, ``simulate`` and ``reproduce`` read works: ``converged``
  is one bool per seed and ``recommendation()`` a valid profile on feasible servers;
  ``get_params()`` returns a dict;
* an exception raised by any of its methods is a breach naming the class and the method;
* ``observe`` leaves the per-user state (every ``(S, N, ...)`` array attribute ending in
  ``_``) of the users that were inactive in the slot unchanged;
* the same seed gives the same actions (two instances in lock-step);
* a batch of seeds driven by :class:`jcaco.rng.SeedBatch` acts exactly like the seeds run
  one by one.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from dataclasses import replace

import numpy as np

from jcaco.game.profile import Profile
from jcaco.learners.base import ROLES, Learner
from jcaco.learners.feedback import build_feedback
from jcaco.learners.information import Information
from jcaco.learners.registry import resolve
from jcaco.learners.views import View, build_setup, build_view
from jcaco.model.instance import GameInstance
from jcaco.rng import RandomSource, SeedBatch, stream

LearnerFactory = Callable[[], Learner]


def random_game(
    rng: np.random.Generator,
    num_seeds: int = 3,
    num_users: int = 4,
    num_aps: int = 2,
    num_servers: int = 3,
) -> GameInstance:
    """A small random batched game: θ in {0, 1} ∪ (0, 1), some infeasible servers.

    User 0 never plays (θ = 0) and user 1 always plays (θ = 1) when ``num_users >= 2``; the
    others draw θ from [0.1, 0.9] quantised to 0.01. Every user keeps at least one feasible
    server. Shapes: ``theta (S, N)``, ``tx_time_s (S, N, M)``, ``compute_time_s (S, N, K)``.
    """
    s, n, m, k = num_seeds, num_users, num_aps, num_servers
    # [seeds, users]
    theta = np.round(rng.uniform(0.1, 0.9, (s, n)), 2)
    theta[:, : min(n, 2)] = [0.0, 1.0][: min(n, 2)]
    # [seeds, users, aps]
    tx_time_s = rng.uniform(0.2, 2.0, (s, n, m))
    # [seeds, users, servers]
    steps = rng.integers(10, 60, (s, n, k))
    per_step_s = rng.uniform(0.01, 0.05, (s, 1, k))
    infeasible = rng.random((s, n, k)) < 0.3
    keep = rng.integers(0, k, (s, n))
    infeasible[np.arange(s)[:, None], np.arange(n)[None, :], keep] = False
    return GameInstance(
        theta=theta,
        tx_time_s=tx_time_s,
        compute_time_s=np.where(infeasible, np.inf, steps * per_step_s),
        steps=np.where(infeasible, 0, steps).astype(np.int64),
        distance_m=rng.uniform(10.0, 300.0, (s, n, m)),
        capacity_flops=rng.uniform(2e12, 1e13, (s, k)),
    )


def _slots(
    game: GameInstance, activity_rng: RandomSource, fading_rng: RandomSource, num_slots: int
) -> Iterator[tuple[GameInstance, np.ndarray]]:
    """The slots' games (link times scaled as by fading) and activity a(t)."""
    for _ in range(num_slots):
        active = activity_rng.random(game.theta.shape) < game.theta  # [S, N]
        gain = 0.5 + fading_rng.random(game.tx_time_s.shape)  # [S, N, M]
        yield replace(game, tx_time_s=game.tx_time_s / gain), active


def _view(
    learner: Learner,
    t: int,
    game: GameInstance,
    mean: GameInstance,
    active: np.ndarray,
    prev: Profile | None,
) -> View:
    return build_view(
        learner.declares(),
        slot=t,
        game=game,
        mean_tx_time_s=lambda: mean.tx_time_s,
        active=active,
        weight=active.astype(float),
        previous=prev,
    )


def _arrays(view: object, prefix: str = "") -> dict[str, np.ndarray]:
    """Copies of every array in a view, nested ``others`` included (profile aside)."""
    out: dict[str, np.ndarray] = {}
    for key, value in vars(view).items():
        if isinstance(value, np.ndarray):
            out[prefix + key] = np.array(value, copy=True)
        elif key == "others" and value is not None:
            out.update(_arrays(value, "others."))
    return out


def _user_state(learner: Learner, num_seeds: int, num_users: int) -> dict[str, np.ndarray]:
    """Copies of the learner's per-user arrays: attributes ``*_`` of shape ``(S, N, ...)``."""
    return {
        name: np.array(value, copy=True)
        for name, value in vars(learner).items()
        if name.endswith("_")
        and isinstance(value, np.ndarray)
        and value.shape[:2] == (num_seeds, num_users)
    }


def _check_profile(label: str, profile: object, game: GameInstance) -> Profile:
    s, n, m = game.tx_time_s.shape
    assert isinstance(profile, Profile), f"{label}: act() must return a Profile, got {profile!r}"
    for part, size in (("ap", m), ("server", game.num_servers)):
        values = getattr(profile, part)
        assert values.shape == (s, n), (
            f"{label}: profile.{part} has shape {values.shape}, expected (S, N) = {(s, n)}"
        )
        assert np.issubdtype(values.dtype, np.integer), f"{label}: profile.{part} is not integer"
        assert ((values >= 0) & (values < size)).all(), (
            f"{label}: profile.{part} has an index outside [0, {size - 1}]: {values.tolist()}"
        )
    picked = np.take_along_axis(game.feasible, profile.server[..., None], axis=-1)[..., 0]
    assert picked.all(), (
        f"{label}: act() sent a user to an infeasible server (users {np.argwhere(~picked)[:, 1]})"
    )
    return profile


def _run(
    label: str,
    learners: list[Learner],
    game: GameInstance,
    seeds: list[int],
    num_slots: int,
) -> list[Profile]:
    """Drive ``learners`` in lock-step on ``game``; check every slot; return the actions."""

    def source(name: str) -> RandomSource:
        return SeedBatch.from_seeds(seeds, name) if len(seeds) > 1 else stream(seeds[0], name)

    s, n = game.theta.shape
    for learner in learners:
        _call(label, learner, "reset", build_setup(learner.declares(), game), source("learner"))
    actions: list[Profile] = []
    prev: Profile | None = None
    slots = _slots(game, source("activity"), source("fading"), num_slots)
    for t, (slot_game, active) in enumerate(slots):
        acted = []
        for learner in learners:
            view = _view(learner, t, slot_game, game, active, prev)
            before = _arrays(view)
            try:
                acted_now = learner.act(view)
            except AttributeError as exc:
                raise AssertionError(
                    f"{label}: act() read something its view does not have "
                    f"({learner.declares()}): {exc}"
                ) from exc
            except Exception as exc:
                raise AssertionError(_raised(label, learner, "act", exc)) from exc
            profile = _check_profile(label, acted_now, slot_game)
            after = _arrays(view)
            for key, value in before.items():
                assert np.array_equal(value, after[key], equal_nan=True), (
                    f"{label}: act() modified view.{key}"
                )
            acted.append(profile.copy())
        for profile in acted[1:]:
            same = np.array_equal(profile.ap, acted[0].ap) and np.array_equal(
                profile.server, acted[0].server
            )
            assert same, f"{label}: two instances with the same seed acted differently at slot {t}"
        for learner, profile in zip(learners, acted, strict=True):
            state = _user_state(learner, s, n)
            broadcast = learner.declares().at_least("others", "loads")
            feedback = build_feedback(slot_game, active, profile, broadcast=broadcast).feedback
            _call(label, learner, "observe", profile, feedback)
            for name, old in state.items():
                new = getattr(learner, name)
                assert np.array_equal(old[~active], new[~active], equal_nan=True), (
                    f"{label}: observe() changed {name} of users inactive in slot {t}"
                )
            _check_outcome(label, learner, game)
        actions.append(acted[0])
        prev = acted[0]
    return actions


def _raised(label: str, learner: Learner, method: str, exc: Exception) -> str:
    return f"{label}: {type(learner).__name__}.{method}() raised {type(exc).__name__}: {exc}"


def _call(label: str, learner: Learner, method: str, *args: object) -> object:
    """``learner.method(*args)``; an exception becomes an :class:`AssertionError` naming the
    learner's class and the method."""
    try:
        return getattr(learner, method)(*args)
    except AssertionError:
        raise
    except Exception as exc:
        raise AssertionError(_raised(label, learner, method, exc)) from exc


def _check_outcome(label: str, learner: Learner, game: GameInstance) -> None:
    """What ``solve``, ``simulate`` and ``reproduce`` read after a slot: ``converged`` (one
    bool per seed) and ``recommendation()`` (a valid profile on feasible servers)."""
    s = game.theta.shape[0]
    try:
        converged = np.asarray(learner.converged)
    except AssertionError:
        raise
    except Exception as exc:
        raise AssertionError(_raised(label, learner, "converged", exc)) from exc
    assert converged.shape == (s,) and converged.dtype == bool, (
        f"{label}: converged must be one bool per seed, shape (S,) = ({s},); got "
        f"{converged.dtype} of shape {converged.shape} (set converged_ in reset(), or leave "
        "it to the base class)"
    )
    recommended = _call(label, learner, "recommendation")
    _check_profile(f"{label}: recommendation()", recommended, game)


def _check_init(label: str, factory: LearnerFactory) -> Learner:
    try:
        learner = factory()
    except Exception as exc:
        raise AssertionError(f"{label}: building it raised {type(exc).__name__}: {exc}") from exc
    assert isinstance(learner, Learner), f"{label}: the factory must build a Learner"
    declared = _call(label, learner, "declares")
    assert isinstance(declared, Information), (
        f"{label}: declares() must return an Information, got {declared!r}"
    )
    assert learner.role in ROLES, f"{label}: role must be one of {ROLES}, got {learner.role!r}"
    try:
        params = learner.get_params()
        repr(learner)
    except Exception as exc:
        raise AssertionError(_raised(label, learner, "get_params", exc)) from exc
    assert isinstance(params, dict), f"{label}: get_params() must return a dict, got {params!r}"
    fitted = sorted(k for k in vars(learner) if k.endswith("_") and not k.startswith("__"))
    assert not fitted, f"{label}: __init__ created state {fitted}; create it in reset()"
    extra = sorted(set(vars(learner)) - set(learner.param_names()))
    assert not extra, f"{label}: __init__ must store only its hyperparameters, also set {extra}"
    if inspect.isclass(factory):
        for name, param in inspect.signature(factory).parameters.items():
            if param.default is not inspect.Parameter.empty:
                assert getattr(learner, name) is param.default or np.array_equal(
                    getattr(learner, name), param.default
                ), f"{label}: __init__ changed {name} (default {param.default!r}); do no work"
    return learner


def check_learner(
    factory_or_name: str | LearnerFactory, *, seed: int = 0, num_slots: int = 12
) -> None:
    """Check a learner against the protocol of docs/extending.md#the-protocol.

    Parameters
    ----------
    factory_or_name : str or callable
        A name (registered, ``package.module:ClassName`` or an installed plug-in, see
        :func:`jcaco.learners.registry.resolve`) or a class/factory that builds the learner
        with its default hyperparameters.
    seed : int
        Root seed of the random game and of every stream.
    num_slots : int
        Slots to drive the learner through.

    Raises
    ------
    AssertionError
        At the first breach, naming the learner and what is wrong.
    InputError
        If a name does not resolve to a learner class.
    """
    if isinstance(factory_or_name, str):
        factory: LearnerFactory = resolve(factory_or_name)
        label = factory_or_name
    else:
        factory = factory_or_name
        label = getattr(factory, "name", "") or getattr(factory, "__name__", repr(factory))
    _check_init(label, factory)
    seeds = [seed + 1, seed + 2, seed + 3]
    game = random_game(stream(seed, "scenario"), num_seeds=len(seeds))
    together = _run(label, [factory(), factory()], game, seeds, num_slots)
    for index, one_seed in enumerate(seeds):
        alone = _run(label, [factory()], game[index : index + 1], [one_seed], num_slots)
        for t, (batch, single) in enumerate(zip(together, alone, strict=True)):
            same = np.array_equal(batch.ap[index], single.ap[0]) and np.array_equal(
                batch.server[index], single.server[0]
            )
            assert same, (
                f"{label}: seed {one_seed} acted differently in a SeedBatch batch than alone "
                f"(slot {t}); draw randomness through the rng passed to reset()"
            )
