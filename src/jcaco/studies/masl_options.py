"""MASL's options where the seed is explicit or silent: a sensitivity table (docs/algorithms.md).

For each configuration (Table III with one parameter set, as a figure point) and each
combination of ``sampling`` (``active``/``all``) and ``normaliser`` (``o9``/``per-user``), MASL
runs the figures' time-slotted simulation (activity, Rayleigh fading, random walk; b = 0.05,
T = 2,000 slots, the mean over the last 100 slots) on networks drawn from the stream
``sensitivity``, disjoint from the ``scenario`` stream the figures draw from. Every combination
sees the same networks and the same activity, fading and mobility draws (common random
numbers), so options are compared by the paired difference over seeds and its 95% interval.

Run it as ``jcaco study masl-options [--seeds 20] [--slots 2000]``; it prints a markdown table
(docs/algorithms.md).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from jcaco.errors import InputError
from jcaco.experiments.summary import t_half_width
from jcaco.learners.masl.core import both_rates
from jcaco.model.build import infeasible_users
from jcaco.rng import stream
from jcaco.scenario.generator import PRESETS, GeneratorConfig, with_overrides
from jcaco.scenario.network import Network
from jcaco.sim.simulate import simulate

#: (label, overrides of the paper preset): the base point and three figure ends.
CONFIGS: tuple[tuple[str, dict[str, int]], ...] = (
    ("N=30 M=5 K=5", {}),
    ("N=10", {"num_users": 10}),
    ("M=2", {"num_aps": 2}),
    ("K=2", {"num_servers": 2}),
)
OPTIONS: tuple[tuple[str, str], ...] = tuple(
    itertools.product(("active", "all"), ("o9", "per-user"))
)
BASELINE = ("active", "o9")
LEARNING_RATE = 0.05
WINDOW = 100


def sensitivity_networks(config: GeneratorConfig, seeds: Sequence[int], index: int) -> list:
    """One network per seed from stream ``sensitivity`` (a user no server can serve: redraw)."""
    networks: list[Network] = []
    for seed in seeds:
        for attempt in range(100):
            net = _draw(config, seed, index, attempt)
            if infeasible_users(net).size == 0:
                networks.append(net)
                break
        else:
            raise InputError(f"no feasible network for seed {seed}", field="max_error")
    return networks


def _draw(config: GeneratorConfig, seed: int, index: int, attempt: int) -> Network:
    from jcaco.scenario.generator import generate_network

    return generate_network(config, stream(seed, "sensitivity", index, attempt))


@dataclass(frozen=True)
class OptionRow:
    """One (configuration, option) cell: mean over seeds and the paired difference."""

    config: str
    sampling: str
    normaliser: str
    mean_total_s: float
    diff_s: float  # mean of (this option - baseline) over seeds
    diff_low_s: float
    diff_high_s: float
    converged_share: float


def paired_interval(diff: np.ndarray) -> tuple[float, float, float]:
    """Mean of the paired differences ``diff`` [seeds] and its 95% Student-t interval."""
    mean = float(np.mean(diff))
    half = t_half_width(diff)
    return mean, mean - half, mean + half


def masl_options(seeds: int = 20, slots: int = 2000) -> list[OptionRow]:
    """The sensitivity table (every configuration x every option)."""
    rows: list[OptionRow] = []
    seed_list = list(range(seeds))
    for index, (label, overrides) in enumerate(CONFIGS):
        config = with_overrides(PRESETS["paper"], dict(overrides))
        networks = sensitivity_networks(config, seed_list, index)
        totals: dict[tuple[str, str], np.ndarray] = {}
        converged: dict[tuple[str, str], float] = {}
        for sampling, normaliser in OPTIONS:
            params = {
                **both_rates(LEARNING_RATE),
                "sampling": sampling,
                "normaliser": normaliser,
            }
            trace = simulate(networks, "masl", seed_list, slots, params=params)
            window = min(WINDOW, slots)
            totals[sampling, normaliser] = trace.tail_mean(window)
            converged[sampling, normaliser] = float(np.mean(trace.converged[-1]))
        for option in OPTIONS:
            mean, low, high = paired_interval(totals[option] - totals[BASELINE])
            rows.append(
                OptionRow(
                    label,
                    *option,
                    float(np.mean(totals[option])),
                    mean,
                    low,
                    high,
                    converged[option],
                )
            )
    return rows
