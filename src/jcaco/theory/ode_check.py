"""Check (d): MASL against its mean ODE (Lemma 2) and where it ends (Lemmas 3–4),
docs/model.md §4.6.

A small fixed game (3 users, 2 APs, 2 servers) is learned by :class:`jcaco.learners.masl.core.MASL`
itself, batched over many seeds (:class:`jcaco.rng.SeedBatch`) in the slot loop
(:func:`jcaco.sim.loop.run_loop` over a :class:`~jcaco.sim.loop.StaticEnvironment`). With
time rescaled ``t = b · iteration`` the mean of the sample paths is compared with the
solution of (40)–(41) (:mod:`jcaco.theory.mean_ode`) at several learning rates b. Lemma 2 says the
paths follow the ODE as b → 0 on a finite horizon, so the deviation should shrink with b.

Lemma 3 (convergence to a corner) does not follow rigorously for this game (§4.6 caveat), so
the share of runs that end at a pure equilibrium is *reported*, not assumed. Lemma 4 is
checked at every corner of the simplex: the linearised flow is stable exactly at the strict
pure equilibria.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jcaco.game import metrics, resource
from jcaco.game.equilibria import enumerate_profiles
from jcaco.game.profile import Profile
from jcaco.io.files import save_figure
from jcaco.learners.base import Feedback, Learner
from jcaco.learners.masl.core import MASL, both_rates
from jcaco.learners.views import Announcements
from jcaco.model.instance import GameInstance, add_batch_axis, stack_instances
from jcaco.rng import SeedBatch, stream
from jcaco.sim.loop import Slot, StaticEnvironment, run_loop
from jcaco.theory import mean_ode
from jcaco.types import BoolArray, FloatArray

DEFAULT_RATES = (0.05, 0.01, 0.002)

#: Rescaled time at which the ODE's end point is read (it is at a corner long before).
LIMIT_T = 400.0


def ode_game() -> GameInstance:
    """The game of check (d): 3 users, 2 APs, 2 servers, θ = (0.9, 0.6, 0.8), times in s."""
    return GameInstance(
        theta=np.array([0.9, 0.6, 0.8]),
        tx_time_s=np.array([[3.0, 5.0], [2.0, 7.0], [4.0, 4.0]]),
        compute_time_s=np.array([[4.0, 2.0], [3.0, 6.0], [5.0, 3.0]]),
        steps=np.ones((3, 2), dtype=np.int64),
    )


@dataclass(frozen=True)
class Subgame:
    """One subgame of the ODE game: weights θ·time, allowed resources, reward normaliser."""

    name: str
    w: FloatArray  # [users, resources]
    allowed: BoolArray  # [users, resources]
    max_delay_s: float

    def uniform(self) -> FloatArray:
        """Initial strategies (33), ``[users, resources]``."""
        return self.allowed / self.allowed.sum(axis=1, keepdims=True)


def subgames(game: GameInstance) -> tuple[Subgame, Subgame]:
    """The AP and server subgames with MASL's own normalisers (O9, read after a reset)."""
    announced = Announcements.of(add_batch_axis(game))
    return (
        Subgame("ap", metrics.ap_weights(game), np.isfinite(game.tx_time_s),
                float(announced.expected_max_ap_load_s[0, 0])),
        Subgame("server", metrics.server_weights(game), game.feasible,
                float(announced.expected_max_server_load_s[0, 0])),
    )  # fmt: skip


@dataclass(frozen=True)
class RateRow:
    """MASL at one learning rate b (both rates b_c = b_o = b)."""

    learning_rate: float
    sample_paths: int
    slots_run: int
    compared_until_t: float
    max_deviation: float
    max_standard_error: float
    converged_share: float
    nash_share: float


@dataclass(frozen=True)
class CornerRow:
    """Lemma 4 at the corners of one subgame: stable corners versus strict pure equilibria."""

    subgame: str
    corners: int
    strict_equilibria: int
    stable_corners: int
    stable_equals_strict_equilibria: bool


@dataclass(frozen=True)
class OdeCheck:
    """Check (d): the ODE's limit, the corners, and MASL at every learning rate."""

    num_users: int
    num_aps: int
    num_servers: int
    horizon_t: float
    ode_limit_ap: tuple[int, ...]
    ode_limit_server: tuple[int, ...]
    ode_limit_is_nash: bool
    corners: tuple[CornerRow, ...]
    rates: tuple[RateRow, ...]


@dataclass(frozen=True)
class OdeTraces:
    """Curves for the figure: ``p_{i,0}`` of the ODE and of the sample mean, per rate."""

    times: tuple[FloatArray, ...]  # per rate, [points]
    ode: tuple[FloatArray, ...]  # per rate, [points, subgames * users]
    mean: tuple[FloatArray, ...]  # per rate, [points, subgames * users]


def corner_rows(parts: tuple[Subgame, ...], theta: FloatArray) -> tuple[CornerRow, ...]:
    """Classify every corner of each subgame by its linear stability and its strictness."""
    rows = []
    for part in parts:
        corners = enumerate_profiles(part.allowed)
        stable = strict = agree = 0
        for choice in corners:
            rates = mean_ode.corner_rates(choice, part.w, theta, part.max_delay_s, part.allowed)
            cost = resource.deviation_costs(part.w, choice, resource.loads(part.w, choice))
            own = resource.chosen(cost, choice)[:, None]
            others = np.isfinite(rates)  # the resources the user could move to
            is_stable = bool((rates[others] < 0).all())
            is_strict = bool((cost[others] > np.broadcast_to(own, cost.shape)[others]).all())
            stable, strict = stable + is_stable, strict + is_strict
            agree += is_stable == is_strict
        rows.append(CornerRow(part.name, len(corners), strict, stable, agree == len(corners)))
    return tuple(rows)


def _sample_paths(
    game: GameInstance,
    parts: tuple[Subgame, ...],
    rate: float,
    paths: int,
    slots: int,
    seed: int,
    index: int,
) -> tuple[FloatArray, FloatArray, BoolArray, BoolArray, int]:
    """Run MASL on ``paths`` seeds; the mean and the standard error of the mean of the
    strategies after every slot, ``[slots+1, 2, N, R]`` each."""
    batch = stack_instances([game] * paths)
    activity = SeedBatch([stream(seed, "activity", index, k) for k in range(paths)])
    learner_rng = SeedBatch([stream(seed, "learner", index, k) for k in range(paths)])
    # the ODE (40) is derived for fresh samples by every user each slot (docs/model.md Alg. 1)
    learner = MASL(**both_rates(rate), sampling="all", normaliser="o9")
    means = [np.stack([part.uniform() for part in parts])]
    errors = [np.zeros_like(means[0])]

    def record(_slot: Slot, _profile: Profile, _feedback: Feedback, _learner: Learner) -> None:
        both = (learner.probs_ap_, learner.probs_server_)
        means.append(np.stack([p.mean(axis=0) for p in both]))
        errors.append(np.stack([p.std(axis=0) for p in both]) / np.sqrt(paths))

    outcome = run_loop(
        StaticEnvironment(batch, activity), learner, learner_rng, slots,
        stop_when_converged=True, callback=record,
    )  # fmt: skip
    nash = metrics.is_nash(batch, outcome.profile)
    return np.stack(means), np.stack(errors), outcome.converged, nash, outcome.slots


def check_ode(
    rates: tuple[float, ...] = DEFAULT_RATES,
    paths: int = 100,
    horizon_t: float = 40.0,
    run_t: float = 80.0,
    seed: int = 0,
    points: int = 200,
) -> tuple[OdeCheck, OdeTraces]:
    """Compare the mean of ``paths`` MASL runs with the ODE up to ``horizon_t`` at each rate.

    Each run lasts at most ``run_t / b`` slots and stops once every seed has converged (O10);
    the final argmax profiles give the shares of converged runs and of pure equilibria.
    """
    game = ode_game()
    parts = subgames(game)
    theta = game.theta
    ends = np.array([0.0, LIMIT_T])
    limit = [
        mean_ode.integrate(p.uniform(), p.w, theta, p.max_delay_s, ends, p.allowed)[-1]
        for p in parts
    ]
    limit_profile = Profile(limit[0].argmax(axis=1), limit[1].argmax(axis=1))
    rows, times, ode_curves, mean_curves = [], [], [], []
    for index, rate in enumerate(rates):
        means, errors, converged, nash, slots = _sample_paths(
            game, parts, rate, paths, int(round(run_t / rate)), seed, index
        )
        compared = min(len(means), int(round(horizon_t / rate)) + 1)
        t = np.arange(compared, dtype=float) * rate
        # [compared, 2, users, resources]
        exact = np.stack(
            [
                mean_ode.integrate(p.uniform(), p.w, theta, p.max_delay_s, t, p.allowed)
                for p in parts
            ],
            axis=1,
        )
        deviation = float(np.abs(means[:compared] - exact).max())
        rows.append(
            RateRow(
                rate, paths, slots, float(t[-1]), deviation, float(errors[:compared].max()),
                float(converged.mean()), float(nash.mean()),
            )
        )  # fmt: skip
        keep = np.unique(np.linspace(0, compared - 1, points).astype(int))
        times.append(t[keep])
        ode_curves.append(exact[keep, :, :, 0].reshape(len(keep), -1))
        mean_curves.append(means[keep, :, :, 0].reshape(len(keep), -1))
    check = OdeCheck(
        game.num_users,
        game.num_aps,
        game.num_servers,
        horizon_t,
        tuple(int(v) for v in limit_profile.ap),
        tuple(int(v) for v in limit_profile.server),
        bool(metrics.is_nash(game, limit_profile)),
        corner_rows(parts, theta),
        tuple(rows),
    )
    return check, OdeTraces(tuple(times), tuple(ode_curves), tuple(mean_curves))


def plot_ode(check: OdeCheck, traces: OdeTraces, path: str) -> str:
    """Draw the ODE against the sample mean of ``p_{i,0}`` (one panel per rate); write PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(check.rates), figsize=(4.2 * len(check.rates), 3.4))
    for ax, row, t, exact, mean in zip(
        np.atleast_1d(axes), check.rates, traces.times, traces.ode, traces.mean, strict=True
    ):
        for col in range(exact.shape[1]):
            part = "AP" if col < check.num_users else "server"
            label = f"{part} 0, user {col % check.num_users}"
            (line,) = ax.plot(t, exact[:, col], lw=1.2, label=label)
            ax.plot(t, mean[:, col], ls="--", lw=1.0, color=line.get_color())
        ax.set_title(f"b = {row.learning_rate:g}: max dev {row.max_deviation:.3f}")
        ax.set_xlabel("t = b · iteration")
        ax.set_ylim(-0.02, 1.02)
    np.atleast_1d(axes)[0].set_ylabel("p (solid: ODE, dashed: run mean)")
    np.atleast_1d(axes)[-1].legend(fontsize=7, loc="best")
    fig.tight_layout()
    save_figure(fig, path, dpi=120)
    plt.close(fig)
    return path
