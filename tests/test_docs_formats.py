"""docs/formats.md stays true: every example validates and every model field is documented."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from jcaco.io.read import parse_model
from jcaco.model.files import load_game
from jcaco.scenario.schema import ScenarioModel
from jcaco.sim.schema import SCHEMAS, AssignmentModel

DOC = Path(__file__).resolve().parents[1] / "docs" / "formats.md"


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(), flags=re.S)


def test_every_json_example_validates() -> None:
    kinds = []
    for block in _blocks("json"):
        doc = json.loads(block)
        tag = doc.get("schema")
        if tag is None:
            parse_model(AssignmentModel, doc)
            kinds.append("assignment")
        else:
            kind = tag.removeprefix("jcaco.").removesuffix("/1")
            parse_model(SCHEMAS[kind], doc)
            kinds.append(kind)
    assert {"scenario", "instance", "result", "assignment"} <= set(kinds)


def test_toml_example_loads(tmp_path: Path) -> None:
    (block,) = _blocks("toml")
    parse_model(ScenarioModel, tomllib.loads(block))
    path = tmp_path / "net.toml"
    path.write_text(block)
    game = load_game(path)
    assert game.tx_time_s.shape == (2, 2) and game.compute_time_s.shape == (2, 2)


@pytest.mark.parametrize("model", [*SCHEMAS.values(), AssignmentModel], ids=lambda m: m.__name__)
def test_every_field_is_documented(model) -> None:
    text = DOC.read_text()
    pending = [model]
    while pending:
        current = pending.pop()
        for name, field in current.model_fields.items():
            label = field.alias or name
            assert f"`{label}" in text or f".{label}`" in text, f"{current.__name__}.{label}"
            inner = getattr(field.annotation, "__args__", ()) or (field.annotation,)
            pending += [t for t in inner if isinstance(t, type) and hasattr(t, "model_fields")]
