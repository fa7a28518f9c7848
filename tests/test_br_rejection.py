"""``br`` with ``draw="rejection"``: kernel = numpy form, batched = alone, the mover's law.

The mover must be uniform over the active users that can improve (the default's law): a
chi-square test with fixed seeds on a tiny game. Also: it reaches an equilibrium (the default's
test), the scan path runs when few can improve, and on integer weights the incremental loads
equal bincount's after every move.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
from scipy import stats

from jcaco import kernels
from jcaco.game import resource
from jcaco.learners import best_response_rejection as rej
from jcaco.learners.best_response import BestResponse
from jcaco.learners.checks import check_learner
from jcaco.learners.information import Information
from jcaco.learners.views import build_setup, build_view
from jcaco.model.instance import GameInstance
from jcaco.rng import SeedBatch, stream

KERNEL = kernels.load("jcaco.learners._best_response_rejection_numba")
ENGINES = ["numpy"] + ([] if KERNEL is None else ["numba"])


def _game(seed: int, seeds: int, users: int, ticks: bool) -> GameInstance:
    """Random games: θ in {0, 0.3, 0.7, 1}, ~25 % infeasible servers, integer times if ticks."""
    rng = stream(seed, "scenario")
    theta = rng.choice([0.0, 0.3, 0.7, 1.0], (seeds, users))
    tx = rng.uniform(0.1, 3.0, (seeds, users, 3))
    compute = rng.uniform(0.5, 3.0, (seeds, users, 4))
    if ticks:
        tx, compute = np.ceil(tx * 4), np.ceil(compute * 4)
    compute[rng.random(compute.shape) < 0.25] = np.inf
    feasible = rng.integers(0, 4, (seeds, users))
    compute[np.arange(seeds)[:, None], np.arange(users), feasible] = 1.0
    steps = np.where(np.isfinite(compute), 10, 0).astype(np.int64)
    return GameInstance(theta=theta, tx_time_s=tx, compute_time_s=compute, steps=steps)


def _view(info: Information, slot: int, game: GameInstance, active: np.ndarray, previous):
    """The view of a slot whose players are the active users (realised times)."""
    mean = functools.partial(getattr, game, "tx_time_s")
    weight = np.where(active, 1.0, 0.0)
    return build_view(info, slot=slot, game=game, mean_tx_time_s=mean, active=active,
                      weight=weight, previous=previous)  # fmt: skip


def _run(engine: str, game: GameInstance, seeds: list[int], moves: int, slots: int) -> list:
    """Slots of one learner on a batch of seeds, each seed's activity and draws its own."""
    learner = BestResponse(moves_per_slot=moves, draw="rejection")
    info = learner.declares()
    rng = SeedBatch.from_seeds(seeds, "learner")
    out: list[np.ndarray] = []
    with kernels.use(engine):  # type: ignore[arg-type]
        learner.reset(build_setup(info, game), rng)
        previous = None
        for t in range(slots):
            draws = np.stack(
                [stream(seed, "activity", t).random(game.theta.shape[1]) for seed in seeds]
            )
            active = draws < game.theta
            view = _view(info, t, game, active, previous)
            previous = learner.act(view)
            out += [previous.ap.copy(), previous.server.copy(), learner.moves_.copy()]
            out.append(learner.converged_.copy())
    return out


@pytest.mark.skipif(KERNEL is None, reason="numba not installed")
@pytest.mark.parametrize("case", range(8))
def test_kernel_equals_numpy_form(case: int) -> None:
    game = _game(case, 1 + case % 3, 30 + 40 * case, case % 2 == 0)
    seeds = list(range(case, case + game.theta.shape[0]))
    runs = [_run(e, game, seeds, 1 + 7 * case, 5) for e in ENGINES]
    for part, (a, b) in enumerate(zip(*runs, strict=True)):
        assert np.array_equal(a, b), (case, part)


@pytest.mark.parametrize("engine", ENGINES)
def test_batched_equals_one_by_one(engine: str) -> None:
    game = _game(3, 3, 60, False)
    batch = _run(engine, game, [5, 6, 7], 5, 4)
    for s, seed in enumerate([5, 6, 7]):
        one = GameInstance(game.theta[s : s + 1], game.tx_time_s[s : s + 1],
                           game.compute_time_s[s : s + 1], game.steps[s : s + 1])  # fmt: skip
        alone = _run(engine, one, [seed], 5, 4)
        for a, b in zip(batch, alone, strict=True):
            assert np.array_equal(a[s : s + 1], b)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("ticks", [False, True])
def test_reaches_an_equilibrium(engine: str, ticks: bool) -> None:
    """Static game, everybody active: the moves end where nobody can improve (exact loads)."""
    game = _game(11, 2, 150, ticks)
    learner = BestResponse(moves_per_slot=100_000, draw="rejection")
    info = learner.declares()
    with kernels.use(engine):  # type: ignore[arg-type]
        learner.reset(build_setup(info, game), SeedBatch.from_seeds([1, 2], "learner"))
        active = game.theta > 0
        view = _view(info, 0, game, active, None)
        profile = learner.act(view)
    assert learner.converged_.all() and (learner.moves_ > 0).all()
    weight = np.where(active, 1.0, 0.0)
    for time, choice in ((game.tx_time_s, profile.ap), (game.compute_time_s, profile.server)):
        _, gain = resource.best_responses(resource.player_weights(time, weight), choice)
        assert (gain == 0).all()


def _tiny() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """8 users, 2 APs, 2 servers, integer weights; some users can improve, some cannot."""
    w_ap = np.array([[1, 1], [2, 1], [1, 3], [4, 1], [1, 1], [3, 2], [1, 5], [2, 2]], float)
    w_sv = np.array([[2, 9], [1, 1], [5, 1], [1, 2], [3, 3], [1, 4], [2, 1], [1, 1]], float)
    return w_ap, w_sv, np.array([0, 0, 0, 0, 1, 1, 1, 1]), np.array([0, 0, 0, 0, 0, 1, 1, 0])


@pytest.mark.parametrize("engine", ENGINES)
def test_mover_is_uniform_over_those_that_can_improve(engine: str) -> None:
    """Chi-square (fixed seed, deterministic): 4,000 first moves, each from the same profile."""
    w_ap, w_sv, ap0, sv0 = _tiny()
    best_ap, _ = resource.best_responses(w_ap, ap0)
    best_sv, _ = resource.best_responses(w_sv, sv0)
    can = (best_ap != ap0) | (best_sv != sv0)
    assert 2 <= can.sum() < 8  # the test needs rejections and a choice
    rng = stream(2024, "learner")
    counts = np.zeros(8, dtype=np.int64)
    with kernels.use(engine):  # type: ignore[arg-type]
        for _ in range(4000):
            ap, sv = ap0[None].copy(), sv0[None].copy()
            rej.rejection_slot(w_ap[None], w_sv[None], ap, sv, np.ones((1, 8), bool), 1, rng)
            moved = np.flatnonzero((ap[0] != ap0) | (sv[0] != sv0))
            assert moved.size == 1
            counts[moved[0]] += 1
    assert (counts[~can] == 0).all()
    result = stats.chisquare(counts[can])
    assert result.pvalue > 0.001, (counts, result)


@pytest.mark.parametrize("engine", ENGINES)
def test_integer_loads_stay_exact_and_scan_runs(engine: str) -> None:
    """Integer weights: the incremental loads equal bincount's after every move; with one user
    left able to improve among many the budget runs out and the exact scan finds it."""
    rng = stream(5, "scenario")
    n = 400
    w_ap, w_sv = np.ceil(rng.uniform(0, 8, (n, 3))), np.ceil(rng.uniform(0, 8, (n, 4)))
    ap, sv = rng.integers(0, 3, n), rng.integers(0, 4, n)
    step = rej.rejection_moves if engine == "numpy" else KERNEL.rejection_moves  # type: ignore[union-attr]
    load_ap, load_sv = resource.loads(w_ap, ap), resource.loads(w_sv, sv)
    active = np.arange(n, dtype=np.int64)
    state = np.array([10**6, 0, 0, 0, 5], dtype=np.int64)  # budget of 5 rejections
    draws = stream(6, "learner").random(1)
    scans = 0
    while state[3] == 0:
        rejected = state[1]
        step(
            w_ap, w_sv, ap, sv, active, load_ap, load_sv, draws, state, np.empty(n, np.int64), 1e-9
        )
        scans += rejected >= 5
        assert np.array_equal(load_ap, resource.loads(w_ap, ap))
        assert np.array_equal(load_sv, resource.loads(w_sv, sv))
        draws = stream(6, "learner", int(state[2]), int(state[1])).random(1)
    assert scans > 1 and state[2] > 0
    for w, c in ((w_ap, ap), (w_sv, sv)):
        assert (resource.best_responses(w, c)[1] == 0).all()


def test_refused_with_price() -> None:
    learner = BestResponse(draw="rejection", price=True)
    game = _game(1, 1, 5, False)
    with pytest.raises(ValueError, match="price"):
        learner.reset(build_setup(learner.declares(), game), stream(0, "learner"))


def test_conforms_to_the_protocol() -> None:
    check_learner(lambda: BestResponse(draw="rejection"), seed=3)
    check_learner(lambda: BestResponse(draw="rejection", moves_per_slot=50), seed=4)
