"""``jcaco simulate``: one time-slotted run of one algorithm on a scenario."""

from __future__ import annotations

import click

from jcaco.cli.options import (
    COUNT,
    NON_NEGATIVE_M,
    InputFile,
    algorithm_option,
    as_options,
    drop_infeasible_option,
    hyperparameters,
    learner_options,
    seed_option,
)
from jcaco.cli.output import OutputPath
from jcaco.errors import InputError

#: What ``-o FOLDER`` holds (the folder is replaced whole: docs/formats.md).
SIMULATION_FILES = frozenset({"trace.parquet", "users.parquet", "convergence.png"})

#: The paper's iteration budget (docs/model.md O10).
DEFAULT_SLOTS = 2000

#: ``--record auto`` records every user's time when N x T is at most this (80 MB of floats,
#: streamed to users.parquet); above it only the per-slot totals and metrics.
AUTO_RECORD_USER_SLOTS = 10_000_000


@click.command()
@click.argument("scenario", type=InputFile())
@algorithm_option(required=True)
@click.option("--slots", type=COUNT, default=DEFAULT_SLOTS, show_default=True, help="Slots T.")
@seed_option(help="Root seed.")
@learner_options
@click.option(
    "--fading", type=click.Choice(["rayleigh", "mean"]), default="rayleigh", show_default=True
)
@click.option("--mobility/--no-mobility", default=True, show_default=True, help="Random walk.")
@click.option(
    "--activity/--no-activity",
    default=True,
    show_default=True,
    help="Redraw a(t) ~ Bernoulli(θ) (else every user is always active).",
)
@click.option(
    "--step-radius-m",
    type=NON_NEGATIVE_M,
    default=5.0,
    show_default=True,
    help="Random-walk step per slot [m].",
)
@drop_infeasible_option
@click.option(
    "--record",
    type=click.Choice(["auto", "users", "totals"]),
    default="auto",
    show_default=True,
    help="users: also stream every user's time per slot to users.parquet; totals: only the "
    f"per-slot totals and metrics; auto: users when users x slots <= {AUTO_RECORD_USER_SLOTS:.0e}.",
)
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=OutputPath(folder=True, owns=SIMULATION_FILES.__contains__),
    default="simulation",
    show_default=True,
    help="Folder for trace.parquet, users.parquet and convergence.png (replaced whole).",
)
def simulate(
    scenario: str,
    algorithm: str,
    slots: int,
    seed: int,
    learning_rate: float | None,
    params: tuple[tuple[str, str], ...],
    fading: str,
    mobility: bool,
    activity: bool,
    step_radius_m: float,
    drop_infeasible: bool,
    record: str,
    out_dir: str,
) -> None:
    """Simulate ALGORITHM on SCENARIO over time slots; write the trace and a plot.

    The trace (trace.parquet) has the per-slot totals and metrics; with per-user recording
    on, users.parquet has every user's realised service time per slot, streamed in row groups.
    """
    from pathlib import Path

    from jcaco.api import simulate as run_simulate
    from jcaco.io.output_paths import atomic_folder
    from jcaco.model.build import check_feasible
    from jcaco.model.files import load_network
    from jcaco.sim.dynamics import DynamicsConfig
    from jcaco.sim.outputs import plot_convergence, write_trace
    from jcaco.sim.simulate import provenance
    from jcaco.sim.user_times import UserTimesWriter

    hyper = hyperparameters(algorithm, params, learning_rate)  # checked before loading
    try:
        net, _ = check_feasible(load_network(scenario), drop_infeasible)
    except InputError as exc:
        raise exc if exc.source else exc.with_source(scenario) from None
    dynamics = DynamicsConfig(activity, fading, mobility, step_radius_m)  # type: ignore[arg-type]
    out = Path(out_dir)
    meta = {
        **provenance([seed]),
        "scenario": str(scenario),
        "slots": slots,
        "params": {k: str(v) for k, v in hyper.items()},
        "dynamics": {
            "activity": activity,
            "fading": fading,
            "mobility": mobility,
            "step_radius_m": step_radius_m,
        },
    }
    users = record == "users" or (
        record == "auto" and net.num_users * slots <= AUTO_RECORD_USER_SLOTS
    )
    with atomic_folder(out, SIMULATION_FILES.__contains__) as tmp:  # one run's files, or none
        writer = (
            UserTimesWriter(tmp / "users.parquet", algorithm, [seed], net.num_users, meta)
            if users
            else None
        )
        try:  # the API's seed (its memory check) is --seed; a range refused, --param
            with as_options("--param", seed="--seed"):
                trace = run_simulate(
                    net, algorithm, seed=seed, slots=slots, params=hyper, dynamics=dynamics,
                    user_sink=writer,
                )  # fmt: skip
        except BaseException:
            if writer is not None:
                writer.abort()
            raise
        write_trace(trace, tmp / "trace.parquet", meta)
        plot_convergence(trace, tmp / "convergence.png")
        if writer is not None:
            writer.close()
    window = min(100, slots)
    click.echo(
        f"{algorithm}, seed {seed}, {slots} slots: mean total service time over the last "
        f"{window} slots {trace.tail_mean(window)[0]:.3f} s, final Nash gap "
        f"{trace.nash_gap_s[-1, 0]:.3g} s, converged {bool(trace.converged[-1, 0])}"
    )
    click.echo(f"wrote {out / 'trace.parquet'}")
    if writer is not None:
        click.echo(f"wrote {out / 'users.parquet'}")
    click.echo(f"wrote {out / 'convergence.png'}")


COMMANDS = [simulate]
