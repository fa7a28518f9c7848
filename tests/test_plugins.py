"""A user's own learner, in a module outside the package (docs/extending.md, issue 9):
``check-learner``, ``solve``, ``simulate``, ``analyze`` and a small ``reproduce``; exit 2
with one line for a path that does not import or is not a learner; entry points."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from jcaco.errors import InputError
from jcaco.learners.registry import resolve

DOCS = Path(__file__).resolve().parents[1] / "docs" / "extending.md"


@pytest.fixture
def user_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder holding docs/extending.md's ``mylearners.py`` (and a broken learner), the
    current folder, with ``sys.path`` and ``sys.modules`` restored afterwards."""
    code = re.search(r"```python\n(.*?)```", DOCS.read_text(), re.S)
    assert code is not None
    (tmp_path / "mylearners.py").write_text(
        code.group(1)
        + "\n\nclass Eager(EpsilonGreedy):\n"
        + "    def __init__(self, epsilon: float = 0.1, step: float = 0.1):\n"
        + "        super().__init__(epsilon, step)\n"
        + "        self.table_ = np.zeros(3)  # work in __init__: breaks the protocol\n"
    )
    (tmp_path / "broken.py").write_text("import no_such_dependency\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(tmp_path))])
    for name in ("mylearners", "broken"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    yield tmp_path
    for name in ("mylearners", "broken"):
        sys.modules.pop(name, None)


def test_check_learner_verdicts(user_dir: Path, jcaco) -> None:
    ok = jcaco("check-learner", "mylearners:EpsilonGreedy")
    assert ok.code == 0, ok.err
    assert "PASSED" in ok.out and "activity=own channel=mean others=none" in ok.out
    bad = jcaco("check-learner", "mylearners:Eager")
    assert bad.code == 1
    assert "FAILED" in bad.out and "table_" in bad.out


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("nosuchmodule:Learner", "cannot import 'nosuchmodule'"),
        ("broken:Thing", "cannot import 'broken' (ModuleNotFoundError"),
        ("mylearners:Nope", "module 'mylearners' has no 'Nope'"),
        ("mylearners:np", "is not a learner"),
        ("json:JSONDecoder", "is not a learner"),
        ("json:", "must look like package.module:ClassName"),
    ],
)
def test_bad_paths_exit_2_with_one_line(user_dir: Path, jcaco, path: str, says: str) -> None:
    net = user_dir / "net.json"
    assert jcaco("generate", "--users", "4", "--aps", "2", "--servers", "2", "-o", net).code == 0
    for args in (
        ("check-learner", path),
        ("solve", net, "--algorithm", path),
        ("simulate", net, "--algorithm", path, "--slots", "3", "-o", user_dir / "sim"),
        ("analyze", net, "--algorithms", f"masl,{path}"),
        ("reproduce", "--quick", "--algorithms", f"masl,{path}", "-o", user_dir / "r"),
    ):
        result = jcaco(*args)
        assert result.code == 2, (args, result.err)
        lines = result.err.strip().splitlines()
        assert len(lines) == 1 and says in lines[0] and path in lines[0], (args, result.err)
    assert not (user_dir / "r").exists()


def test_own_learner_through_solve_simulate_and_analyze(user_dir: Path, jcaco) -> None:
    net = user_dir / "net.json"
    jcaco("generate", "--users", "6", "--aps", "2", "--servers", "3", "--seed", "2", "-o", net)
    name = "mylearners:EpsilonGreedy"
    solved = jcaco("solve", net, "-a", name, "--iterations", "200", "--param", "epsilon=0.2")
    assert solved.code == 0, solved.err
    doc = json.loads(jcaco("solve", net, "-a", name, "--iterations", "200", "--json").out)
    assert doc["algorithm"] == name and doc["iterations"] == 200
    assert doc["meta"]["params"] == {"epsilon": 0.1, "step": 0.1}
    sim = jcaco("simulate", net, "-a", name, "--slots", "30", "-o", user_dir / "sim")
    assert sim.code == 0, sim.err
    table = pq.read_table(user_dir / "sim" / "trace.parquet")
    assert set(table.column("algorithm").to_pylist()) == {name} and table.num_rows == 30
    analysis = jcaco("analyze", net, "--algorithms", f"br,{name}", "--iterations", "100", "--json")
    assert analysis.code == 0, analysis.err
    assert [a["algorithm"] for a in json.loads(analysis.out)["algorithms"]] == ["br", name]


@pytest.mark.slow
def test_own_learner_is_a_series_in_reproduce_and_resumes(user_dir: Path, jcaco) -> None:
    name = "mylearners:EpsilonGreedy"
    args = ("reproduce", "--quick", "--only", "fig9", "--seeds", "1", "--slots", "20")
    args += ("--algorithms", f"masl,{name}", "--json", "-o", user_dir / "results")
    first = jcaco(*args)
    assert first.code == 0, first.err
    doc = json.loads(first.out)
    rows = pq.read_table(doc["store"]).to_pylist()
    assert {r["algorithm"] for r in rows} >= {"masl", name}
    assert "br" not in {r["algorithm"] for r in rows}
    assert name in Path(doc["summary"]).read_text()
    again = jcaco(*args)
    assert again.code == 0 and json.loads(again.out)["tasks_run"] == 0


def test_entry_point_learner(
    user_dir: Path, monkeypatch: pytest.MonkeyPatch, jcaco, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    info = site / "jcaco_demo_plugin-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: jcaco-demo-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[jcaco.learners]\neps-greedy = mylearners:EpsilonGreedy\n"
    )
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.syspath_prepend(str(user_dir))
    assert resolve("eps-greedy").__name__ == "EpsilonGreedy"
    listed = json.loads(jcaco("list", "--json").out)["algorithms"]
    mine = [a for a in listed if a["name"] == "eps-greedy"]
    assert mine and mine[0]["role"] == "competitor" and mine[0]["params"] == ["epsilon", "step"]
    with pytest.raises(InputError, match="eps-greedy, .*package.module:ClassName"):
        resolve("eps-greedier")
