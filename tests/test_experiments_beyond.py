"""The same-information planner and the ``beyond`` experiments and report section (issue 12)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from jcaco.experiments.paper import (
    EXPERIMENTS,
    GROUPS,
    MASL,
    PLANNER,
    SAME_INFO_PLANNER,
    Experiment,
    learner_series,
    select,
)
from jcaco.experiments.planner import replay_optima
from jcaco.experiments.planner_same_info import same_information_rows
from jcaco.experiments.store import ResultsStore
from jcaco.experiments.sweep import RunOptions, run_sweep
from jcaco.experiments.tasks import draw_network, plan, run_seeds
from jcaco.game.optimum.count_model import subgame_cost
from jcaco.game.optimum.social_optimum import solve_optimum
from jcaco.model.instance import GameInstance
from jcaco.report.beyond_report import (
    GOAL,
    beyond_cells,
    by_mean_ratio,
    goal_status,
    information_of,
    own_information,
    worst_to_same,
)
from jcaco.report.html import write_report
from jcaco.scenario.generator import PRESETS
from jcaco.sim.environment import DynamicEnvironment

SLOTS = 12
ROOT = 5


def _small(names: list[str], series: dict[str, tuple]) -> list[Experiment]:
    """The named experiments on the 6-user preset, first point only, chosen series."""
    return [
        replace(e, base=PRESETS["small"], points=e.points[:1], series=series[e.name])
        for e in select(names, seeds=2, slots=SLOTS)
    ]


def test_beyond_experiments_share_the_figures_networks() -> None:
    assert GROUPS["beyond"][-1] == "beyond10"
    for n in range(4, 11):
        fig, beyond = EXPERIMENTS[f"fig{n}"], EXPERIMENTS[f"beyond{n}"]
        assert not beyond.in_default
        assert beyond.points == fig.points
        assert [beyond.network_key(p) for p in range(5)] == [fig.network_key(p) for p in range(5)]
        assert SAME_INFO_PLANNER in beyond.series and beyond.series[0].algorithm == "loglinear"


def test_same_information_planner_scores_the_expected_optimum_on_the_slot() -> None:
    """Its row is the optimum of (15) at the slot's mean-fading times, scored on the realised
    slot; it is never below the full-information planner's optimum of that slot (14)."""
    exps = _small(["beyond4"], {"beyond4": (SAME_INFO_PLANNER,)})
    seeds = run_seeds(ROOT, 2)
    exp = exps[0]
    nets = [draw_network(exp.config_at(0), s, 4, 0) for s in seeds]
    tasks, _ = plan(exps, ROOT)
    (task,) = tasks
    rows = same_information_rows(task, nets)
    (sampled,) = json.loads(rows[0]["details"])["sampled_slots"]
    env = DynamicEnvironment(nets, seeds)
    for t in range(sampled + 1):
        slot = env.slot(t)
    full = replay_optima(nets, seeds, (sampled,))[0]
    mean_tx = slot.mean_tx_time_s()
    for s, row in enumerate(rows):
        game = GameInstance(
            theta=slot.game.theta[s],
            tx_time_s=mean_tx[s],
            compute_time_s=slot.game.compute_time_s[s],
            steps=slot.game.steps[s],
        )
        opt = solve_optimum(game, node_limit=20, time_limit_s=None)
        active = slot.active[s].astype(float)
        want = subgame_cost(slot.game.tx_time_s[s], active, opt.profile.ap) + subgame_cost(
            slot.game.compute_time_s[s], active, opt.profile.server
        )
        assert row["total_service_time_s"] == pytest.approx(float(want), rel=1e-12)
        assert row["converged"]  # 6 users: every MILP proven
        full_opt, _ = full[s]
        assert full_opt.proven
        assert row["total_service_time_s"] >= full_opt.objective_s - 1e-9


def test_beyond_run_pairs_learners_with_both_planners(tmp_path: Path) -> None:
    exps = _small(
        ["fig4", "beyond4"],
        {
            "fig4": (MASL, PLANNER),
            "beyond4": (
                learner_series("loglinear", {"price": True}, label="ll"),
                SAME_INFO_PLANNER,
            ),
        },
    )
    store = ResultsStore(tmp_path / "store")
    run_sweep(exps, store, RunOptions(root_seed=ROOT))
    table = store.read()
    rows = table.to_pylist()
    docs = {(r["algorithm"], r["seed"]): json.loads(r["details"]) for r in rows}
    seeds = sorted({r["seed"] for r in rows if r["algorithm"] == "planner"})
    cells = {c.algorithm: c for c in beyond_cells(table)}
    assert set(cells) == {"masl", "ll"}

    def at_slots(name: str, planner: str) -> tuple[float, float]:
        """Σ learner total and Σ planner total at the planner's sampled slots (by hand)."""
        num = den = 0.0
        for s in seeds:
            ref, mine = docs[planner, s], docs[name, s]
            for t, total in zip(ref["sampled_slots"], ref["slot_totals_s"], strict=True):
                num += mine["window_totals_s"][t - mine["window_first_slot"]]
                den += total
        return num, den

    for name in ("masl", "ll"):
        num, den = at_slots(name, "planner")
        assert cells[name].to_full == pytest.approx(num / den)
        assert cells[name].to_full >= 1.0 - 1e-9  # an optimum of the same slots is lower
        num, den = at_slots(name, "planner same-info")
        assert cells[name].to_same == pytest.approx(num / den)
        same = cells[name].same
        assert same is not None and same.pairs == len(seeds)
    assert cells["ll"].information == "own / mean / loads"
    assert cells["masl"].information == "own / mean / none"
    worst = worst_to_same(list(cells.values()))
    assert worst["ll"].to_same == cells["ll"].to_same
    page = write_report(table, tmp_path / "report", {"run": "test"})["report"].read_text()
    assert "Beyond the paper: learners against both planners" in page
    assert f"within {GOAL - 1:.0%} of the same-information planner" in page
    assert goal_status([cells["ll"]]) in page
    # the closest learner with the goal's information is named in one sentence, rows in order
    best = by_mean_ratio(list(cells.values()))[0]
    assert f"<code>{best}</code>, is " in page
    assert page.index(f"<td class=l>{best}</td>") < page.index(
        f"<td class=l>{by_mean_ratio(list(cells.values()))[1]}</td>"
    )
    # the beyond figure's caption describes the same-information planner, not the other one
    caption = page[page.index("<h2>beyond4:") :]
    assert "Dashed: the same-information planner" in caption
    assert "Dashed black: the central planner" not in caption


def test_own_information_is_what_the_goal_allows() -> None:
    assert own_information("own / mean / loads") and own_information("theta / own / none")
    assert not own_information("own / mean / actions")  # br price expected
    assert not own_information("all / all / actions") and not own_information("")


def test_information_of_a_priced_learner_names_the_broadcast() -> None:
    assert information_of("masl", json.dumps({"price": True})) == "own / mean / loads"
    assert information_of("br", "{}") == "all / all / actions"
    assert information_of("no-such-learner", "{}") == ""
