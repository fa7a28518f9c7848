"""``jcaco check-learner``: run the learner conformance check on a user's own learner."""

from __future__ import annotations

import click

from jcaco.cli.options import COUNT, seed_option


@click.command(name="check-learner")
@click.argument("learner")
@seed_option(help="Root seed of the check.")
@click.option("--slots", type=COUNT, default=12, show_default=True, help="Slots to drive it.")
def check_learner(learner: str, seed: int, slots: int) -> None:
    """Check LEARNER (package.module:ClassName, or a name) against the learner protocol.

    Exit status 0 when it conforms, 1 when it breaks the protocol (the first breach is
    printed), 2 when LEARNER does not import or is not a learner class, or names a file that
    is not a readable one (``policy@PATH``).
    """
    from jcaco.errors import InputError
    from jcaco.learners.checks import check_learner as run_check
    from jcaco.learners.registry import resolve

    cls = resolve(learner)
    try:
        info = cls().declares()
    except InputError:  # bad input named by LEARNER (policy@PATH: no such file): exit 2
        raise
    except Exception as exc:  # the user's __init__ or declares() failed
        click.echo(f"{learner}: FAILED: {cls.__name__}() raised {type(exc).__name__}: {exc}")
        click.get_current_context().exit(1)
    params = ", ".join(cls.param_names()) or "-"
    click.echo(f"{learner}: {cls.__module__}.{cls.__qualname__}")
    click.echo(f"  information: {info}   role: {cls.role}   params: {params}")
    try:
        run_check(cls, seed=seed, num_slots=slots)
    except AssertionError as exc:
        click.echo(f"{learner}: FAILED: {exc}")
        click.get_current_context().exit(1)
    except Exception as exc:  # the learner itself raised while being driven
        click.echo(f"{learner}: FAILED: raised {type(exc).__name__}: {exc}")
        click.get_current_context().exit(1)
    click.echo(
        f"{learner}: PASSED (__init__ stores only hyperparameters; valid profiles on feasible "
        "servers from the declared view; inactive users' state unchanged; same seed, same "
        f"actions; a batch of seeds acts as the seeds alone; {slots} slots, seed {seed})"
    )


COMMANDS = [check_learner]
