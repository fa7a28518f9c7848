"""The fused MASL slot equals MASL's act, the score and MASL's observe, to the bit (issue 19).

Slot by slot on random dynamic games (θ of 0 and 1, infeasible servers, new realised times
every slot): the profiles, the feedback, the expected loads, the strategies, the flags and
the learner's generators; whole simulations with fading and mobility, buffers reused or not,
a batch of seeds against each seed alone; and the cases where the loop must not fuse.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from jcaco import kernels
from jcaco.learners.masl import MASL
from jcaco.learners.masl.slot import fused_slot
from jcaco.learners.registry import make_learner
from jcaco.learners.views import build_setup
from jcaco.model.build import check_feasible
from jcaco.model.instance import GameInstance
from jcaco.rng import RandomSource, SeedBatch, stream
from jcaco.scenario.generator import PRESETS, generate_network, with_overrides
from jcaco.scenario.network import Network
from jcaco.sim.dynamics import DynamicsConfig
from jcaco.sim.environment import DynamicEnvironment
from jcaco.sim.loop import Environment, Slot, make_view, run_loop, score
from jcaco.sim.recorder import METRICS, TraceRecorder

pytestmark = pytest.mark.skipif(
    kernels.load("jcaco.learners.masl._slot_numba") is None, reason="numba not installed"
)

#: Options the fused slot takes (every one but the price), in combinations.
PARAMS: list[dict[str, object]] = [
    {},
    {"sampling": "all"},
    {"reward_signal": "measured"},
    {"normaliser": "per-user", "learning_rate_ap": 1.0},
    {"normaliser": "o9", "sampling": "all", "reward_signal": "measured"},
    {"normaliser": "worst-resource", "learning_rate_server": 0.5, "scale": 0.3},
    {"convergence_threshold": 0.4, "learning_rate_ap": 0.9, "learning_rate_server": 0.9},
]


def _random_game(rng: np.random.Generator, seeds: int, users: int) -> GameInstance:
    """A batch of random games: θ of 0, 1 and between, about a quarter of the servers
    infeasible (every user keeps one)."""
    aps, servers = 3, 4
    kind = rng.integers(0, 4, (seeds, users))  # 0: θ = 0, 1: θ = 1, else θ in (0, 1)
    theta = np.where(
        kind == 0, 0.0, np.where(kind == 1, 1.0, rng.integers(1, 100, (seeds, users)) / 100)
    )
    infeasible = rng.random((seeds, users, servers)) < 0.25
    keep = rng.integers(0, servers, (seeds, users))
    np.put_along_axis(infeasible, keep[..., None], False, axis=-1)
    steps = rng.integers(5, 60, (seeds, users, servers))
    compute = np.where(infeasible, np.inf, steps * rng.uniform(0.01, 0.1, (seeds, 1, servers)))
    return GameInstance(
        theta=theta,
        tx_time_s=rng.uniform(0.1, 3.0, (seeds, users, aps)),
        compute_time_s=compute,
        steps=np.where(infeasible, 0, steps).astype(np.int64),
    )


class RandomSlots(Environment):
    """Random dynamic slots of ``game``: new realised transmission times every slot (the
    mean times scaled by Exp(1) draws) and a(t) ~ Bernoulli(θ), plus now and then a user of
    θ = 0."""

    def __init__(self, game: GameInstance, seed: int):
        self.game = game
        self.rng = np.random.default_rng(seed)

    def initial(self) -> GameInstance:
        return self.game

    def slot(self, index: int) -> Slot:
        game = dataclasses.replace(
            self.game,
            tx_time_s=self.game.tx_time_s
            * self.rng.standard_exponential(self.game.tx_time_s.shape),
        )
        active = self.rng.random(game.theta.shape) < game.theta
        # now and then a user of θ = 0 is active too (an environment whose activity is not
        # drawn from θ): it is not a player (views.Setup.players), so it must not learn
        active |= self.rng.random(game.theta.shape) < 0.05
        return Slot(index, game, active, active.astype(float), None)


def _generators(rng: RandomSource) -> list[np.random.Generator]:
    return [rng] if isinstance(rng, np.random.Generator) else list(rng.generators)


def _bits(*arrays: np.ndarray) -> list[bytes]:
    return [np.ascontiguousarray(a).tobytes() + str(a.dtype).encode() for a in arrays]


@pytest.mark.parametrize("params", PARAMS)
@pytest.mark.parametrize("one_generator", [False, True])
def test_fused_slot_equals_the_protocol_slot_by_slot(
    params: dict[str, object], one_generator: bool
) -> None:
    seeds = [3, 8, 21]
    game = _random_game(np.random.default_rng(len(str(params))), len(seeds), 37)

    def learner_rng() -> RandomSource:
        if one_generator:
            return stream(seeds[0], "learner")
        return SeedBatch.from_seeds(seeds, "learner")

    envs = RandomSlots(game, 5), RandomSlots(game, 5)
    protocol, fused = make_learner("masl", params), make_learner("masl", params)
    rngs = learner_rng(), learner_rng()
    for learner, env, rng in zip((protocol, fused), envs, rngs, strict=True):
        learner.reset(build_setup(learner.declares(), env.initial()), rng)
    fast = fused_slot(fused)
    assert fast is not None and fused_slot(protocol) is not None
    previous = None
    for t in range(40):
        slot_a, slot_b = envs[0].slot(t), envs[1].slot(t)
        profile = protocol.act(make_view(protocol, slot_a, previous))
        feedback = score(slot_a, profile)
        protocol.observe(profile, feedback)
        outcome = fast.step(slot_b.game, slot_b.active)
        previous = profile
        assert _bits(profile.ap, profile.server) == _bits(
            outcome.profile.ap, outcome.profile.server
        )
        names = [f.name for f in dataclasses.fields(feedback)]
        for name in names:
            a, b = getattr(feedback, name), getattr(outcome.feedback, name)
            assert (a is None and b is None) or _bits(a) == _bits(b), name
        assert _bits(*slot_a.expected_loads(profile)) == _bits(*outcome.expected_loads)
        assert _bits(protocol.probs_ap_, protocol.probs_server_) == _bits(
            fused.probs_ap_, fused.probs_server_
        )
        assert _bits(protocol.last_.ap, protocol.last_.server) == _bits(
            fused.last_.ap, fused.last_.server
        )
        assert np.array_equal(protocol.converged, fused.converged)
        assert [g.bit_generator.state for g in _generators(rngs[0])] == [
            g.bit_generator.state for g in _generators(rngs[1])
        ]
    assert _bits(protocol.recommendation().ap) == _bits(fused.recommendation().ap)


def _networks(seeds: list[int], users: int) -> list[Network]:
    config = with_overrides(PRESETS["paper"], {"num_users": users, "num_aps": 4, "num_servers": 5})
    return [check_feasible(generate_network(config, stream(s, "scenario")), True)[0] for s in seeds]


def _trace(
    seeds: list[int], params: dict[str, object], dynamics: DynamicsConfig, reuse: bool, fused: bool
) -> tuple[list[np.ndarray], list[object]]:
    """A simulation's recorded metrics, recommendation, strategies and generator states."""
    nets = _networks(seeds, 29)
    env = DynamicEnvironment(nets, seeds, dynamics, reuse_buffers=reuse)
    recorder = TraceRecorder(60, len(seeds), 29, True)
    learner = make_learner("masl", params)
    rng = SeedBatch.from_seeds(seeds, "learner")
    outcome = run_loop(env, learner, rng, 60, callback=recorder, fused=fused)
    trace = recorder.trace("masl", tuple(seeds), outcome.profile)
    assert isinstance(learner, MASL)
    arrays = [getattr(trace, name) for name in METRICS]
    arrays += [trace.user_service_time_s, outcome.profile.ap, outcome.profile.server]
    arrays += [learner.probs_ap_, learner.probs_server_, outcome.converged]
    return arrays, [g.bit_generator.state for g in rng.generators]


DYNAMICS = [
    DynamicsConfig(),
    DynamicsConfig(fading="mean", step_radius_m=30.0),
    DynamicsConfig(mobility=False),
]


@pytest.mark.parametrize("dynamics", DYNAMICS, ids=["fading+mobility", "mean+mobility", "fading"])
@pytest.mark.parametrize("reuse", [False, True])
@pytest.mark.parametrize("params", [PARAMS[0], PARAMS[4]])
def test_fused_simulation_equals_the_protocol_and_each_seed_alone(
    dynamics: DynamicsConfig, reuse: bool, params: dict[str, object]
) -> None:
    seeds = [2, 7, 11]
    fused, fused_states = _trace(seeds, params, dynamics, reuse, fused=True)
    protocol, protocol_states = _trace(seeds, params, dynamics, reuse, fused=False)
    assert fused_states == protocol_states
    for a, b in zip(fused, protocol, strict=True):
        assert a.dtype == b.dtype and _bits(a) == _bits(b)
    for s, seed in enumerate(seeds):  # a seed alone: its row of the batch
        alone, alone_states = _trace([seed], params, dynamics, reuse, fused=True)
        assert alone_states == [fused_states[s]]
        for a, b in zip(alone[:-1], fused[:-1], strict=True):
            row = b[:, s : s + 1] if b.ndim >= 2 and b.shape[0] == 60 else b[s : s + 1]
            assert _bits(a) == _bits(row)


class Subclass(MASL):
    """MASL by another name: not the class the fused slot reproduces."""


def test_fused_slot_only_where_exact() -> None:
    game = _random_game(np.random.default_rng(1), 2, 10)

    def reset(learner: MASL) -> MASL:
        rng = SeedBatch.from_seeds([1, 2], "learner")
        learner.reset(build_setup(learner.declares(), game), rng)
        return learner

    assert fused_slot(reset(MASL())) is not None
    assert fused_slot(reset(MASL(price=True))) is None  # the price reads broadcast counts
    assert fused_slot(reset(Subclass())) is None
    patched = reset(MASL())
    patched.observe = lambda profile, feedback: None  # type: ignore[method-assign]
    assert fused_slot(patched) is None
    with kernels.use("numpy"):
        assert fused_slot(reset(MASL())) is None
    assert fused_slot(make_learner("br")) is None
    sampled = reset(MASL())
    sampled._sample = lambda: sampled.last_  # type: ignore[method-assign]
    assert fused_slot(sampled) is None  # any method shadowed on the instance
    scaled = reset(MASL())
    scaled.max_ap_delay_s_ = np.ones(3)  # not the (S, 1) or (S, N) the kernel reads
    assert fused_slot(scaled) is None


@pytest.mark.parametrize(
    "owner, name",
    [("class", "observe"), ("class", "act"), ("module", "lri_update"), ("module", "sample_from")],
)
def test_no_fused_slot_when_the_class_or_a_helper_is_patched(
    monkeypatch: pytest.MonkeyPatch, owner: str, name: str
) -> None:
    """A method replaced on the class, or a helper replaced in MASL's module, after import:
    the protocol path then runs other code than the kernel reproduces."""
    from jcaco.learners.masl import core as masl_module

    game = _random_game(np.random.default_rng(1), 2, 10)
    target = MASL if owner == "class" else masl_module
    original = getattr(target, name)
    monkeypatch.setattr(target, name, lambda *args, **kwargs: original(*args, **kwargs))
    learner = MASL()
    learner.reset(build_setup(learner.declares(), game), SeedBatch.from_seeds([1, 2], "learner"))
    assert fused_slot(learner) is None
    monkeypatch.undo()
    assert fused_slot(learner) is not None
