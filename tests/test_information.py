"""Information as data: each learner sees exactly what it declares, in ``reset`` and ``act``,
and the paper's baselines behave as their declarations say."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace

import numpy as np
import pytest

from jcaco.game import resource
from jcaco.game.profile import Profile
from jcaco.learners.base import Feedback, Learner
from jcaco.learners.best_response import BestResponse
from jcaco.learners.best_response_oracle import BestResponseOracle
from jcaco.learners.best_response_sync import BestResponseSync
from jcaco.learners.checks import random_game
from jcaco.learners.fictitious_play import FictitiousPlay
from jcaco.learners.fp_empirical import EmpiricalFictitiousPlay
from jcaco.learners.information import AXES, NOTHING, Information
from jcaco.learners.registry import LEARNERS
from jcaco.learners.views import Setup, View, build_setup, build_view
from jcaco.rng import SeedBatch, stream
from jcaco.scenario.generator import PRESETS, generate_network
from jcaco.sim.environment import DynamicEnvironment
from jcaco.sim.loop import Slot, run_loop

DECLARATIONS = [Information(*levels) for levels in itertools.product(*AXES.values())]


class Probe(Learner):
    """Records the set-up and every view it gets; plays AP 0 and its first feasible server."""

    name = "probe"

    def __init__(self, declared: Information = NOTHING):
        self.declared = declared

    def declares(self) -> Information:
        return self.declared

    def reset(self, setup: Setup, rng: object) -> None:
        self.setup_ = setup
        self.views_: list[View] = []
        s, n, _, _ = setup.shape
        self.last_ = Profile(np.zeros((s, n), np.int64), np.argmax(setup.feasible, axis=-1))
        self.converged_ = np.zeros(s, dtype=bool)

    def act(self, view: View) -> Profile:
        self.views_.append(view)
        return self.last_


def _environment(seeds: list[int]) -> DynamicEnvironment:
    config = replace(PRESETS["small"], num_users=5)
    networks = [generate_network(config, stream(s, "scenario")) for s in seeds]
    return DynamicEnvironment(networks, seeds)


def _slots(seeds: list[int], count: int) -> list[Slot]:
    env = _environment(seeds)
    return [env.slot(t) for t in range(count)]


@pytest.mark.parametrize("info", DECLARATIONS, ids=str)
def test_loop_hands_a_learner_exactly_its_declared_fields(info: Information) -> None:
    seeds = [3, 4]
    env = _environment(seeds)
    probe = Probe(info)
    run_loop(env, probe, SeedBatch.from_seeds(seeds, "learner"), 3)
    reference = _slots(seeds, 3)  # the same slots, replayed from the same streams
    setup = probe.setup_
    assert (setup.num_users is not None) == info.at_least("others", "count")
    assert (setup.others is not None) == (info.others == "actions")
    np.testing.assert_array_equal(setup.tx_time_s, env.initial().tx_time_s)  # mean fading
    for view, slot in zip(probe.views_, reference, strict=True):
        assert view.information == info
        assert (view.active is not None) == (info.activity != "theta")
        assert (view.num_users is not None) == info.at_least("others", "count")
        counts = info.others == "active-count" or (
            info.others == "actions" and info.activity == "all"
        )
        assert (view.num_active is not None) == counts
        assert (view.others is not None) == (info.others == "actions")
        realised, mean = slot.game.tx_time_s, slot.mean_tx_time_s()
        assert not np.array_equal(realised, mean)  # fading makes them differ
        np.testing.assert_array_equal(view.tx_time_s, mean if info.channel == "mean" else realised)
        if view.active is not None:
            np.testing.assert_array_equal(view.active, slot.active)
        if view.others is not None:
            others_tx = realised if info.channel == "all" else mean
            np.testing.assert_array_equal(view.others.tx_time_s, others_tx)
            weight = slot.active if info.activity == "all" else slot.game.theta
            np.testing.assert_array_equal(view.others.weight, weight)


def test_mean_channel_times_follow_the_positions_not_the_fading() -> None:
    slots = _slots([5], 3)
    env = _environment([5])
    mean_at_start = env.initial().tx_time_s
    # positions move by the random walk, so the mean-fading times move too (slowly)
    assert not np.array_equal(slots[-1].mean_tx_time_s(), mean_at_start)
    ratio = slots[-1].mean_tx_time_s() / mean_at_start
    assert np.all(np.abs(np.log(ratio)) < 0.5)


def test_every_registered_learner_declares_information_and_a_role() -> None:
    for name, cls in LEARNERS.items():
        learner = cls()
        assert isinstance(learner.declares(), Information), name
        assert cls.role in ("competitor", "variant", "reference"), name
    assert LEARNERS["br-oracle"].role == "reference"
    assert LEARNERS["optimum"].role == "reference"
    assert LEARNERS["fp-empirical"].role == "variant"
    paper = ("masl", "br", "br-sync", "mxfp", "selfish", "raro")
    assert all(LEARNERS[name].role == "competitor" for name in paper)
    # the paper's sentences: MASL local feedback only; mxFP knows N; RARO / Selfish nothing
    assert LEARNERS["masl"]().declares() == Information("own", "mean", "none")
    assert LEARNERS["mxfp"]().declares() == Information("own", "own", "count")
    assert LEARNERS["br"]().declares().others == "actions"
    assert LEARNERS["raro"]().declares() == Information("theta", "mean", "none")


def _act_on(learner: Learner, game, active, seed: int = 1) -> Profile:
    """Reset ``learner`` on ``game`` (one seed) and act once on it with activity ``active``."""
    learner.reset(build_setup(learner.declares(), game), stream(seed, "learner"))
    view = build_view(
        learner.declares(),
        slot=0,
        game=game,
        mean_tx_time_s=lambda: game.tx_time_s,
        active=active,
        weight=active.astype(float),
        previous=None,
    )
    return learner.act(view)


def test_mxfp_ignores_the_others_realised_channel_fp_empirical_does_not() -> None:
    # two users, two APs: user 1's link to AP 0 gets very slow in the second game
    game = random_game(stream(2, "scenario"), num_seeds=1, num_users=2, num_aps=2)
    game = replace(game, theta=np.array([[0.9, 0.9]]))
    tx = np.array([[[1.0, 1.2], [1.0, 1.2]]])
    slow = tx.copy()
    slow[0, 1, 0] = 50.0
    active = np.ones((1, 2), dtype=bool)
    first, second = (replace(game, tx_time_s=t) for t in (tx, slow))
    for make in (lambda: FictitiousPlay(inertia=0.0),):
        a, b = _act_on(make(), first, active), _act_on(make(), second, active)
        assert a.ap[0, 0] == b.ap[0, 0] == 0  # user 0's own fastest AP, whatever user 1's times
    a = _act_on(EmpiricalFictitiousPlay(inertia=0.0), first, active)
    b = _act_on(EmpiricalFictitiousPlay(inertia=0.0), second, active)
    # with user 1 believed half on AP 0 at 50 s, user 0 leaves AP 0
    assert a.ap[0, 0] == 0 and b.ap[0, 0] == 1


def test_mxfp_picks_the_fastest_own_resource_under_both_readings() -> None:
    """Both stand-ins for the unknown others (own times, own mean time) give the same argmin."""
    rng = stream(9, "scenario")
    time = rng.uniform(0.1, 5.0, (3, 7, 4))
    theta = rng.uniform(0.5, 0.9, (3, 7))
    n, r = 7, time.shape[-1]
    like_me = time * (1 + (n - 1) * theta[..., None] / r)
    average = time + (n - 1) * theta[..., None] * time.mean(-1, keepdims=True) / r
    assert np.array_equal(np.argmin(like_me, -1), np.argmin(time, -1))
    assert np.array_equal(np.argmin(average, -1), np.argmin(time, -1))


def _cost(view: View, profile: Profile) -> np.ndarray:
    """Each user's payoff (AP delay + server delay) in the view's game, ``(S, N)``."""
    assert view.others is not None
    game = view.others
    total = 0.0
    for time, choice in ((game.tx_time_s, profile.ap), (game.compute_time_s, profile.server)):
        w = resource.player_weights(time, game.weight)
        total = total + resource.payoffs(w, choice)
    return np.asarray(total)


class _Recording(Learner):
    """Wraps a BR learner and records (view, previous profile, new profile) per slot."""

    def __init__(self, inner: Learner):
        self.inner = inner

    def declares(self) -> Information:
        return self.inner.declares()

    def reset(self, setup: Setup, rng: object) -> None:
        self.inner.reset(setup, rng)  # type: ignore[arg-type]
        self.log_: list[tuple[View, Profile, Profile]] = []
        self.converged_ = self.inner.converged

    def act(self, view: View) -> Profile:
        before = self.inner.last_.copy()
        after = self.inner.act(view).copy()
        self.log_.append((view, before, after))
        self.last_ = after
        self.converged_ = self.inner.converged
        return after

    def observe(self, profile: Profile, feedback: Feedback) -> None:
        self.inner.observe(profile, feedback)


@pytest.mark.parametrize("moves", [1, 3])
@pytest.mark.parametrize(
    "options", [{}, {"channel": "mean"}, {"activity": "own", "channel": "mean"}], ids=str
)
def test_br_makes_only_improving_moves_within_its_budget(moves: int, options: dict) -> None:
    seeds = [1, 2, 3]
    learner = _Recording(BestResponse(moves_per_slot=moves, **options))
    run_loop(_environment(seeds), learner, SeedBatch.from_seeds(seeds, "learner"), 40)
    moved_any = 0
    for view, before, after in learner.log_:
        changed = (before.ap != after.ap) | (before.server != after.server)
        assert (changed.sum(axis=-1) <= moves).all()
        assert view.others is not None and view.active is not None
        movers = changed & ~(view.active & (view.others.weight > 0))
        assert not movers.any(), "an inactive user (or a non-player) moved"
        if moves == 1:  # a single unilateral move lowers the mover's cost
            assert (_cost(view, after)[changed] < _cost(view, before)[changed]).all()
        moved_any += int(changed.sum())
    assert moved_any > 0


def test_br_sync_and_oracle_moves_improve_against_the_previous_profile() -> None:
    seeds = [4, 5]
    for inner in (BestResponseSync(), BestResponseOracle()):
        learner = _Recording(inner)
        run_loop(_environment(seeds), learner, SeedBatch.from_seeds(seeds, "learner"), 15)
        for view, before, after in learner.log_:
            changed = (before.ap != after.ap) | (before.server != after.server)
            if isinstance(inner, BestResponseSync):
                # each mover's unilateral deviation from the previous profile is improving
                for s, i in zip(*np.nonzero(changed), strict=True):
                    alone = before.copy()
                    alone.ap[s, i], alone.server[s, i] = after.ap[s, i], after.server[s, i]
                    assert _cost(view, alone)[s, i] < _cost(view, before)[s, i]
            else:  # the oracle ends every slot at an equilibrium of the slot's game
                assert view.others is not None
                for time, choice in (
                    (view.others.tx_time_s, after.ap),
                    (view.others.compute_time_s, after.server),
                ):
                    w = resource.player_weights(time, view.others.weight)
                    _, gain = resource.best_responses(w, choice)
                    assert np.all(gain[view.others.weight > 0] == 0)


def test_br_on_a_static_instance_ends_at_an_equilibrium(tiny_games) -> None:
    from jcaco.game import metrics
    from jcaco.jobs.solve import solve

    for game in tiny_games[:10]:
        result = solve(game, "br", seed=3)
        assert result.converged
        assert bool(metrics.is_nash(game, result.profile))


def test_list_json_gives_every_algorithm_its_information_and_role(jcaco) -> None:
    doc = json.loads(jcaco("list", "--json").out)
    rows = {a["name"]: a for a in doc["algorithms"]}
    assert set(rows) == set(LEARNERS)
    for row in rows.values():
        assert set(row) == {"name", "information", "role", "reading", "params", "parameters"}
        assert set(row["information"]) == {"activity", "channel", "others"}
    assert rows["br-oracle"]["role"] == "reference"
    assert rows["masl"]["information"] == {"activity": "own", "channel": "mean", "others": "none"}
    assert "moves_per_slot" in rows["br"]["params"]


def test_list_shows_the_learners_that_run_from_a_file(jcaco) -> None:
    """``policy`` (registry.FROM_FILES) cannot run with its defaults, so it is not among
    ``algorithms``; ``list`` and ``list --json`` (``from_files``) still show it and its
    parameters, so that a user finds it."""
    from jcaco.learners.registry import FROM_FILES

    doc = json.loads(jcaco("list", "--json").out)
    rows = {a["name"]: a for a in doc["from_files"]}
    assert set(rows) == set(FROM_FILES) and "policy" in rows
    assert not set(rows) & {a["name"] for a in doc["algorithms"]}
    assert set(rows["policy"]) == {"name", "information", "role", "reading", "params", "parameters"}
    assert {"path", "deterministic", "declaration"} <= set(rows["policy"]["params"])
    text = jcaco("list").out
    assert "policy        runs from a file: -a policy --param path=NAME.npz" in text
