"""The information ladder reads the figures' T from the long run's stored curve."""

from __future__ import annotations

import pyarrow as pa

from jcaco.report.ladder import LADDER, ladder, ladder_markdown, window_mean_at


def test_window_mean_reads_the_bins_of_the_window_before_t() -> None:
    curve = [float(i) for i in range(200)]  # bin b covers slots [20 b, 20 b + 20)
    assert window_mean_at(curve, 20, 100, 2000) == sum(range(95, 100)) / 5
    assert window_mean_at(curve, 20, 100, 4000) == sum(range(195, 200)) / 5
    assert window_mean_at(curve, 30, 100, 2000) is None  # bins do not align with the window
    assert window_mean_at(curve, 20, 100, 5000) is None  # past the run
    assert window_mean_at([1.0, None, 3.0, 4.0, 5.0], 20, 40, 60) is None


def _rows(algorithm: str, end_s: float, early_s: float) -> list[dict]:
    curve = [early_s] * 100 + [end_s] * 100  # 4,000 slots in 200 bins of 20
    return [
        {
            "experiment": "horizon",
            "point": 0,
            "algorithm": algorithm,
            "slots": 4000,
            "window": 100,
            "curve_bin_slots": 20,
            "curve_total_service_time_s": curve,
            "total_service_time_s": end_s + seed,
        }
        for seed in (0.0, 2.0)
    ]


def test_ladder_gives_each_rung_at_the_figures_t_and_at_the_end() -> None:
    rows = [r for i, (label, _) in enumerate(LADDER) for r in _rows(label, 100.0 + i, 50.0 + i)]
    rows += _rows("raro", 999.0, 999.0)  # not a rung: ignored
    table = pa.Table.from_pylist(rows)
    (row,) = ladder(table)
    assert row.early_slots == 2000 and row.end_slots == 4000
    for i, (label, _) in enumerate(LADDER):
        assert row.early_s[label] == 50.0 + i
        assert row.end_s[label] == 100.0 + i + 1.0  # mean of the two seeds' end values
    assert "raro" not in row.end_s
    text = ladder_markdown(table)
    assert "| 2,000 |" in text and "| 4,000 |" in text and "br-oracle" in text


def test_ladder_is_empty_without_a_long_run() -> None:
    assert ladder(pa.Table.from_pylist([{"experiment": "fig4", "point": 0}])) == []
