"""The ``learned`` experiment (issue 20): ``jcaco reproduce --only learned`` trains a shared
policy on the ``training`` stream's networks (or loads it from the store), runs it at the
points of Figs. 4 and 9 beside MASL, ``br``, ``br-sync`` and the planner, and reports it.
Training needs the rl extra (marker ``rl``); without it the command names the extra."""

from __future__ import annotations

import importlib.util
from dataclasses import replace
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import jcaco.experiments.learned as learned
from jcaco.experiments.paper import EXPERIMENTS, GROUPS, LEARNED, select, with_algorithms
from jcaco.rng import STREAMS


def test_the_experiment_is_named_and_outside_the_default_run() -> None:
    assert GROUPS["learned"] == ("learned4", "learned9")
    assert "learned4" not in GROUPS["all"]
    for n in (4, 9):
        exp = EXPERIMENTS[f"learned{n}"]
        fig = EXPERIMENTS[f"fig{n}"]
        assert not exp.in_default and exp.number == n and exp.points == fig.points
        assert [exp.network_key(p) for p in range(5)] == [fig.network_key(p) for p in range(5)]
        assert [s.label for s in exp.series] == [
            "masl",
            "br",
            "br-sync",
            LEARNED.label,
            "learned policy argmax",
            "planner",
        ]
        assert exp.series[0] == fig.series[0]  # MASL with the figures' rate
    assert "learned4" not in [e.name for e in select()]
    assert len(set(STREAMS.values())) == len(STREAMS) and "training" in STREAMS


def test_training_networks_come_from_their_own_stream_and_span_fig4() -> None:
    config = learned.TrainingConfig(num_aps=(2, 10), num_users=(10, 30))
    nets = learned.training_networks(config)
    assert [(n.num_aps, n.num_users) for n in nets] == [(2, 10), (2, 30), (10, 10), (10, 30)]
    assert config.pad_to == (10, EXPERIMENTS["fig4"].base.num_servers)
    assert learned.DEFAULT_TRAINING.pad_to[0] == max(EXPERIMENTS["fig4"].points)
    # not a figure's network: the figures draw from the "scenario" stream
    from jcaco.experiments.tasks import draw_network

    fig = draw_network(EXPERIMENTS["fig4"].config_at(0), 0, 0, 0)
    assert fig.num_users != nets[0].num_users or not (fig.ap_xy_m == nets[0].ap_xy_m).all()


def test_algorithms_never_drop_the_learned_policy() -> None:
    """``--algorithms`` sets the other series; the policy (both series) and the planner stay,
    whether or not ``policy`` is named; Fig. 4 itself gains no policy."""
    mine = ["masl", "br", "learned policy", "learned policy argmax", "planner"]
    for names, labels in (
        (["masl", "br"], mine),
        (["br", "masl", "policy"], mine),
        (["selfish"], ["learned policy", "learned policy argmax", "planner", "selfish"]),
    ):
        for exp in with_algorithms(select(["learned"], quick=True), names):
            assert [s.label for s in exp.series] == labels, (exp.name, names)
    (fig4,) = with_algorithms(select(["fig4"], quick=True), ["masl", "br"])
    assert [s.label for s in fig4.series] == ["masl", "br", "planner"]


@pytest.mark.parametrize("algorithms", [(), ("--algorithms", "masl,br")])
def test_without_the_extra_the_command_names_it(
    jcaco, tmp_path: Path, monkeypatch, algorithms: tuple[str, ...]
) -> None:
    """Also with ``--algorithms`` not naming ``policy``: the policy is still run, so the extra
    is still needed (it once dropped the policy and ran the rest without a word)."""
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "torch" else real(name, *a)
    )
    result = jcaco("reproduce", "--only", "learned", "--quick", *algorithms, "-o", tmp_path / "o")
    assert result.code == 2
    assert result.err.count("\n") == 1 and "pip install 'jcaco[rl]'" in result.err


@pytest.mark.rl
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_learned_end_to_end_and_cached(tmp_path: Path, monkeypatch) -> None:
    pytest.importorskip("sb3_contrib")
    pytest.importorskip("supersuit")
    from jcaco.api import reproduce

    tiny = replace(
        learned.QUICK_TRAINING,
        steps=500,
        num_aps=(2, 6),
        num_users=(10,),
        ppo=(("n_steps", 16), ("batch_size", 64), ("n_epochs", 1)),
    )
    monkeypatch.setattr(learned, "QUICK_TRAINING", tiny)
    out = tmp_path / "store"
    before = learned.TRAININGS
    doc = reproduce(out, only=["learned"], quick=True, seeds=2, slots=40)
    assert learned.TRAININGS == before + 1
    table = pq.read_table(doc["store"]).to_pylist()
    mine = [r for r in table if r["algorithm"].startswith(LEARNED.label)]
    # 2 series x 2 experiments x 3 quick points x 2 seeds; Fig. 4 up to M = 10 included
    assert len(mine) == 24 and {r["experiment"] for r in mine} == {"learned4", "learned9"}
    assert {r["x"] for r in mine if r["experiment"] == "learned4"} == {2.0, 6.0, 10.0}
    assert all(r["learner"] == "policy" and "training" in r["params"] for r in mine)
    assert {r["algorithm"] for r in table} >= {"masl", "br", "br-sync", "planner"}
    key = learned.training_key(tiny)
    assert (out / "policies" / f"{key}.npz").is_file()
    assert (out / "learned_training.png").is_file() and (out / "learned4.png").is_file()
    report = (out / "report.html").read_text()
    assert "Learned: a trained policy at Figs. 4 and 9" in report
    assert "trained by this run" in report and "jcaco reproduce --only learned --quick" in report
    # a rerun loads the policy from the store: no training, no task
    again = reproduce(out, only=["learned"], quick=True, seeds=2, slots=40)
    assert learned.TRAININGS == before + 1 and again["tasks_run"] == 0
    assert "loaded from the store" in (out / "report.html").read_text()
    # another configuration (another key) trains again
    monkeypatch.setattr(learned, "QUICK_TRAINING", replace(tiny, seed=1))
    reproduce(out, only=["learned"], quick=True, seeds=2, slots=40)
    assert learned.TRAININGS == before + 2


@pytest.mark.parametrize("command", ["reproduce", "analyze"])
def test_a_bare_policy_name_is_refused_before_anything_runs(
    jcaco, tmp_path: Path, command: str
) -> None:
    """``policy`` alone, added as a figure's series (or run by ``analyze``), has no file to
    run from: one line naming ``--algorithms`` and the ``policy@FILE.npz`` form, exit 2,
    before any output (it once failed after creating ``OUTPUT/parts``, pointing at a
    ``--param`` the commands do not have)."""
    if command == "reproduce":
        args = ("reproduce", "--only", "fig4", "--quick", "-o", tmp_path / "o")
    else:
        net = tmp_path / "net.json"
        assert (
            jcaco("generate", "--users", "4", "--aps", "2", "--servers", "2", "-o", net).code == 0
        )
        args = ("analyze", net)
    result = jcaco(*args, "--algorithms", "masl,policy")
    assert result.code == 2 and result.err.count("\n") == 1, result.err
    assert result.err.startswith("jcaco: error: --algorithms: 'policy' runs from a saved file")
    assert "policy@FILE.npz" in result.err and "Traceback" not in result.err
    assert result.out == "" and not (tmp_path / "o").exists()


def test_algorithms_keep_the_same_information_planner() -> None:
    """Both planners are reference lines: ``--only beyond --algorithms masl`` keeps the
    same-information planner's series as it keeps the exact optimum's."""
    chosen = select(["beyond"], quick=True)
    planners = {"planner", "planner-same-info"}
    had = {e.name: planners & {s.algorithm for s in e.series} for e in chosen}
    assert any("planner-same-info" in p for p in had.values())  # the beyond figures have it
    for exp in with_algorithms(chosen, ["masl"]):
        assert {s.algorithm for s in exp.series} == {"masl", *had[exp.name]}, exp.name
