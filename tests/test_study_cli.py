"""``jcaco study``: the MASL studies print the library's numbers and reject bad flags (exit 2)."""

from __future__ import annotations

import pytest

from jcaco.cli import study
from jcaco.scenario.generator import PRESETS
from jcaco.studies import masl_study
from jcaco.studies.bandit_defaults import MEMORY_SLOTS, STEPS, SWITCH_RATES
from jcaco.studies.masl_options import CONFIGS, OPTIONS


def test_defaults_are_the_library_grids() -> None:
    assert [float(b) for b in study.DEFAULT_RATES.split(",")] == list(masl_study.LEARNING_RATES)
    assert [int(t) for t in study.DEFAULT_BUDGETS.split(",")] == list(masl_study.BUDGETS)


def test_masl_equilibria_prints_the_library_rows(jcaco) -> None:
    result = jcaco("study", "masl-equilibria", "--seeds", "2", "--rates", "0.1", "--budgets", "40")
    assert result.code == 0, result.err
    (row,) = masl_study.masl_study(seeds=(0, 1), learning_rates=[0.1], budgets=[40])
    assert result.out.startswith("MASL on 2 random games: 6 users, 3 APs, 3 servers")
    line = result.out.splitlines()[-1]
    assert line.startswith(f"| 0.1 | 40 | {row.ne_share:.2f} | {row.converged_share:.2f} |")
    assert line.endswith(f"| {row.ratio_to_best_ne:.3f} | {row.mean_nash_gap_s:.3g} |")
    assert PRESETS["small"].activity == (0.5, 0.9)  # the library's game = the default --activity


def test_masl_options_table_has_every_cell(jcaco) -> None:
    result = jcaco("study", "masl-options", "--seeds", "2", "--slots", "3")
    assert result.code == 0, result.err
    rows = [line for line in result.out.splitlines() if line.startswith("| ")][1:]
    assert len(rows) == len(CONFIGS) * len(OPTIONS)
    baseline = [r for r in rows if "| active | o9 |" in r]
    assert len(baseline) == len(CONFIGS) and all("+0.0 [+0.0, +0.0]" in r for r in baseline)


def test_bandit_defaults_table_has_every_series(jcaco) -> None:
    result = jcaco("study", "bandit-defaults", "--seeds", "1", "--slots", "3")
    assert result.code == 0, result.err
    rows = [line for line in result.out.splitlines() if line.startswith("| ")][1:]
    assert len(rows) == 1 + len(STEPS) * len(SWITCH_RATES) + len(MEMORY_SLOTS)
    assert rows[0].startswith("| loglinear price |") and rows[0].endswith("| 1.000 |")
    assert all(len(r.split(" | ")) == len(CONFIGS) + 2 for r in rows)


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["masl-equilibria", "--seeds", "0"], "--seeds"),
        (["masl-equilibria", "--rates", "0.1,2"], "--rates"),
        (["masl-equilibria", "--budgets", "100,0"], "--budgets"),
        (["masl-equilibria", "--activity", "0.9,0.5"], "--activity"),
        (["masl-equilibria", "--activity", "0.5"], "--activity"),
        (["masl-options", "--slots", "x"], "--slots"),
        (["bandit-defaults", "--seeds", "0"], "--seeds"),
    ],
)
def test_bad_flags_exit_2_with_one_line(jcaco, args: list[str], flag: str) -> None:
    result = jcaco("study", *args)
    lines = result.err.strip().splitlines()
    assert result.code == 2 and len(lines) == 1 and flag in lines[0], result.err
    assert result.out == ""


def test_masl_normaliser_prints_the_pick_and_writes_csv_and_markdown(jcaco, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from jcaco.cli.study_tables import CSV_COLUMNS
    from jcaco.studies.masl_normaliser import CANDIDATES, CONFIGS, REFERENCES, SHOWN

    result = jcaco("study", "masl-normaliser", "--seeds", "2", "--slots", "3", "-o", tmp_path)
    assert result.code == 0, result.err
    assert result.out.startswith('The rule (docs/algorithms.md, "MASL\'s normaliser") picks **')
    lines = (tmp_path / "masl_normaliser.csv").read_text().splitlines()
    assert tuple(lines[0].split(",")) == CSV_COLUMNS
    series = len(CANDIDATES) + len(REFERENCES) + len(SHOWN)
    assert len(lines) == 1 + len(CONFIGS) * series
    markdown = (tmp_path / "masl_normaliser.md").read_text()
    assert markdown in result.out and markdown.count("| start-quantile δ=0.01 |") == 1 + len(
        CONFIGS
    )
