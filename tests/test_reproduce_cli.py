"""``jcaco reproduce`` end to end, and the "Agreement with the paper" section computed from a
store (issue 3 parts 6, 9; issue 7 parts 3, 5, 6: roles, the long run, paired verdicts)."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from jcaco.experiments.paper import BR_ROUND, EXPERIMENTS, VARIANTS
from jcaco.experiments.store import rows_to_table
from jcaco.experiments.summary import summarise
from jcaco.io.files import provenance
from jcaco.report.agreement import assess
from jcaco.report.html import reductions, write_report


def test_quick_only_fig4_writes_every_output_and_resumes(tmp_path: Path, jcaco) -> None:
    out = tmp_path / "res"
    args = ["reproduce", "--quick", "--only", "fig4", "--seeds", "2", "--slots", "6"]
    first = jcaco(*args, "-o", out, "--json")
    assert first.code == 0, first.err
    doc = json.loads(first.out)
    # six competitors, fp-empirical (and br-round where registered: variants), br-oracle and
    # the planner (references)
    series = len(EXPERIMENTS["fig4"].series)
    assert series == 9 + (BR_ROUND in VARIANTS)
    assert doc["tasks_run"] == 3 * series and doc["rows"] == 3 * series * 2
    for name in ("results.parquet", "summary.csv", "report.html", "fig4.png", "fig4.pdf"):
        assert (out / name).stat().st_size > 0, name
    table = pq.read_table(out / "results.parquet")
    assert {"experiment", "x_name", "x", "algorithm", "seed", "total_service_time_s"} <= set(
        table.column_names
    )
    assert {"role", "root_seed", "run"} <= set(table.column_names)
    assert set(table.column("experiment").to_pylist()) == {"fig4"}
    summary = (out / "summary.csv").read_text().splitlines()
    assert len(summary) == 1 + 3 * series
    assert "role" in summary[0].split(",")
    assert any(",br-oracle,br-oracle,reference," in line for line in summary)
    page = (out / "report.html").read_text()
    assert "data:image/png;base64," in page and "Agreement with the paper" in page
    assert "by up to" in page or "never reduces" in page or "shows no reduction" in page
    assert "Price of anarchy" in page and "planner (exact optimum, reference)" in page
    again = jcaco(*args, "-o", out, "--json")
    assert json.loads(again.out)["tasks_run"] == 0
    assert pq.read_table(out / "results.parquet").equals(table)


def test_bad_flags_are_one_line_errors(tmp_path: Path, jcaco) -> None:
    bad = jcaco("reproduce", "--only", "fig99", "-o", tmp_path)
    assert bad.code == 2 and "--only" in bad.err and "fig4" in bad.err and "horizon" in bad.err
    assert bad.err.count("\n") == 1
    assert jcaco("reproduce", "--seeds", "0", "-o", tmp_path).code == 2
    nope = jcaco("reproduce", "--scheduler", "localhost", "-o", tmp_path)
    assert nope.code == 2 and "--scheduler" in nope.err


ROLES = {"fp-empirical": "variant", "br-oracle": "reference", "planner": "reference"}
#: Per-seed offsets: the same for every algorithm (common random numbers: paired differences
#: are exact), unless a test gives one its own.
WIGGLE = (-0.25, 0.0, 0.25)


def _synthetic(
    values: dict[str, list[float]], fig: str = "fig4", wiggles: dict | None = None
) -> list[dict]:
    """Rows of a hand-made store: algorithm -> mean total at each point (3 seeds, ±1 s)."""
    rows = []
    for alg, means in values.items():
        for point, mean in enumerate(means):
            for seed, wiggle in enumerate((wiggles or {}).get(alg, WIGGLE)):
                rows.append(
                    {
                        "experiment": fig,
                        "x_name": "num_aps",
                        "x": float(2 + 2 * point),
                        "point": point,
                        "algorithm": alg,
                        "learner": alg,
                        "role": ROLES.get(alg, "competitor"),
                        "params": "{}",
                        "root_seed": 0,
                        "run": seed,
                        "seed": seed,
                        "slots": 10,
                        "window": 5,
                        "total_service_time_s": mean + wiggle,
                        "nash_gap_s": 0.0,
                        "switches": 2.0 if alg == "br-sync" else 0.5,
                        "converged": True,
                        "curve_bin_slots": 1,
                        "curve_total_service_time_s": [mean + 5, mean],
                        "task_key": f"{fig}-{alg}-{point}",
                        **provenance(),
                    }
                )
    return rows


def _verdicts(rows: list[dict], reading: str = "br") -> dict[str, tuple[str, str]]:
    """Claim id -> (status, evidence) under ``reading`` (or the reading-free verdict)."""
    table = rows_to_table(rows)
    return {
        j.claim.id: (j.verdict.status, j.verdict.evidence)
        for j in assess(summarise(table), table)
        if j.reading in (reading, "any")
    }


def test_agreement_marks_a_failing_claim_not_held() -> None:
    # MASL lowest everywhere except the last point, where BR wins; Selfish below RARO once.
    values = {
        "masl": [10.0, 8.0, 7.0],
        "br": [12.0, 9.0, 6.0],
        "br-sync": [20.0, 18.0, 15.0],
        "mxfp": [13.0, 10.0, 8.0],
        "selfish": [30.0, 14.0, 12.0],
        "raro": [25.0, 15.0, 11.0],
    }
    v = _verdicts(_synthetic(values))
    sync = _verdicts(_synthetic(values), "br-sync")
    assert v["C1a"][0] == "held"  # every curve decreases with the number of APs
    assert v["C1b"][0] == "not held" and "beaten at fig4 x=6 by br +1 s" in v["C1b"][1]
    assert "br-sync" not in v["C1b"][1]  # the other reading is left out, not listed
    assert v["C8c"][0] == "not held" and "lower at 2, higher at 1, undecided at 0" in v["C8c"][1]
    assert v["C8a"][0] == "not held"  # raro above selfish at x=4
    assert v["C8b"][0] == "held" and sync["C8c"][0] == "held"
    assert sync["C8d"][0] == "held"  # fewer switches than br-sync at every point
    assert v["C8d"][0] == "inconclusive"  # as many switches as br: the difference is zero
    assert v["C2a"][0] == v["B3"][0] == v["H1"][0] == "not evaluated"  # not in the store
    best = reductions(summarise(rows_to_table(_synthetic(values))))
    assert best["selfish"][0] == pytest.approx(100.0 * (30 - 10) / 30)
    assert best["br"][0] == pytest.approx(100.0 * (12 - 10) / 12)


#: MASL lowest everywhere, every curve decreasing in x.
GOOD = {
    "masl": [5.0, 4.0, 3.0],
    "br": [6.0, 5.0, 4.0],
    "br-sync": [6.5, 5.5, 4.5],
    "mxfp": [7.0, 6.0, 5.0],
    "selfish": [9.0, 8.0, 7.0],
    "raro": [8.0, 7.0, 6.0],
}


def test_agreement_holds_when_the_data_agree_and_flips_with_the_data() -> None:
    v = _verdicts(_synthetic(GOOD))
    assert all(v[c][0] == "held" for c in ("C1a", "C1b", "C8a", "C8b", "C8c", "C8e"))
    rising = {alg: means[::-1] for alg, means in GOOD.items()}
    assert _verdicts(_synthetic(rising))["C1a"][0] == "not held"
    assert _verdicts(_synthetic(rising, fig="fig9"))["C6a"][0] == "held"


def test_masl_lowest_is_judged_against_competitors_only() -> None:
    """The oracle, the planner and a variant below MASL everywhere do not change "MASL
    lowest: held" when MASL beats every competitor; they are listed for information."""
    below = {"br-oracle": [3.0, 2.0, 1.0], "planner": [2.0, 1.0, 0.5], "fp-empirical": [4, 3, 2]}
    rows = _synthetic({**GOOD, **below})
    v = _verdicts(rows)
    assert v["C1b"][0] == v["C8e"][0] == "held"
    assert "br-oracle (reference) below masl at 3/3" in v["C1b"][1]
    assert "fp-empirical (variant) below masl at 3/3" in v["C1b"][1]
    assert "planner (reference) below masl at 3/3" in v["C1b"][1]
    table = rows_to_table(rows)
    assert set(reductions(summarise(table))) == {"br", "br-sync", "mxfp", "selfish", "raro"}
    # the same store with br just below MASL at one point: now not held
    worse = {**GOOD, "br": [6.0, 3.5, 4.0], **below}
    assert _verdicts(_synthetic(worse))["C1b"][0] == "not held"


def test_overlapping_intervals_are_inconclusive() -> None:
    """MASL's mean below BR's, but the paired differences over seeds straddle zero: neither
    held nor not held."""
    close = {**GOOD, "br": [5.5, 4.5, 3.5]}
    noisy = _synthetic(close, wiggles={"br": (1.0, 0.0, -1.0)})  # masl − br: -2.5, -0.5, 1.5
    v = _verdicts(noisy)
    assert v["C8c"][0] == "inconclusive" and "undecided at 3 of 3" in v["C8c"][1]
    assert v["C1b"][0] == "inconclusive" and "undecided at fig4 x=2: br -0.5 s" in v["C1b"][1]
    assert v["C8e"][0] == "inconclusive"
    exact = _verdicts(_synthetic(close))  # the same means, common offsets: decided
    assert exact["C8c"][0] == exact["C1b"][0] == "held"


def test_trend_uses_every_point_not_only_the_ends() -> None:
    """Ends in the claimed direction but a significant step against it in between."""
    bump = {alg: [m[0], m[0] + 3.0, m[2]] for alg, m in GOOD.items()}
    v = _verdicts(_synthetic(bump))
    assert v["C1a"][0] == "not held" and "1 against" in v["C1a"][1]
    flat = {alg: [m[1], m[1], m[1] - 0.01] for alg, m in GOOD.items()}
    noisy = _synthetic(flat, wiggles={a: (-3.0, 0.0, 3.0) for a in flat})
    assert _verdicts(noisy)["C1a"][0] == "inconclusive"


def test_report_is_written_from_a_synthetic_store(tmp_path: Path) -> None:
    table = rows_to_table(_synthetic({"masl": [3.0, 2.0, 1.0], "optimum": [2.5, 1.5, 0.5]}))
    paths = write_report(table, tmp_path, {"run": "synthetic"})
    page = paths["report"].read_text()
    assert "Optimum" in page  # an extra series found in the store is drawn and tabulated
    assert (tmp_path / "fig4.pdf").exists()


def _rate_rows(finals: dict[float, float], speed: dict[float, int]) -> list[dict]:
    """Fig. 3 rows: every rate starts at 400 s and falls linearly to its final value over
    ``speed[rate]`` of 40 bins, then stays flat (3 seeds, ±1 s)."""
    rows = []
    for point, (rate, final) in enumerate(sorted(finals.items())):
        ramp = [400.0 + (final - 400.0) * min(1.0, b / speed[rate]) for b in range(40)]
        for seed, wiggle in enumerate((-1.0, 0.0, 1.0)):
            rows.append(
                {
                    "experiment": "fig3",
                    "x_name": "learning_rate",
                    "x": rate,
                    "point": point,
                    "algorithm": f"masl b={rate:g}",
                    "learner": "masl",
                    "role": "competitor",
                    "root_seed": 0,
                    "run": seed,
                    "seed": seed,
                    "total_service_time_s": final + wiggle,
                    "switches": 0.0,
                    "nash_gap_s": 0.0,
                    "converged": False,
                    "curve_bin_slots": 5,
                    "curve_total_service_time_s": [v + wiggle for v in ramp],
                    "task_key": f"fig3-{rate}",
                    **provenance(),
                }
            )
    return rows


def test_learning_rate_claims_follow_the_curves() -> None:
    speed = {0.001: 1000, 0.01: 20, 0.05: 10, 0.1: 2}
    paper_like = _verdicts(_rate_rows({0.001: 390, 0.01: 260, 0.05: 250, 0.1: 300}, speed))
    assert {paper_like[c][0] for c in ("B2", "B3", "B4", "B5", "B6")} == {"held"}
    assert "b=0.1: 10 slots" in paper_like["B3"][1]
    large_wins = _verdicts(_rate_rows({0.001: 390, 0.01: 260, 0.05: 250, 0.1: 200}, speed))
    assert large_wins["B4"][0] == large_wins["B5"][0] == "not held"
    slow_large = _verdicts(_rate_rows({0.001: 390, 0.01: 260, 0.05: 250, 0.1: 300},
                                      {0.001: 1000, 0.01: 2, 0.05: 10, 0.1: 30}))  # fmt: skip
    assert slow_large["B3"][0] == "not held"
    assert paper_like["B1"][0] == "not evaluated"  # no Fig. 2 rows
    still_falling = {**speed, 0.01: 39}  # b=0.01 is still dropping in the last quarter
    assert (
        _verdicts(_rate_rows({0.001: 390, 0.01: 260, 0.05: 250, 0.1: 300}, still_falling))["B2"][0]
        == "not held"
    )


def test_figures_draw_references_dashed_and_variants_dash_dotted() -> None:
    from jcaco.experiments.paper import EXPERIMENTS
    from jcaco.report.figures import figure_of

    extra = {"br-oracle": [3.0, 2.0, 1.0], "planner": [2.0, 1.0, 0.5], "fp-empirical": [4, 3, 2]}
    table = rows_to_table(_synthetic({**GOOD, **extra}))
    fig = figure_of(EXPERIMENTS["fig4"], summarise(table), table)
    styles = {line.get_label(): line.get_linestyle() for line in fig.axes[0].get_lines()}
    assert styles["BR-oracle (reference)"] == "--"
    assert "planner (exact optimum, reference)" not in styles  # sampled slots: paired table only
    assert styles["FP-empirical (variant)"] == "-."
    assert {styles[n] for n in ("MASL", "BR", "BR-sync", "mxFP", "Selfish", "RARO")} == {"-"}


def _horizon_rows() -> list[dict]:
    """The long run at its four end points (MASL at both rates, two competitors, the planner)
    and Fig. 4's own run at the first two."""
    means = {"masl": 4.0, "masl b=0.01": 3.0, "br": 5.0, "mxfp": 6.0, "planner": 2.0}
    rows = []
    for alg, mean in means.items():
        for point in range(4):
            for seed, wiggle in enumerate(WIGGLE):
                rows.append(
                    {
                        "experiment": "horizon",
                        "x_name": "num_aps" if point < 2 else "num_users",
                        "x": (2.0, 10.0, 10.0, 30.0)[point],
                        "point": point,
                        "algorithm": alg,
                        "learner": alg.split()[0],
                        "role": ROLES.get(alg, "competitor"),
                        "params": "{}",
                        "root_seed": 0,
                        "run": seed,
                        "seed": seed,
                        "slots": 20,
                        "window": 5,
                        "total_service_time_s": mean + point + wiggle,
                        "switches": 0.1,
                        "converged": alg == "masl b=0.01",
                        "curve_bin_slots": 10,
                        "curve_total_service_time_s": None
                        if alg == "planner"
                        else [mean + 9.0, mean + point + wiggle],
                        "task_key": f"h-{alg}-{point}",
                        **provenance(),
                    }
                )
    return rows + _synthetic({"masl": [7.0, 6.0, 5.0], "br": [6.0, 5.5, 4.5]})


def test_horizon_report_shows_each_end_point_beside_the_figures_run(tmp_path: Path) -> None:
    table = rows_to_table(_horizon_rows())
    v = {j.claim.id: j.verdict for j in assess(summarise(table), table) if j.reading == "br"}
    assert v["H1"].status == v["H2"].status == "held"
    assert "planner (reference) below masl at 4/4" in v["H1"].evidence
    assert "masl b=0.01's learner converged on 100% of runs" in v["H2"].evidence
    page = write_report(table, tmp_path, {"run": "synthetic"})["report"].read_text()
    assert "Fig. 9, Number of UEs = 30" in page and "Fig. 4's run: 7.000" in page
    assert "converged 100%" in page and (tmp_path / "horizon.png").stat().st_size > 0
