"""Imports flow one way (DESIGN.md §3): a module imports only from layers above it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "jcaco"
ORDER = "scenario model game learners sim env theory experiments api cli".split()
LEAVES = {"units", "rng", "errors", "types", "__init__"}


def _layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "jcaco" or len(parts) == 1:
        return None
    head = parts[1]
    if head in LEAVES:
        return None
    return "cli" if head.startswith("cli") or head == "__main__" else head


def _modules() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_no_upward_imports(path: Path) -> None:
    rel = path.relative_to(SRC)
    own = "cli" if rel.parts[0].startswith("cli") or rel.parts[0] == "__main__.py" else rel.parts[0]
    own = own.removesuffix(".py")
    if own == "__init__":  # the top-level API, imported lazily (PEP 562)
        allowed: set[str] = {"api"}
    elif own in LEAVES:
        allowed = set()
    else:
        allowed = set(ORDER[: ORDER.index(own) + 1])
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            layer = _layer(name)
            if layer is not None:
                assert layer in allowed, f"{rel} imports {name} (layer {layer!r} is below {own!r})"
