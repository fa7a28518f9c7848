"""Per-user recording streamed to Parquet equals the in-memory one (issue 11)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from jcaco.cli import simulate as cli_simulate
from jcaco.model.build import check_feasible
from jcaco.rng import stream
from jcaco.scenario.generator import PRESETS, generate_network
from jcaco.sim import user_times
from jcaco.sim.simulate import simulate
from jcaco.sim.user_times import UserTimesWriter, read_user_times

SEEDS = (3, 11, 42)


def _networks():
    return [
        check_feasible(generate_network(PRESETS["small"], stream(s, "scenario")), True)[0]
        for s in SEEDS
    ]


@pytest.mark.parametrize("algorithm", ["masl", "br"])
def test_streamed_user_times_equal_the_in_memory_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, algorithm: str
) -> None:
    monkeypatch.setattr(user_times, "ROW_GROUP_VALUES", 40)  # several row groups, a short last
    nets = _networks()
    memory = simulate(nets, algorithm, SEEDS, 17, record_users=True)
    path = tmp_path / "users.parquet"
    with UserTimesWriter(path, algorithm, SEEDS, nets[0].num_users) as writer:
        streamed = simulate(nets, algorithm, SEEDS, 17, user_sink=writer)
    assert streamed.user_service_time_s is None
    assert pq.ParquetFile(path).num_row_groups > 2
    slots, times = read_user_times(path)
    assert np.array_equal(slots, np.arange(17))
    assert memory.user_service_time_s is not None
    assert times.tobytes() == memory.user_service_time_s.tobytes()  # NaN where inactive, too
    assert streamed.total_service_time_s.tobytes() == memory.total_service_time_s.tobytes()
    # the same rows as the in-memory trace's table, which orders them by seed
    frame = memory.to_frame().sort_by([("slot", "ascending"), ("seed", "ascending")])
    table = pq.read_table(path).sort_by([("slot", "ascending"), ("seed", "ascending")])
    for name in ("algorithm", "seed", "slot", "user_service_time_s"):
        left = frame.column(name).combine_chunks()
        right = table.column(name).combine_chunks()
        if name == "user_service_time_s":
            left, right = left.flatten().to_numpy(), right.flatten().to_numpy()
            assert left.tobytes() == right.tobytes()
        else:
            assert left.to_pylist() == right.to_pylist()


def test_a_failed_run_leaves_no_partial_file(tmp_path: Path) -> None:
    path = tmp_path / "users.parquet"
    with pytest.raises(RuntimeError), UserTimesWriter(path, "masl", [1], 3) as writer:
        writer(0, np.ones((1, 3)))
        raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def scenario(tmp_path: Path, jcaco) -> Path:
    path = tmp_path / "scenario.parquet"
    assert jcaco("generate", "--preset", "small", "--seed", "4", "-o", path).code == 0
    return path


@pytest.mark.parametrize(
    ("record", "limit", "expected"),
    [("users", 1, True), ("totals", 10**9, False), ("auto", 10**9, True), ("auto", 59, False)],
)
def test_record_option(
    tmp_path: Path, scenario: Path, jcaco, monkeypatch, record, limit, expected
) -> None:
    monkeypatch.setattr(cli_simulate, "AUTO_RECORD_USER_SLOTS", limit)
    out = tmp_path / record
    args = ("simulate", scenario, "-a", "masl", "--slots", "10", "--record", record, "-o", out)
    result = jcaco(*args)
    assert result.code == 0, result.err
    assert (out / "users.parquet").exists() == expected
    assert "user_service_time_s" not in pq.read_table(out / "trace.parquet").column_names
    if expected:
        slots, times = read_user_times(out / "users.parquet")
        assert times.shape == (10, 1, 6) and np.array_equal(slots, np.arange(10))
