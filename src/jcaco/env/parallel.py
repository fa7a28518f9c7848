"""The JCACO slot loop as a PettingZoo ``ParallelEnv``.

Not a second simulator: each :meth:`JcacoParallelEnv.step` is one pass of the body of
:func:`jcaco.sim.loop.run_loop` with the agents' actions in the learner's place. The slots
come from the same :class:`~jcaco.sim.environment.DynamicEnvironment` as ``jcaco simulate``
(activity (1), fading (6), mobility (O3), from the episode seed's named streams), the agents'
observations are rows of the same :class:`~jcaco.learners.views.View`
(:func:`jcaco.sim.loop.slot_view`), the slot is scored by the same
:func:`jcaco.sim.loop.score`, and the same :class:`~jcaco.sim.recorder.TraceRecorder` keeps
the per-slot metrics (:meth:`JcacoParallelEnv.trace`). A jcaco learner driven through the
environment with the same seed therefore gives the same per-slot totals, to the bit, as
``jcaco simulate`` (``tests/test_env.py``).

Agents are the users ``user_0 ... user_{N-1}``; a user inactive in a slot stays in ``agents``
(marked by ``infos[agent]["active"]`` and by its action mask, which then allows only its
previous action). The reward is minus the user's realised service time U_i (13) in the slot
it acted in when it was active, else 0. Every episode is truncated after ``max_cycles`` steps.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any, ClassVar, cast

import numpy as np
from gymnasium import spaces
from pettingzoo import ParallelEnv

from jcaco.env.observations import (
    observation_space,
    observations,
    rl_observation_space,
    rl_observations,
)
from jcaco.env.render import slot_table
from jcaco.game.profile import Profile
from jcaco.learners.base import Feedback, Learner
from jcaco.learners.information import SHORTHANDS, Information, information_of
from jcaco.learners.policy_features import (
    action_masks,
    check_padding,
    distance_scale_m,
    features,
    initial_action,
    padded_codes,
    time_scale_s,
    unpadded_codes,
)
from jcaco.learners.views import Setup, View, build_setup
from jcaco.model.build import check_feasible
from jcaco.model.files import load_network
from jcaco.rng import check_seed, fresh_seed, stream
from jcaco.scenario.generator import PRESETS, generate_network
from jcaco.scenario.network import Network
from jcaco.sim.dynamics import DynamicsConfig
from jcaco.sim.environment import DynamicEnvironment
from jcaco.sim.loop import score, slot_view
from jcaco.sim.recorder import Trace, TraceRecorder
from jcaco.types import IntArray

#: Named information levels; a registered learner's name also works (its declaration).
LEVELS: dict[str, Information] = SHORTHANDS


def network_of(scenario: Network | str | Path | None) -> Network:
    """The network of ``scenario``: a file, a :class:`Network`, or None for the paper's
    preset drawn with seed 0 (what ``jcaco generate`` writes)."""
    if scenario is None:
        return generate_network(PRESETS["paper"], stream(0, "scenario"))
    if isinstance(scenario, Network):
        return check_feasible(scenario)[0]
    return check_feasible(load_network(scenario))[0]


class JcacoParallelEnv(ParallelEnv):
    """JCACO as a PettingZoo parallel environment; build it with :func:`parallel_env`.

    Parameters
    ----------
    scenario : Network, str, Path or None
        The network (a ``jcaco.scenario/1`` file or object); None: the paper preset, seed 0.
    max_cycles : int
        Steps per episode (slots T); the episode is truncated after the last one.
    information : Information or str
        What each agent observes (:mod:`jcaco.env.observations`): an
        :class:`~jcaco.learners.information.Information`, ``"nothing"``, ``"own"`` (own
        activity bit, own realised times), ``"full"``, or a learner's name (``"masl"``).
    observation : {"dict", "rl"}
        ``"dict"``: the view's rows by name, in seconds and metres (:mod:`jcaco.env.observations`);
        ``"rl"``: the one to train on, ``{"observation": float32 vector, "action_mask": int8}``
        with every entry finite and of order 1 (:mod:`jcaco.learners.policy_features`), the
        same space for every agent.
    pad_to : (int, int), optional
        ``(M_max, K_max)``, with ``observation="rl"`` only: lay the observation and the action
        space out for M_max APs and K_max servers (``Discrete(M_max K_max)``, action
        ``ap * K_max + server``), the entries of absent APs and servers finite and masked
        (:mod:`jcaco.learners.policy_features`), so that one policy trains on and runs in
        networks of different sizes.
    dynamics : DynamicsConfig
        The dynamics between slots, as ``jcaco simulate``'s options.
    render_mode : {None, "human", "ansi"}
        ``"ansi"``: :meth:`render` returns a text table of the last slot; ``"human"`` prints it.
    """

    metadata: ClassVar[dict[str, Any]] = {
        "name": "jcaco_v0",
        "render_modes": ["human", "ansi"],
        "is_parallelizable": True,
    }

    def __init__(
        self,
        scenario: Network | str | Path | None = None,
        *,
        max_cycles: int = 2000,
        information: Information | str = "own",
        dynamics: DynamicsConfig = DynamicsConfig(),  # noqa: B008 (frozen, immutable)
        render_mode: str | None = None,
        observation: str = "dict",
        pad_to: tuple[int, int] | None = None,
    ):
        if isinstance(max_cycles, bool) or not isinstance(max_cycles, int) or max_cycles < 1:
            raise ValueError(f"max_cycles must be an integer >= 1, got {max_cycles!r}")
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be None, 'human' or 'ansi', got {render_mode!r}")
        if observation not in ("dict", "rl"):
            raise ValueError(f"observation must be 'dict' or 'rl', got {observation!r}")
        self.observation = observation
        self.network = network_of(scenario)
        if pad_to is not None:
            if observation != "rl":
                raise ValueError("pad_to needs observation='rl'")
            pad_to = (int(pad_to[0]), int(pad_to[1]))
            check_padding(self.network.num_aps, self.network.num_servers, pad_to)
        self.pad_to = pad_to
        self.information = information_of(information)
        self.dynamics = dynamics
        self.max_cycles = max_cycles
        self.render_mode = render_mode
        n, m, k = self.network.num_users, self.network.num_aps, self.network.num_servers
        wide_m, wide_k = self.action_shape
        self.possible_agents = [f"user_{i}" for i in range(n)]
        self.agents: list[str] = []
        self._index = {agent: i for i, agent in enumerate(self.possible_agents)}
        # one space object per kind, the same for every agent (PettingZoo asks for identity)
        self._observation_space = (
            rl_observation_space(self.information, wide_m, wide_k)
            if observation == "rl"
            else observation_space(self.information, n, m, k)
        )
        self._action_space = spaces.Discrete(wide_m * wide_k)
        self.root_seed: int | None = None
        self.episode_seed: int | None = None
        self._episode = 0
        self.feedback: Feedback | None = None

    @property
    def action_shape(self) -> tuple[int, int]:
        """(APs, servers) of the action layout: ``pad_to``, else the network's (M, K)."""
        if self.pad_to is not None:
            return self.pad_to
        return self.network.num_aps, self.network.num_servers

    # -- PettingZoo API ---------------------------------------------------------------------
    def observation_space(self, agent: str) -> spaces.Dict:
        """The observation space of ``agent`` (the same object on every call)."""
        return self._observation_space

    def action_space(self, agent: str) -> spaces.Discrete:
        """``Discrete(M K)``: action ``ap * K + server`` (with ``pad_to``: ``Discrete(M_max
        K_max)``, ``ap * K_max + server``); the same object on every call."""
        return self._action_space

    def reset(
        self, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
        """Start an episode; ``seed`` is its root seed (as ``jcaco simulate --seed``).

        Without ``seed`` the next episode of the last root seed runs, with a seed drawn from
        the root's ``env`` stream (:attr:`episode_seed`; fresh entropy if never seeded).
        """
        if seed is not None:
            self.root_seed, self._episode = check_seed(seed), 0
            self.episode_seed = self.root_seed
        elif self.root_seed is None:
            self.root_seed = self.episode_seed = fresh_seed()
        else:
            self._episode += 1
            draw = stream(self.root_seed, "env", 0, self._episode).integers(2**63)
            self.episode_seed = int(draw)
        self._action_space.seed(int(stream(self.episode_seed, "env", 1).integers(2**32)))
        self.world = DynamicEnvironment([self.network], [self.episode_seed], self.dynamics)
        game = self.world.initial()
        n = game.num_users
        self._setup = build_setup(self.information, game)
        self._held: IntArray = initial_action(self._setup)[0]  # AP 0, fastest feasible server
        if self.observation == "rl":
            self._scales = (time_scale_s(self._setup), distance_scale_m(self._setup))
        self._recorder = TraceRecorder(self.max_cycles, 1, n, record_users=False)
        self._previous: Profile | None = None
        self._last_expected_s = np.zeros((n, 2))
        self._last_measured_s = np.zeros((n, 2))
        self._rewarded = np.zeros(n, dtype=bool)
        self._service_s = np.zeros(n)
        self.feedback = None
        self._t = 0
        self._slot = self.world.slot(0)
        self.agents = list(self.possible_agents)
        return self._observe(), self._infos(np.ones(n, dtype=bool))

    def step(self, actions: dict[str, Any]) -> tuple[dict[str, Any], ...]:
        """Score the slot with every agent's action, record it, advance to the next slot.

        An action outside the agent's mask (or a missing one) is replaced by its previous
        action (before the first step: AP 0 and its fastest feasible server), and
        ``infos[agent]["legal"]`` is False.
        """
        if not self.agents:
            raise RuntimeError("the episode is over (or never started); call reset()")
        unknown = actions.keys() - self._index.keys()
        if unknown:
            raise ValueError(f"actions for unknown agents {sorted(unknown)[:3]}")
        chosen, legal = self._decode(actions)
        k = self.network.num_servers
        slot = self._slot
        profile = Profile((chosen // k)[None], (chosen % k)[None])
        feedback = score(slot, profile)
        # the recorder reads only the learner's convergence flag; the agents have none
        agents = cast(Learner, SimpleNamespace(converged=np.zeros(1, dtype=bool)))
        self._recorder(slot, profile, feedback, agents)
        active = feedback.active[0]
        ap_s, server_s = feedback.ap_delay_measured_s[0], feedback.server_delay_measured_s[0]
        reward = np.where(active, -(ap_s + server_s), 0.0)  # -U_i (13), as the recorder sums
        # an inactive user learns nothing in the slot: its last delays stay (new arrays, as
        # the observations handed out are views of them)
        expected_s = np.stack(
            [feedback.ap_delay_expected_s[0], feedback.server_delay_expected_s[0]], axis=1
        )
        on = active[:, None]
        self._last_expected_s = np.where(on, expected_s, self._last_expected_s)
        measured_s = np.stack([ap_s, server_s], axis=1)
        self._last_measured_s = np.where(on, measured_s, self._last_measured_s)
        self._rewarded, self._service_s = active, ap_s + server_s
        self.feedback, self._previous, self._held = feedback, profile, chosen
        self._t += 1
        done = self._t >= self.max_cycles
        if not done:
            self._slot = self.world.slot(self._t)
        agents_now = self.possible_agents
        observations_ = self._observe()
        rewards = dict(zip(agents_now, reward.tolist(), strict=True))
        terminations = dict.fromkeys(agents_now, False)
        truncations = dict.fromkeys(agents_now, done)
        infos = self._infos(legal)
        if done:
            self.agents = []
        if self.render_mode == "human":
            self.render()
        return observations_, rewards, terminations, truncations, infos

    def render(self) -> str | None:
        """The last slot as a text table (``ansi``), printed for ``human``."""
        if self.render_mode is None:
            return None
        held = self._held_profile()
        text = slot_table(self._t, held.ap[0], held.server[0], self._rewarded, self._service_s)
        if self.render_mode == "human":
            print(text)
            return None
        return text

    def close(self) -> None:
        """Nothing to release."""

    # -- the loop's pieces, for a jcaco Learner acting for every agent at once --------------
    def setup(self, information: Information) -> Setup:
        """What :meth:`Learner.reset` gets in ``jcaco simulate`` for this episode."""
        if information == self.information:
            return self._setup
        return build_setup(information, self.world.initial())

    def view(self, information: Information) -> View:
        """The view of the current slot that ``information`` allows (batch axis of 1)."""
        return slot_view(information, self._slot, self._previous)

    def actions_of(self, profile: Profile) -> dict[str, int]:
        """The agents' actions of a ``(1, N)`` profile."""
        k = self.network.num_servers
        codes = padded_codes(profile.ap[0] * k + profile.server[0], k, self.pad_to)
        return dict(zip(self.possible_agents, codes.tolist(), strict=True))

    def trace(self) -> Trace:
        """The slots recorded so far (the metrics of ``jcaco simulate``'s trace)."""
        assert self.episode_seed is not None, "call reset() first"
        return self._recorder.trace("env", (self.episode_seed,), self._held_profile())

    # -- helpers ------------------------------------------------------------------------------
    def _held_profile(self) -> Profile:
        """Each user's previous (AP, server), ``(1, N)`` arrays."""
        k = self.network.num_servers
        return Profile((self._held // k)[None], (self._held % k)[None])

    def _decode(self, actions: dict[str, Any]) -> tuple[IntArray, np.ndarray]:
        codes = [actions.get(agent) for agent in self.possible_agents]
        raw = np.array([-1 if c is None else c for c in codes], dtype=np.int64)
        n, k = raw.shape[0], self.network.num_servers
        legal = (raw >= 0) & (raw < self._mask.shape[1])
        legal &= self._mask[np.arange(n), np.where(legal, raw, 0)].astype(bool)
        ap, server = unpadded_codes(raw, k, self.pad_to)
        return np.where(legal, ap * k + server, self._held), legal

    def _observe(self) -> dict[str, dict[str, Any]]:
        view = self.view(self.information)
        active = None if view.active is None else view.active[0]
        held = None if self._previous is None else self._held
        self._mask = action_masks(
            self._setup.feasible[0], self.network.num_aps, active, held, self.pad_to
        )
        if self.observation == "rl":
            vectors = features(
                view,
                *self._scales,
                self._held[None],
                self._last_expected_s[None],
                self._last_measured_s[None],
                self.network.num_aps,
                self.pad_to,
            )
            return rl_observations(vectors[0], self._mask, self.possible_agents)
        return observations(
            view,
            self._mask,
            self._last_expected_s,
            self._last_measured_s,
            self._held_profile(),
            self.possible_agents,
        )

    def _infos(self, legal: np.ndarray) -> dict[str, dict[str, Any]]:
        """``legal`` per agent; ``active`` (next slot) and ``rewarded`` (the slot just
        scored) when the agents may know their activity."""
        if self.information.activity == "theta":
            return {
                a: {"legal": ok} for a, ok in zip(self.possible_agents, legal.tolist(), strict=True)
            }
        active = self._slot.active[0].tolist()
        rewarded = self._rewarded.tolist()
        rows = zip(self.possible_agents, active, rewarded, legal.tolist(), strict=True)
        return {a: {"active": on, "rewarded": r, "legal": ok} for a, on, r, ok in rows}


__all__ = ["LEVELS", "JcacoParallelEnv", "information_of", "network_of"]
