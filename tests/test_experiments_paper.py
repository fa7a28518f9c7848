"""The paper's experiments as data (issue 3 part 5): what each point runs on."""

from __future__ import annotations

import numpy as np
import pytest

from jcaco.experiments.paper import ALGORITHMS, DEFAULT_RUN, EXPERIMENTS, select
from jcaco.experiments.sweep import draw_network, plan

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
    assert list(DEFAULT_RUN) == ["fig2", "fig3", *SWEPT]
    assert set(EXPERIMENTS) == {*DEFAULT_RUN, "catalog4", "catalog6", "catalog9"}
    for exp in EXPERIMENTS.values():
        assert (exp.seeds, exp.slots, exp.window) == (20, 2000, 100)
    assert EXPERIMENTS["fig3"].points == (0.001, 0.01, 0.05, 0.1)
    assert EXPERIMENTS["fig2"].config_at(0).num_users == 30


@pytest.mark.parametrize("name", list(SWEPT))
def test_swept_parameter_is_homogeneous_and_the_rest_iid(name: str) -> None:
    exp = EXPERIMENTS[name]
    field, values = SWEPT[name]
    assert exp.points == pytest.approx(values)
    assert [s.algorithm for s in exp.series] == [*ALGORITHMS, "planner"]  # + reference line
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
    assert len(needed) == 3 * (5 * 7 + 4)  # six algorithms and the planner, four rates
    fig5 = [t for t in tasks if t.experiment == "fig5" and t.point == 1]
    assert len({(t.config, t.network_point) for t in fig5}) == 1  # one network per seed
    a = draw_network(fig5[0].config, 0, 5, 1)
    b = draw_network(fig5[0].config, 0, 5, 1)
    c = draw_network(fig5[0].config, 1, 5, 1)
    assert np.array_equal(a.user_xy_m, b.user_xy_m)
    assert not np.array_equal(a.user_xy_m, c.user_xy_m)
    rates = [t for t in tasks if t.experiment == "fig3"]
    assert {t.network_point for t in rates} == {0}  # every learning rate on the same networks
    assert sorted(t.series.params["learning_rate_ap"] for t in rates) == [0.001, 0.01, 0.05, 0.1]


def test_quick_is_smaller_and_explicit_flags_win() -> None:
    quick = select(quick=True)
    assert [e.name for e in quick] == list(DEFAULT_RUN)  # the catalog ones only when named
    assert all(e.seeds < 20 and e.slots < 2000 for e in quick)
    assert all(len(e.points) <= 3 for e in quick if e.kind == "sweep")
    assert select(["fig4"], quick=True, seeds=5, slots=40)[0].seeds == 5
    short = select(["fig4"], slots=40)[0]
    assert short.window == 10  # the tail window stays inside a short run


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
