"""Shared fixture of the test_bench_* files: run a test with and without the numba kernels."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from jcaco import kernels


@pytest.fixture(autouse=True, params=["numba", "numpy"])
def engine(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run every test with the compiled kernels (when numba is installed) and without."""
    if request.param == "numba" and kernels.load("jcaco.learners._sample_numba") is None:
        pytest.skip("numba not installed")
    with kernels.use(request.param):
        yield str(request.param)
