"""JSON through orjson: non-finite values found by numpy and named, compact large files."""

from __future__ import annotations

import json

import numpy as np
import pytest

from jcaco.io import files as io
from jcaco.io.files import dumps_json


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"a": np.array([[1.0, 2.0], [3.0, np.nan]])}, "a[1][1]"),
        (
            {"users": [{"x_m": 1.0, "activity": 0.5}, {"x_m": 2.0, "activity": np.inf}]},
            "users[1].activity",
        ),
        ({"tx_time_s": [[1.0, 2.0], [1.0, float("-inf")]]}, "tx_time_s[1][1]"),
        ({"steps": [[1, None], [float("nan"), 2]]}, "steps[1][0]"),
        ({"meta": {"deep": [{"x": 1.0}, {"y": float("nan")}]}}, "meta.deep[1].y"),
    ],
)
def test_non_finite_values_are_named(document, field) -> None:
    with pytest.raises(ValueError) as caught:
        dumps_json(document)
    assert str(caught.value).startswith(f"{field}: ")


def test_arrays_and_lists_round_trip_and_large_documents_are_compact(monkeypatch) -> None:
    doc = {"schema": "x", "values": np.arange(5) / 3.0, "ints": np.arange(3), "flag": True}
    doc["compute_time_s"] = [[1.0, None], [2.0, 3.0]]  # null (infeasible) is not NaN
    text = dumps_json(doc)
    assert json.loads(text)["compute_time_s"] == [[1.0, None], [2.0, 3.0]]
    assert json.loads(text)["values"] == (np.arange(5) / 3.0).tolist()  # the same floats
    assert text.count(b"\n") > 5  # small: indented
    monkeypatch.setattr(io, "INDENT_LIMIT_BYTES", 10)
    assert dumps_json(doc).count(b"\n") == 1  # large: one line (and the final newline)
