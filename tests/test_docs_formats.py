"""docs/formats.md stays true: every example validates and every model field is documented."""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

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


#: What differs from run to run or checkout to checkout, left out of the comparison.
_VARIES = ("wall_time_s", "version", "git_revision")


def _steady(doc: Any) -> Any:
    if isinstance(doc, dict):
        return {k: _steady(v) for k, v in doc.items() if k not in _VARIES}
    if isinstance(doc, list):
        return [_steady(v) for v in doc]
    return doc


def test_examples_are_what_the_documented_commands_write(
    jcaco, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The four commands the page lists, run as written, print or write its four examples
    (the scenario, the instance, br's result, and the score of the assignment)."""
    text = DOC.read_text()
    (commands,) = re.findall(r"made with the real command line:\n\n```\n(.*?)```", text, re.S)
    examples = [json.loads(block) for block in _blocks("json")]
    (assignment,) = [doc for doc in examples if "schema" not in doc]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "assignment.json").write_text(json.dumps(assignment))
    printed = []
    for line in commands.splitlines():
        command, _, redirect = line.partition(" > ")
        args = shlex.split(command)
        assert args[0] == "jcaco"
        result = jcaco(*args[1:])
        assert result.code == 0, (line, result.err)
        if redirect:
            (tmp_path / redirect.strip()).write_text(result.out)
        elif result.out:
            printed.append(json.loads(result.out))
    written = {
        "scenario": json.loads((tmp_path / "scenario.json").read_text()),
        "instance": json.loads((tmp_path / "instance.json").read_text()),
        "br": json.loads((tmp_path / "result.json").read_text()),
        "given": printed[0],
    }
    for doc in examples:
        if "schema" not in doc:
            continue
        kind = doc["schema"].removeprefix("jcaco.").removesuffix("/1")
        key = doc["algorithm"] if kind == "result" else kind
        assert _steady(doc) == _steady(written[key]), key
