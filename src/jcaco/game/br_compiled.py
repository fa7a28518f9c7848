"""Sequential best response through a compiled kernel when numba is installed (DESIGN.md §7).

:func:`sequential_best_response` here is a drop-in for
:func:`jcaco.game.dynamics.sequential_best_response`: it draws the same random priorities
from ``rng`` and returns the same profile, rounds, moves and convergence flags, bit for bit
(``tests/test_sim_br_kernel.py``), but runs the moves of all seeds in one compiled call. In the
time-slotted simulation (30 users, 20 seeds, fresh activity and fading every slot) the Python
loop over moves dominated a ``br`` slot; ``benchmarks/bench_sim.py`` measures both engines.

numba is imported on first use only (``import jcaco`` stays fast); without it, or with
``JCACO_NO_NUMBA=1`` in the environment, the numpy implementation runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import numpy as np

from jcaco.game import dynamics, kernels, resource
from jcaco.rng import RandomSource
from jcaco.types import FloatArray, IntArray

Engine = Literal["auto", "numba", "numpy"]


def compiled_kernel() -> Callable[..., Any] | None:
    """The numba kernel, or ``None`` when numba is missing or disabled (``JCACO_NO_NUMBA``)."""
    module = kernels.load("jcaco.game._br_numba")
    return None if module is None else module.sequential_best_response_kernel


def sequential_best_response(
    w: FloatArray,
    choice: IntArray,
    rng: RandomSource,
    *,
    max_rounds: int = 50,
    atol: float = resource.DEFAULT_ATOL_S,
    engine: Engine = "auto",
) -> dynamics.DynamicsOutcome:
    """Sequential best-response dynamics (``br``, MODEL.md §6), compiled when possible.

    Parameters and result as :func:`jcaco.game.dynamics.sequential_best_response`;
    ``engine`` picks the implementation (``auto``: numba if available).
    """
    kernel = compiled_kernel() if engine != "numpy" else None
    if kernel is None:
        if engine == "numba":
            raise RuntimeError("numba is not available (or JCACO_NO_NUMBA is set)")
        return dynamics.sequential_best_response(w, choice, rng, max_rounds=max_rounds, atol=atol)
    num_seeds, num_users = choice.shape
    # the draw of the numpy implementation: one priority per user and call, every seed
    priority = rng.random((num_seeds, num_users))  # [seeds, users]
    out = np.array(choice, dtype=np.int64, order="C", copy=True)
    rounds, moves, converged = kernel(
        np.ascontiguousarray(w, dtype=np.float64), out, priority, int(max_rounds), float(atol)
    )
    return dynamics.DynamicsOutcome(out, rounds, moves, converged)


__all__ = ["sequential_best_response", "compiled_kernel", "Engine"]
