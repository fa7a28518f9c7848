"""``jcaco study``: the learner studies of docs/algorithms.md, each printed as a markdown table.

``masl-equilibria``
    How often MASL ends at a pure equilibrium on small random games, per learning rate b and
    iteration budget T (:mod:`jcaco.studies.masl_study`).
``masl-options``
    MASL's ``sampling`` and ``normaliser`` options in the figures' simulation, as paired
    differences over seeds (:mod:`jcaco.studies.masl_options`).
``masl-normaliser``
    MASL's normaliser family: the rule that picks the default and the table of constants,
    clipped shares and totals against ``br`` and ``br-sync``
    (:mod:`jcaco.studies.masl_normaliser`).
``bandit-defaults``
    The ``bandit`` learner's ``step``, ``switch_rate`` and trials against ``loglinear price``
    on the same networks (:mod:`jcaco.studies.bandit_defaults`).

Seed s of either study is the root seed s of every stream it draws from (seeds 0..S-1).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import click

from jcaco.cli.options import COUNT, LEARNING_RATE, PROBABILITY, CommaList, F
from jcaco.cli.output import OutputPath, markdown_table
from jcaco.errors import InputError

DEFAULT_RATES = "0.001,0.003,0.01,0.03,0.1"  # jcaco.studies.masl_study.LEARNING_RATES
DEFAULT_BUDGETS = "1000,3000,10000,30000,100000"  # jcaco.studies.masl_study.BUDGETS


def _list_option(
    flag: str, item: click.ParamType, default: str, help: str, length: int | None = None
) -> Callable[[F], F]:
    """``FLAG a,b,c``: comma-separated values of ``item``'s type."""
    return click.option(
        flag, type=CommaList(item, length), default=default, show_default=True, help=help
    )


@click.group()
def study() -> None:
    """The learner studies of docs/algorithms.md (each prints a markdown table)."""


@study.command(name="masl-equilibria")
@click.option("--seeds", type=COUNT, default=100, show_default=True, help="Games of seeds 0..S-1.")
@_list_option("--rates", LEARNING_RATE, DEFAULT_RATES, "Learning rates b (b_c = b_o = b).")
@_list_option("--budgets", COUNT, DEFAULT_BUDGETS, "Iteration budgets T (one run serves them all).")
@_list_option("--activity", PROBABILITY, "0.5,0.9", "Activity range lo,hi of the users.", 2)
def masl_equilibria(
    seeds: int,
    rates: tuple[float, ...],
    budgets: tuple[int, ...],
    activity: tuple[float, float],
) -> None:
    """How often MASL ends at a pure equilibrium, per learning rate and
    budget (docs/model.md §4.6)."""
    from dataclasses import replace

    from jcaco.scenario.generator import PRESETS
    from jcaco.studies.masl_study import masl_study

    try:
        config = replace(PRESETS["small"], activity=activity)
    except InputError as exc:
        raise InputError(exc.message, field="--activity") from None
    start = time.perf_counter()
    rows = masl_study(
        seeds=tuple(range(seeds)), learning_rates=rates, budgets=budgets, config=config
    )
    lo, hi = activity
    click.echo(
        f"MASL on {seeds} random games: {config.num_users} users, {config.num_aps} APs, "
        f"{config.num_servers} servers, theta in [{lo}, {hi}] "
        f"({time.perf_counter() - start:.0f} s)\n"
    )
    header = ["b", "budget T", "NE share", "converged", "mean iterations", "(15) / br"]
    header += ["(15) / best NE", "mean Nash gap [s]"]
    cells = [
        [
            f"{r.learning_rate:g}",
            f"{r.budget:,}",
            f"{r.ne_share:.2f}",
            f"{r.converged_share:.2f}",
            f"{r.mean_iterations:,.0f}",
            f"{r.ratio_to_br:.3f}",
            f"{r.ratio_to_best_ne:.3f}",
            f"{r.mean_nash_gap_s:.3g}",
        ]
        for r in rows
    ]
    click.echo(markdown_table(header, cells))


@study.command(name="masl-options")
@click.option(
    "--seeds", type=COUNT, default=20, show_default=True, help="Networks of seeds 0..S-1."
)
@click.option("--slots", type=COUNT, default=2000, show_default=True, help="Slots T per run.")
def masl_options(seeds: int, slots: int) -> None:
    """MASL's sampling and normaliser options: paired differences to active/o9 over seeds."""
    from jcaco.studies.masl_options import masl_options as run_options

    header = ["configuration", "sampling", "normaliser", "total service time [s]"]
    header += ["paired difference to active/o9 [s] (95% CI)", "converged"]
    cells = [
        [
            r.config,
            r.sampling,
            r.normaliser,
            f"{r.mean_total_s:.1f}",
            f"{r.diff_s:+.1f} [{r.diff_low_s:+.1f}, {r.diff_high_s:+.1f}]",
            f"{r.converged_share:.0%}",
        ]
        for r in run_options(seeds, slots)
    ]
    click.echo(markdown_table(header, cells))


@study.command(name="masl-normaliser")
@click.option(
    "--seeds", type=COUNT, default=20, show_default=True, help="Networks of seeds 0..S-1."
)
@click.option(
    "--slots", type=COUNT, default=2000, show_default=True, help="Slots T per run (20000: long)."
)
@click.option(
    "-o",
    "--output",
    type=OutputPath(folder=True),
    default=None,
    help="Also write masl_normaliser.csv and masl_normaliser.md into this folder.",
)
def masl_normaliser(seeds: int, slots: int, output: str | None) -> None:
    """MASL's normaliser: the constant the rule picks, and the table behind it."""
    from jcaco.cli.study_tables import normaliser_report

    start, cpu = time.perf_counter(), time.process_time()
    markdown, csv_text = normaliser_report(seeds, slots)
    took = f"{time.perf_counter() - start:.0f} s wall, {time.process_time() - cpu:.0f} s CPU"
    click.echo(f"{markdown}\n({seeds} seeds, T = {slots:,} slots; {took})")
    if output is not None:
        from pathlib import Path

        from jcaco.io.files import write_text

        folder = Path(output)
        folder.mkdir(parents=True, exist_ok=True)
        write_text(folder / "masl_normaliser.csv", csv_text)
        write_text(folder / "masl_normaliser.md", markdown + "\n")
        click.echo(f"wrote {folder / 'masl_normaliser.csv'} and {folder / 'masl_normaliser.md'}")


@study.command(name="bandit-defaults")
@click.option("--seeds", type=COUNT, default=8, show_default=True, help="Networks of seeds 0..S-1.")
@click.option("--slots", type=COUNT, default=2000, show_default=True, help="Slots T per run.")
def bandit_defaults(seeds: int, slots: int) -> None:
    """The bandit's options: mean total per configuration and ratio to loglinear price."""
    import numpy as np

    from jcaco.studies.bandit_defaults import bandit_defaults as run_defaults
    from jcaco.studies.masl_options import CONFIGS

    totals = run_defaults(seeds, slots)
    base = np.array(totals["loglinear price"])
    header = ["series", *(label for label, _ in CONFIGS), "mean ratio to loglinear price"]
    cells = [
        [label, *(f"{v:.1f}" for v in values), f"{float(np.mean(np.array(values) / base)):.3f}"]
        for label, values in totals.items()
    ]
    click.echo(markdown_table(header, cells))


COMMANDS = [study]
