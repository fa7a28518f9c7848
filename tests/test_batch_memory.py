"""A batch of seeds simulated at once is checked against the machine's memory before any
seed is drawn (``reproduce --seeds`` / ``--seeds-per-task`` / ``--jobs``, ``api.simulate``
with many seeds): one line, exit 2, naming the option and the most seeds that fit. The
machine's memory is set by the test, so the outcome does not depend on where it runs."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from jcaco import api
from jcaco.errors import InputError
from jcaco.experiments.experiment import Experiment
from jcaco.experiments.paper import select
from jcaco.experiments.sweep import check_batches
from jcaco.scenario import limits

#: The memory the tests pretend the machine has [B].
MEMORY_B = 1 << 30
#: Fig. 9's largest point: 30 users, 5 APs, 5 servers.
FIG9_LARGEST = (30, 5, 5)
#: Fig. 9's slots (the per-slot trace of every seed is held for the whole run).
FIG9_SLOTS = select(["fig9"])[0].slots


@pytest.fixture
def one_gib(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(limits, "physical_memory_bytes", lambda: MEMORY_B)
    return MEMORY_B // limits.batch_bytes(*FIG9_LARGEST, 1, slots=FIG9_SLOTS)  # what fits


def test_the_batch_estimate_grows_with_seeds_and_recorded_slots() -> None:
    one = limits.batch_bytes(*FIG9_LARGEST, 1)
    assert limits.batch_bytes(*FIG9_LARGEST, 10) == 10 * one  # linear in the seeds
    assert one >= limits.network_bytes(*FIG9_LARGEST) + 8 * 30 * (2 * 5 + 2 * 5 + 2)
    assert limits.batch_bytes(*FIG9_LARGEST, 1, recorded_slots=100) == one + 8 * 30 * 100
    assert limits.batch_bytes(*FIG9_LARGEST, 1, slots=100) == one + 41 * 100  # the trace


@pytest.mark.parametrize(
    "users, resources, slots, record",
    [(30, 5, 1500, False), (30, 5, 100, True), (120, 10, 50, False)],
)
@pytest.mark.parametrize("algorithm", ["masl", "fp-empirical"])
def test_the_estimate_bounds_what_a_batch_allocates(
    users: int, resources: int, slots: int, record: bool, algorithm: str
) -> None:
    """The bytes one more seed adds to ``api.simulate``'s peak (numpy's allocations, as
    tracemalloc counts them) lie between 40% of the estimate and the estimate: the check
    refuses a batch only when it needs at least 40% of the machine's memory, and lets none
    through that needs more than the estimate (before the trace was counted, a long run of
    few users needed 2x the estimate; with 8 game copies, many users needed a third)."""
    net = api.generate(preset="paper", seed=3, users=users, aps=resources, servers=resources)

    def peak(seeds: int) -> int:
        tracemalloc.start()
        try:
            api.simulate(net, algorithm, seed=list(range(seeds)), slots=slots,
                         record_users=record)  # fmt: skip
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    peak(2)  # compiled kernels and caches first
    per_seed = (peak(42) - peak(2)) / 40
    estimate = limits.batch_bytes(users, resources, resources, 1, slots if record else 0, slots)
    assert 0.4 * estimate <= per_seed <= estimate


def test_reproduce_refuses_a_batch_beyond_memory(one_gib: int, jcaco, tmp_path: Path) -> None:
    out = tmp_path / "r"
    too_many = 10 * one_gib
    result = jcaco("reproduce", "--only", "fig9", "--seeds", too_many, "-o", out)
    assert result.code == 2
    (line,) = result.err.splitlines()
    assert line.startswith(f"jcaco: error: --seeds: a batch of {too_many} seeds x 30 users x 5")
    assert "(fig9 point 4)" in line and "more than this machine's 1.0 GiB" in line
    assert f"allowed: at most {one_gib} seeds per batch" in line
    assert not out.exists()  # refused before the store, its lock or any seed
    split = jcaco("reproduce", "--only", "fig9", "--seeds", too_many, "--jobs", "2",
                  "--seeds-per-task", one_gib, "-o", out)  # fmt: skip
    assert split.code == 2 and split.err.startswith("jcaco: error: --seeds-per-task: ")
    assert "(2 batches at once, one per --jobs worker)" in split.err
    assert f"at most {one_gib // 2} seeds per batch" in split.err


def test_a_batch_that_fits_passes(one_gib: int) -> None:
    fig9 = select(["fig9"], seeds=10 * one_gib)
    check_batches(fig9, seeds_per_task=one_gib)  # one batch of what fits: no error
    with pytest.raises(InputError, match="--seeds-per-task"):
        check_batches(fig9, seeds_per_task=one_gib + 1)
    with pytest.raises(InputError, match="2 batches at once, one per --jobs worker"):
        check_batches(fig9, seeds_per_task=one_gib, jobs=2)


def test_the_workers_hold_the_runs_largest_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """With ``--jobs J`` the J largest batches of the run are held at once, not J copies of
    the largest: Fig. 2 is one batch, admitted with 4 workers when it fits alone (it was
    refused as 4 batches), and beside it the next batch is one of Fig. 9's smaller ones."""
    (fig2,), (fig9,) = select(["fig2"]), select(["fig9"])

    def size(exp: Experiment, point: int) -> int:
        c, recorded = exp.config_at(point), exp.slots if exp.layout.records_users else 0
        shape = (c.num_users, c.num_aps, c.num_servers)
        return limits.batch_bytes(*shape, exp.seeds, recorded, exp.slots)

    alone, beside = size(fig2, 0), max(size(fig9, p) for p in range(len(fig9.points)))
    assert beside < alone / 2  # Fig. 2 records every user's time: 2 of it would not fit
    monkeypatch.setattr(limits, "physical_memory_bytes", lambda: alone + beside)
    check_batches([fig2], jobs=4)
    check_batches([fig2, fig9], jobs=2)
    with pytest.raises(InputError, match=r"\(fig2 point 0\) \(3 batches at once, one per"):
        check_batches([fig2, fig9], jobs=3)  # a second Fig. 9 batch no longer fits


def test_api_simulate_refuses_many_seeds(one_gib: int) -> None:
    net = api.generate(preset="paper", seed=1)
    n, m, k = net.num_users, net.num_aps, net.num_servers
    fit = MEMORY_B // limits.batch_bytes(n, m, k, 1, slots=2)
    with pytest.raises(InputError, match=rf"^seed: a batch of {fit + 1} seeds .* at most {fit}"):
        api.simulate(net, "selfish", seed=list(range(fit + 1)), slots=2)
    recorded = MEMORY_B // limits.batch_bytes(n, m, k, 1, recorded_slots=10**6, slots=10**6)
    with pytest.raises(InputError, match=f"at most {recorded} seeds per batch$"):
        api.simulate(net, "selfish", seed=list(range(recorded + 1)), slots=10**6,
                     record_users=True)  # fmt: skip


def test_the_message_names_what_can_shrink_when_one_seed_per_batch_is_too_much(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    one_seed = limits.batch_bytes(*FIG9_LARGEST, 1, slots=FIG9_SLOTS)
    monkeypatch.setattr(limits, "physical_memory_bytes", lambda: int(1.5 * one_seed))
    with pytest.raises(InputError, match=r"allowed: one seed per batch and at most 1 batches"):
        limits.check_batch_memory(*FIG9_LARGEST, 1, option="--seeds-per-task", slots=FIG9_SLOTS,
                                  batches=2)  # fmt: skip
    monkeypatch.setattr(limits, "physical_memory_bytes", lambda: one_seed // 2)
    with pytest.raises(InputError, match=r"allowed: fewer users, APs, servers or slots"):
        limits.check_batch_memory(*FIG9_LARGEST, 1, option="seed", slots=FIG9_SLOTS)


def test_cli_simulate_names_its_own_option(
    monkeypatch: pytest.MonkeyPatch, jcaco, tmp_path: Path
) -> None:
    """``jcaco simulate`` runs ``api.simulate``'s memory check: a refusal names ``--seed`` (the
    command's option), not ``--param`` or the API's keyword, and writes nothing."""
    net = tmp_path / "net.json"
    assert jcaco("generate", "--preset", "paper", "--seed", "1", "-o", net).code == 0
    monkeypatch.setattr(limits, "physical_memory_bytes", lambda: 1)  # nothing fits
    out = tmp_path / "sim"
    result = jcaco("simulate", net, "-a", "selfish", "--slots", "2", "-o", out)
    assert result.code == 2
    (line,) = result.err.splitlines()
    assert line.startswith("jcaco: error: --seed: a batch of 1 seeds"), line
    assert not out.exists()
