"""``jcaco solve`` and ``jcaco evaluate``: one algorithm's certified result, or a given one's."""

from __future__ import annotations

import click

from jcaco.cli.options import (
    COUNT,
    InputFile,
    algorithm_option,
    as_options,
    drop_infeasible_option,
    hyperparameters,
    learner_options,
    seed_option,
)
from jcaco.cli.output import OutputPath, echo_json, print_result, write_result
from jcaco.errors import InputError

_JSON_HELP = "Print the jcaco.result/1 JSON."


@click.command()
@click.argument("file", type=InputFile())
@algorithm_option(default="masl", show_default=True)
@seed_option(help="Root seed.")
@click.option(
    "--iterations", type=COUNT, help="Slot budget (default 100000; stops at convergence)."
)
@learner_options
@drop_infeasible_option
@click.option("--json", "as_json", is_flag=True, help=_JSON_HELP)
@click.option("-o", "--output", type=OutputPath(), help="Also write the JSON.")
def solve(
    file: str,
    algorithm: str,
    seed: int,
    iterations: int | None,
    learning_rate: float | None,
    params: tuple[tuple[str, str], ...],
    drop_infeasible: bool,
    as_json: bool,
    output: str | None,
) -> None:
    """Solve a scenario or instance with one algorithm and certify the result."""
    from jcaco.api import solve as run_solve
    from jcaco.jobs.solve import DEFAULT_ITERATIONS

    hyper = hyperparameters(algorithm, params, learning_rate)  # checked before loading
    with as_options("--param"):  # a hyperparameter outside its range, refused by reset
        result = run_solve(
            file,
            algorithm,
            seed=seed,
            iterations=iterations or DEFAULT_ITERATIONS,
            params=hyper,
            drop_infeasible=drop_infeasible,
        )
    doc = result.to_dict()
    if output:
        write_result(output, doc)
    if as_json:
        echo_json(doc)
    else:
        print_result(doc)


@click.command()
@click.argument("file", type=InputFile())
@click.option("--assignment", required=True, type=InputFile())
@click.option("--json", "as_json", is_flag=True, help=_JSON_HELP)
def evaluate(file: str, assignment: str, as_json: bool) -> None:
    """Score a given assignment on a scenario or instance."""
    from jcaco.api import evaluate as run_evaluate
    from jcaco.api import load

    game = load(file)
    try:
        result = run_evaluate(game, assignment)
    except InputError as exc:
        raise exc.with_source(assignment) from None
    doc = result.to_dict()
    if as_json:
        echo_json(doc)
    else:
        print_result(doc)


COMMANDS = [solve, evaluate]
