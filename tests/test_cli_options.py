"""The option types the commands share: one wording for every bad value, NaN never allowed."""

from __future__ import annotations

import click
import pytest

from jcaco.cli import cli
from jcaco.cli.options import COUNT, LEARNING_RATE, NON_NEGATIVE_M, PARAM, SEED


@pytest.mark.parametrize(
    ("kind", "text", "message"),
    [
        (COUNT, "0", "must be an integer >= 1, got 0"),
        (COUNT, "2.5", "must be an integer >= 1, got 2.5"),
        (SEED, "-1", "must be a non-negative integer, got -1"),
        (LEARNING_RATE, "0", "must be a number in (0, 1], got 0"),
        (LEARNING_RATE, "1.5", "must be a number in (0, 1], got 1.5"),
        (LEARNING_RATE, "nan", "must be a number in (0, 1], got nan"),
        (NON_NEGATIVE_M, "-0.1", "must be a number >= 0 (metres), got -0.1"),
        (PARAM, "rate", "must be name=value, got 'rate'"),
    ],
)
def test_bad_values_fail_in_one_wording(kind: click.ParamType, text: str, message: str) -> None:
    with pytest.raises(click.BadParameter) as caught:
        kind.convert(text, None, None)
    assert caught.value.message == message


def test_good_values_convert() -> None:
    assert COUNT.convert("3", None, None) == 3 and SEED.convert("0", None, None) == 0
    assert LEARNING_RATE.convert("1", None, None) == 1.0
    assert NON_NEGATIVE_M.convert("inf", None, None) == float("inf")
    assert PARAM.convert(" learning-rate-ap = 0.2 ", None, None) == ("learning_rate_ap", "0.2")


def test_every_command_is_registered() -> None:
    assert set(cli.commands) >= {
        "generate", "instance", "solve", "evaluate", "schema", "list", "simulate", "reproduce",
        "analyze", "theory", "calibrate", "check-learner",
    }  # fmt: skip
