"""A learner contract that forgives (issue 18): a learner without ``__init__``, ``converged_``
or ``last_``, with a shorthand declaration, works in ``solve``, ``simulate`` and
``check-learner``; ``check-learner`` runs what they run, so that passing it means they work;
an exception inside a plug-in is one line naming the class and the method."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from test_cli_errors import SCENARIO

# deep imports: the plug-ins must load before and after the fix alike
PLUGINS = '''
import numpy as np

from jcaco.game.profile import Profile
from jcaco.learners.base import Learner


class Greedy(Learner):
    """No __init__, no last_, no converged_: the fastest AP and feasible server."""

    information = "own"

    def reset(self, setup, rng):
        self.ap_ = setup.tx_time_s.argmin(-1)
        self.server_ = np.where(setup.feasible, setup.compute_time_s, np.inf).argmin(-1)

    def act(self, view):
        return Profile(self.ap_.copy(), self.server_.copy())


class LikeMasl(Greedy):
    information = "masl"


class Raises(Greedy):
    def act(self, view):
        raise ZeroDivisionError("boom in act")


class BadRecommendation(Greedy):
    def recommendation(self):
        return Profile(np.zeros((1, 1), dtype=np.int64), np.zeros((1, 1), dtype=np.int64))


class BadConverged(Greedy):
    def reset(self, setup, rng):
        super().reset(setup, rng)
        self.converged_ = np.zeros(7)
'''


@pytest.fixture
def plugins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``minimal.py`` in the current folder (``sys.path`` and ``sys.modules`` restored)."""
    (tmp_path / "minimal.py").write_text(PLUGINS)
    (tmp_path / "scenario.json").write_text(json.dumps(SCENARIO))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    monkeypatch.delitem(sys.modules, "minimal", raising=False)
    yield tmp_path
    sys.modules.pop("minimal", None)


@pytest.mark.parametrize("name", ["minimal:Greedy", "minimal:LikeMasl"])
def test_a_minimal_learner_works_everywhere(plugins: Path, jcaco, name: str) -> None:
    checked = jcaco("check-learner", name)
    assert checked.code == 0 and "PASSED" in checked.out, checked.out + checked.err
    solved = jcaco("solve", "scenario.json", "-a", name, "--iterations", "30", "--json")
    assert solved.code == 0, solved.err
    result = json.loads(solved.out)
    assert result["iterations"] == 30 and result["converged"] is False
    assert result["meta"]["params"] == {}
    simulated = jcaco("simulate", "scenario.json", "-a", name, "--slots", "20", "-o", "sim")
    assert simulated.code == 0, simulated.err


def test_the_defaults_of_the_base_class(plugins: Path) -> None:
    from jcaco.learners.checks import random_game
    from jcaco.learners.information import Information
    from jcaco.learners.registry import LEARNERS, resolve
    from jcaco.learners.views import build_setup, build_view
    from jcaco.rng import stream

    cls = resolve("minimal:Greedy")
    learner = cls()
    assert cls.param_names() == [] and learner.get_params() == {} and repr(learner) == "Greedy()"
    assert learner.declares() == Information("own", "own", "none")
    assert resolve("minimal:LikeMasl")().declares() == LEARNERS["masl"]().declares()
    with pytest.raises(AttributeError, match="call reset"):
        learner.last_  # noqa: B018 - nothing acted yet
    game = random_game(stream(0, "scenario"), num_seeds=2)
    learner.reset(build_setup(learner.declares(), game), stream(1, "learner"))
    active = np.ones(game.theta.shape, dtype=bool)
    view = build_view(
        learner.declares(), slot=0, game=game, mean_tx_time_s=lambda: game.tx_time_s,
        active=active, weight=active.astype(float), previous=None,
    )  # fmt: skip
    profile = learner.act(view)
    assert learner.last_ is profile and learner.recommendation().ap.tolist() == profile.ap.tolist()
    assert learner.converged.tolist() == [False, False]


def test_an_unknown_shorthand_lists_the_allowed(plugins: Path) -> None:
    from jcaco.learners.information import information_of

    with pytest.raises(ValueError, match="own, full"):
        information_of("everything")


def test_an_exception_in_a_plugin_is_one_line(plugins: Path, jcaco) -> None:
    result = jcaco("solve", "scenario.json", "-a", "minimal:Raises", "--iterations", "5")
    assert result.code == 1
    assert result.err.splitlines() == [
        "jcaco: error: plug-in Raises.act() raised ZeroDivisionError: boom in act "
        "(--debug shows the traceback)"
    ]
    debug = jcaco("--debug", "solve", "scenario.json", "-a", "minimal:Raises")
    assert debug.code == 1 and "Traceback" in debug.err and "boom in act" in debug.err
    checked = jcaco("check-learner", "minimal:Raises")
    assert checked.code == 1 and "Raises.act() raised ZeroDivisionError" in checked.out


@pytest.mark.slow
def test_an_exception_in_a_plugin_inside_a_reproduce_worker_is_one_line(plugins: Path) -> None:
    """``reproduce --jobs 2`` runs the plug-in in joblib (loky) worker processes, whose frames
    never reach the command line: the worker names the method, the line is the same as with
    ``--jobs 1``, and ``--debug`` shows the worker's traceback."""
    import subprocess

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "jcaco", *args, "reproduce", "--quick", "--only", "fig9"]
        cmd += ["--seeds", "1", "--slots", "5", "--algorithms", "minimal:Raises", "--jobs", "2"]
        out = plugins / f"r{len(args)}"
        return subprocess.run([*cmd, "-o", str(out)], cwd=plugins, capture_output=True,
                              text=True, timeout=600, check=False)  # fmt: skip

    plain = run()
    assert plain.returncode == 1, plain.stderr
    assert plain.stderr.splitlines() == [
        "jcaco: error: plug-in Raises.act() raised ZeroDivisionError: boom in act "
        "(--debug shows the traceback)"
    ]
    debug = run("--debug")
    assert debug.returncode == 1
    assert "Traceback" in debug.stderr and 'minimal.py", line' in debug.stderr
    assert debug.stderr.splitlines()[-1] == (
        "jcaco: error: plug-in Raises.act() raised ZeroDivisionError: boom in act"
    )


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("minimal:BadRecommendation", "recommendation(): profile.ap has shape (1, 1)"),
        ("minimal:BadConverged", "converged must be one bool per seed"),
    ],
)
def test_check_learner_runs_what_solve_runs(plugins: Path, jcaco, name: str, says: str) -> None:
    checked = jcaco("check-learner", name)
    assert checked.code == 1 and says in checked.out, checked.out


def test_the_protocol_imports_from_one_place() -> None:
    from jcaco.game.profile import Profile as DeepProfile
    from jcaco.learners import Information, Learner, Profile
    from jcaco.learners.base import Learner as DeepLearner
    from jcaco.learners.information import Information as DeepInformation

    assert (Learner, Profile, Information) == (DeepLearner, DeepProfile, DeepInformation)
