"""The option types and options every ``jcaco`` command shares, and one wording for their errors.

A value outside what an option allows fails while the command line is parsed, with the message
``must be <what is allowed>, got <value>``; :func:`jcaco.cli.app.main` prints it as one line
``jcaco: error: --flag: must be ..., got ...`` and exits with status 2 (docs/architecture.md).

Only ``click`` and :mod:`jcaco.errors` are imported here, so ``jcaco --help`` stays fast; the
learner registry is imported where a name is checked.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from jcaco.errors import InputError

F = TypeVar("F", bound=Callable[..., Any])


class BoundedInt(click.IntRange):
    """An integer with a lower bound (a count, a seed), failing as ``must be <allowed>``.

    Parameters
    ----------
    minimum : int
        The smallest value allowed.
    allowed : str
        What is allowed, in words, for the error message (``"an integer >= 1"``).
    """

    def __init__(self, minimum: int, allowed: str) -> None:
        super().__init__(min=minimum)
        self.allowed = allowed

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            self.fail(f"must be {self.allowed}, got {value}", param, ctx)


class BoundedFloat(click.FloatRange):
    """A real number in a range (NaN never allowed), failing as ``must be <allowed>``.

    Parameters
    ----------
    allowed : str
        What is allowed, in words, for the error message (``"a number in (0, 1]"``).
    **bounds
        ``min``, ``max``, ``min_open``, ``max_open`` as for :class:`click.FloatRange`.
    """

    def __init__(self, allowed: str, **bounds: Any) -> None:
        super().__init__(**bounds)
        self.allowed = allowed

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            number = super().convert(value, param, ctx)
        except click.BadParameter:
            number = math.nan
        if math.isnan(number):
            self.fail(f"must be {self.allowed}, got {value}", param, ctx)
        return number


class InputFile(click.Path):
    """A file the command reads; a folder fails as ``FILE: --flag: is a folder; allowed: a
    file`` (click's own check named the metavar, ``FILE: File 'x' is a directory.``).

    A missing or unreadable file is left to the reader, which names it the same way
    (``FILE: file not found``).
    """

    def __init__(self) -> None:
        super().__init__(dir_okay=False)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and value and os.path.isdir(value):
            flag = max(param.opts, key=len) if isinstance(param, click.Option) else None
            raise InputError("is a folder; allowed: a file", source=value, field=flag)
        return super().convert(value, param, ctx)


class NameValue(click.ParamType):
    """``NAME=VALUE`` as a ``(name, value)`` pair; dashes in the name become underscores."""

    name = "name=value"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, tuple):
            return value
        if "=" not in value:
            self.fail(f"must be name=value, got {value!r}", param, ctx)
        key, text = value.split("=", 1)
        return key.strip().replace("-", "_"), text.strip()


class CommaList(click.ParamType):
    """``a,b,c`` as a tuple, each item converted and checked by ``item`` (``length``: exactly)."""

    def __init__(self, item: click.ParamType, length: int | None = None) -> None:
        self.item = item
        self.length = length
        self.name = f"{item.name},..."

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, tuple):
            return value
        parts = [part.strip() for part in str(value).split(",")]
        if self.length is not None and len(parts) != self.length:
            self.fail(f"must be {self.length} comma-separated values, got {value}", param, ctx)
        return tuple(self.item.convert(part, param, ctx) for part in parts)


#: A count of slots, seeds, iterations, instances or workers.
COUNT = BoundedInt(1, "an integer >= 1")
#: A root seed (docs/architecture.md#seeds-and-reproducibility; :func:`jcaco.rng.check_seed`).
SEED = BoundedInt(0, "a non-negative integer")
#: MASL's learning rate b (docs/model.md (38)-(39)).
LEARNING_RATE = BoundedFloat("a number in (0, 1]", min=0.0, max=1.0, min_open=True)
#: A probability, such as an activity level θ.
PROBABILITY = BoundedFloat("a number in [0, 1]", min=0.0, max=1.0)
#: A time limit in seconds.
POSITIVE_SECONDS = BoundedFloat("a number > 0 (seconds)", min=0.0, min_open=True)
#: A distance in metres.
NON_NEGATIVE_M = BoundedFloat("a number >= 0 (metres)", min=0.0)
#: One ``NAME=VALUE`` pair (``--param``, ``--set``).
PARAM = NameValue()


def seed_option(help: str = "Root seed.") -> Callable[[F], F]:
    """``--seed S``: a root seed, 0 by default."""
    return click.option("--seed", type=SEED, default=0, show_default=True, help=help)


def algorithm_option(**kwargs: Any) -> Callable[[F], F]:
    """``--algorithm/-a NAME``: a registered name or ``package.module:ClassName``."""
    return click.option(
        "--algorithm",
        "-a",
        help="Algorithm name (see `jcaco list`) or package.module:ClassName.",
        **kwargs,
    )


def learner_options(func: F) -> F:
    """``--learning-rate B`` and ``--param NAME=VALUE`` (see :func:`hyperparameters`)."""
    func = click.option(
        "--param", "params", multiple=True, type=PARAM, metavar="NAME=VALUE", help="Hyperparameter."
    )(func)
    return click.option("--learning-rate", type=LEARNING_RATE, help="MASL: sets both b_c and b_o.")(
        func
    )


def drop_infeasible_option(func: F) -> F:
    """``--drop-infeasible``: drop the users no server can serve (with a warning)."""
    return click.option("--drop-infeasible", is_flag=True, help="Drop users no server can serve.")(
        func
    )


def hyperparameters(
    algorithm: str, params: Iterable[tuple[str, str]], learning_rate: float | None
) -> dict[str, Any]:
    """The learner's hyperparameters from ``--param`` pairs and ``--learning-rate``.

    ``--learning-rate B`` sets MASL's b_c and b_o (an explicit ``--param`` wins). The name and
    every parameter are checked now, before any file is read, with the flag as the field.

    Raises
    ------
    InputError
        ``--learning-rate`` with another algorithm, an unknown algorithm or parameter, or a
        value the learner rejects.
    """
    from jcaco.learners.masl.core import both_rates
    from jcaco.learners.registry import make_learner

    hyper: dict[str, Any] = dict(params)
    if learning_rate is not None:
        if algorithm != "masl":
            raise InputError("only applies to --algorithm masl", field="--learning-rate")
        for key, rate in both_rates(learning_rate).items():
            hyper.setdefault(key, rate)
    with as_options(algorithm="--algorithm", param="--param"):
        make_learner(algorithm, hyper)
    return hyper


@contextmanager
def as_options(value_errors: str | None = None, /, **flags: str) -> Iterator[None]:
    """Name the command's options in the errors the library raises inside the block.

    An :class:`InputError` whose field is a keyword of ``flags`` (e.g.
    ``algorithm="--algorithms"``) is re-raised naming that option instead (same class and
    message); with ``value_errors`` (e.g. ``"--param"``), any other ``ValueError`` (a
    learner's ``reset`` refusing a hyperparameter) becomes an :class:`InputError` of that
    option. So the line names what the user typed.
    """
    try:
        yield
    except InputError as exc:
        if exc.field not in flags:
            raise
        raise type(exc)(exc.message, source=exc.source, field=flags[exc.field]) from None
    except ValueError as exc:
        if value_errors is None:
            raise
        raise InputError(str(exc), field=value_errors) from None


def algorithm_names(text: str | None, also: Iterable[str] = ()) -> list[str] | None:
    """The ``--algorithms a,b,pkg.mod:Cls`` names, each resolved now (``None``: not given).

    Parameters
    ----------
    text : str or None
        The option's value.
    also : iterable of str
        Names the command accepts beyond the learners (e.g. the planners of ``analyze``).
    """
    from jcaco.learners.registry import resolve

    if text is None:
        return None
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise InputError(f"no algorithm in {text!r}", field="--algorithms")
    extra = set(also)
    for name in names:
        if name in extra:
            continue
        try:
            resolve(name)
        except InputError as exc:
            raise InputError(exc.message, field="--algorithms") from None
    return names
