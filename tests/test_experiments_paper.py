"""The paper's experiments as data (issue 3 part 5, issue 7 parts 3, 5, 7): what each point
runs on, the roles of its series, the long-run experiment and the spawned replication seeds."""

from __future__ import annotations

import numpy as np
import pytest

from jcaco.experiments.paper import (
    COMPETITORS,
    DEFAULT_RUN,
    EXPERIMENTS,
    HORIZON_SLOTS,
    ORACLES,
    VARIANTS,
    select,
)
from jcaco.experiments.tasks import draw_network, plan, run_seeds
from jcaco.learners.registry import role_of

SWEPT = {
    "fig4": ("num_aps", [2, 4, 6, 8, 10]),
    "fig5": ("bandwidth_hz", [2e6, 4e6, 6e6, 8e6, 10e6]),
    "fig6": ("num_servers", [2, 4, 6, 8, 10]),
    "fig7": ("capacity_flops", [2e12, 4e12, 6e12, 8e12, 10e12]),
    "fig8": ("flops_per_step", [1e11, 2e11, 3e11, 4e11, 5e11]),
    "fig9": ("num_users", [10, 15, 20, 25, 30]),
    "fig10": ("content_bytes", [2e6, 4e6, 6e6, 8e6, 10e6]),
}


def test_every_figure_of_section_vii_is_there() -> None:
    # brinfo: what BR's information is worth, on Fig. 9's end points (a cheap subset)
    assert list(DEFAULT_RUN) == ["fig2", "fig3", *SWEPT, "brinfo"]
    assert [EXPERIMENTS["brinfo"].network_key(p) for p in (0, 1)] == [(9, 0), (9, 4)]
    assert [n for n, e in EXPERIMENTS.items() if e.in_default] == list(DEFAULT_RUN)
    beyond = {f"beyond{n}" for n in range(4, 11)}
    assert set(EXPERIMENTS) == {
        *DEFAULT_RUN,
        "catalog4",
        "catalog6",
        "catalog9",
        "horizon",
        *beyond,
        "learned4",
        "learned9",
    }
    for exp in EXPERIMENTS.values():
        assert (exp.seeds, exp.window) == (20, 100)
        assert exp.slots == (HORIZON_SLOTS if exp.name == "horizon" else 2000)
    assert EXPERIMENTS["fig3"].points == (0.001, 0.01, 0.05, 0.1)
    assert EXPERIMENTS["fig2"].config_at(0).num_users == 30


@pytest.mark.parametrize("name", list(SWEPT))
def test_swept_parameter_is_homogeneous_and_the_rest_iid(name: str) -> None:
    exp = EXPERIMENTS[name]
    field, values = SWEPT[name]
    assert exp.points == pytest.approx(values)
    assert [s.algorithm for s in exp.series] == [*COMPETITORS, *VARIANTS, *ORACLES, "planner"]
    roles = {s.label: s.role for s in exp.series}
    assert roles == {
        **dict.fromkeys(COMPETITORS, "competitor"),
        "fp-empirical": "variant",
        "br-round": "variant",
        "br-oracle": "reference",
        "planner": "reference",
    }
    assert all(role_of(s.algorithm) == s.role for s in exp.series if s.runner == "learner")
    for point, value in enumerate(values):
        config = exp.config_at(point)
        got = getattr(config, field)
        assert (got == value) if isinstance(got, int) else got == (value, value)
        untouched = {"bandwidth_hz", "capacity_flops", "flops_per_step", "content_bytes"} - {field}
        for other in untouched:
            lo, hi = getattr(config, other)
            assert lo < hi  # still drawn i.i.d. per entity (O6)
    net = draw_network(exp.config_at(4), 3, exp.number, 4)
    if field == "bandwidth_hz":
        assert np.all(net.bandwidth_hz == 10e6)
    if field == "num_users":
        assert net.num_users == 30


def test_networks_are_common_across_algorithms_and_distinct_across_seeds() -> None:
    exps = select(["fig5", "fig3"], seeds=3, slots=10)
    tasks, needed = plan(exps, 0)
    assert len(needed) == 3 * (5 * 10 + 4)  # six competitors, two variants, two references; 4 rates
    fig5 = [t for t in tasks if t.experiment == "fig5" and t.point == 1]
    assert len({(t.config, t.network_point) for t in fig5}) == 1  # one network per seed
    assert len({t.seeds for t in fig5 if t.series.max_seeds is None}) == 1  # same runs
    a = draw_network(fig5[0].config, fig5[0].seeds[0], 5, 1)
    b = draw_network(fig5[0].config, fig5[0].seeds[0], 5, 1)
    c = draw_network(fig5[0].config, fig5[0].seeds[1], 5, 1)
    assert np.array_equal(a.user_xy_m, b.user_xy_m)
    assert not np.array_equal(a.user_xy_m, c.user_xy_m)
    rates = [t for t in tasks if t.experiment == "fig3"]
    assert {t.network_point for t in rates} == {0}  # every learning rate on the same networks
    assert sorted(t.series.params["learning_rate_ap"] for t in rates) == [0.001, 0.01, 0.05, 0.1]


def test_quick_is_smaller_and_explicit_flags_win() -> None:
    quick = select(quick=True)
    assert [e.name for e in quick] == list(DEFAULT_RUN)  # the others only when named
    assert all(e.seeds < 20 and e.slots < 2000 for e in quick)
    assert all(len(e.points) <= 3 for e in quick if e.kind == "sweep")
    assert select(["fig4"], quick=True, seeds=5, slots=40)[0].seeds == 5
    short = select(["fig4"], slots=40)[0]
    assert short.window == 10  # the tail window stays inside a short run


def test_horizon_is_selectable_and_in_neither_quick_nor_the_default_run() -> None:
    assert "horizon" not in [e.name for e in select()]
    assert "horizon" not in [e.name for e in select(quick=True)]
    (exp,) = select(["horizon"])
    assert exp.slots == HORIZON_SLOTS == 20_000 and exp.kind == "horizon"
    labels = {s.label: s for s in exp.series}
    assert labels["masl"].params["learning_rate_ap"] == 0.05
    assert labels["masl b=0.01"].params["learning_rate_server"] == 0.01
    assert {s.label for s in exp.series if s.role == "competitor"} == {
        "masl", "masl b=0.01", *COMPETITORS
    }  # fmt: skip
    # the end points of Figs. 4 and 9, on the very networks of those figures
    fig4, fig9 = EXPERIMENTS["fig4"], EXPERIMENTS["fig9"]
    assert exp.points == (2.0, 10.0, 10.0, 30.0)
    assert [exp.network_key(p) for p in range(4)] == [(4, 0), (4, 4), (9, 0), (9, 4)]
    assert exp.config_at(1) == fig4.config_at(4) and exp.config_at(3) == fig9.config_at(4)
    tasks, _ = plan([exp], 0)
    mine = next(t for t in tasks if t.point == 3 and t.series.label == "br")
    theirs = next(t for t in plan([fig9], 0)[0] if t.point == 4 and t.series.label == "br")
    assert (mine.config, mine.figure, mine.network_point, mine.seeds) == (
        theirs.config, theirs.figure, theirs.network_point, theirs.seeds
    )  # fmt: skip
    assert select(["horizon"], quick=True)[0].slots < HORIZON_SLOTS  # asked for: resized
    # every experiment but the learned ones, which need the rl extra (--only learned)
    assert [e.name for e in select(["all"])] == [
        n for n in EXPERIMENTS if n not in ("learned4", "learned9")
    ]


def test_replications_of_two_root_seeds_share_no_run_seed() -> None:
    """Run j's seed is spawned from the root (issue 7 part 7): with root + j, root seed 1
    would repeat 19 of root seed 0's 20 runs."""
    zero, one = run_seeds(0, 20), run_seeds(1, 20)
    assert len(set(zero)) == len(set(one)) == 20
    assert not set(zero) & set(one)
    assert run_seeds(0, 5) == zero[:5]  # more runs later extend the same sequence
    tasks0, needed0 = plan(select(["fig4"], quick=True), 0)
    tasks1, needed1 = plan(select(["fig4"], quick=True), 1)
    assert not {s for _, s in needed0} & {s for _, s in needed1}
    assert {t.runs for t in tasks0 if t.series.max_seeds is None} == {(0, 1, 2)}


def test_catalog_figures_run_only_when_named_and_share_users_with_the_paper() -> None:
    names = [e.name for e in select(["catalog"], seeds=2, slots=10)]
    assert names == ["catalog4", "catalog6", "catalog9"]
    paper, catalog = EXPERIMENTS["fig4"], EXPERIMENTS["catalog4"]
    assert catalog.number == paper.number and catalog.points == paper.points
    config = catalog.config_at(1)
    assert config.aec_form == "power_floor" and config.num_aps == 4
    assert {c.model for c in config.catalog} == set(catalog.catalog_models)
    net = draw_network(config, 0, catalog.number, 1)
    twin = draw_network(paper.config_at(1), 0, paper.number, 1)
    assert np.array_equal(net.user_xy_m, twin.user_xy_m)  # common random numbers
    assert net.error_floor is not None and all("@" in n for n in net.server_names)
