"""HiGHS's stray debug line (``jcaco.game.optimum.highs_output``): SciPy's HiGHS 1.12 prints
``HighsMipSolverData::transformNewIntegerFeasibleSolution tmpSolver.run();`` with a C
``printf`` whatever its options; ``jcaco reproduce --quick`` showed it on standard output. The
planner's solves drop that line and nothing else."""

from __future__ import annotations

import ctypes
from typing import Any

import pytest

from jcaco.game.optimum.highs_output import STRAY_LINE, without_stray_line

libc = ctypes.CDLL(None)


def c_print(text: bytes) -> None:
    """What HiGHS does: a buffered C ``printf`` to standard output."""
    libc.printf(b"%s", text)


def test_only_the_stray_line_is_dropped_in_order(capfd: pytest.CaptureFixture[str]) -> None:
    print("before", flush=True)
    with without_stray_line():
        c_print(b"kept 1\n")
        c_print(STRAY_LINE + b"\n")
        with without_stray_line():  # nested solves share the redirection
            c_print(STRAY_LINE + b"\n")
        c_print(b"kept 2\n")
    print("after", flush=True)
    libc.fflush(None)
    assert capfd.readouterr().out == "before\nkept 1\nkept 2\nafter\n"


def test_the_planner_keeps_the_line_off_standard_output(
    capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from scipy import optimize

    from jcaco.game.optimum.social_optimum import solve_optimum
    from jcaco.model.build import build_instance, check_feasible
    from jcaco.rng import stream
    from jcaco.scenario.generator import PRESETS, generate_network

    real, calls = optimize.milp, []

    def noisy_milp(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        c_print(STRAY_LINE + b"\n")
        return real(*args, **kwargs)

    monkeypatch.setattr(optimize, "milp", noisy_milp)
    net = check_feasible(generate_network(PRESETS["paper"], stream(2, "scenario")), True)[0]
    solve_optimum(build_instance(net), node_limit=50, time_limit_s=None)
    libc.fflush(None)
    assert calls, "the planner solved no MILP: the test shows nothing"
    assert STRAY_LINE.decode() not in capfd.readouterr().out
