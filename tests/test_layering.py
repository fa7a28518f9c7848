"""Imports flow one way (docs/architecture.md#layers): a module imports only from layers above it.

Every import counts, wherever it stands (module level, inside a function, under
``TYPE_CHECKING``): ``import jcaco.x``, ``from jcaco.x import y``, ``from jcaco import x``,
and the dotted names handed to :func:`jcaco.kernels.load` and ``importlib.import_module``. A
compiled kernel must sit in the package of the module that loads it (:mod:`jcaco.kernels`).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "jcaco"
ORDER = (
    "io scenario model game learners sim env theory jobs experiments report studies api cli"
).split()
LEAVES = {"units", "rng", "errors", "types", "kernels", "__init__", "_version"}
#: Calls whose first argument is a module's dotted name.
DYNAMIC_IMPORTS = {"load", "import_module"}


def _layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "jcaco" or len(parts) == 1:
        return None
    head = parts[1]
    if head in LEAVES:
        return None
    return "cli" if head.startswith("cli") or head == "__main__" else head


def _own_layer(rel: Path) -> str:
    own = "cli" if rel.parts[0].startswith("cli") or rel.parts[0] == "__main__.py" else rel.parts[0]
    return own.removesuffix(".py")


def _allowed(own: str) -> set[str]:
    if own == "__init__":  # the top-level API, imported lazily (PEP 562)
        return {"api"}
    if own in LEAVES:
        return set()
    return set(ORDER[: ORDER.index(own) + 1])


def _is_module(name: str) -> bool:
    return (SRC / name).is_dir() or (SRC / f"{name}.py").is_file()


def imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    """``(line, dotted name)`` of every jcaco module the source imports, anywhere in it."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"line {node.lineno}: relative import (write it absolute)"
            if node.module == "jcaco":  # from jcaco import x: x is a module (or __version__)
                found += [
                    (node.lineno, f"jcaco.{a.name}") for a in node.names if _is_module(a.name)
                ]
            elif node.module:
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            if name in DYNAMIC_IMPORTS and isinstance(first, ast.Constant):
                if isinstance(first.value, str) and first.value.startswith("jcaco."):
                    found.append((node.lineno, first.value))
    return found


def upward_imports(source: str, rel: Path) -> list[str]:
    """The imports of module ``rel`` (path under ``src/jcaco``) that climb a layer."""
    own = _own_layer(rel)
    allowed = _allowed(own)
    bad = []
    for line, name in imported_modules(ast.parse(source)):
        layer = _layer(name)
        if layer is not None and layer not in allowed:
            bad.append(f"{rel}:{line} imports {name} (layer {layer!r} is below {own!r})")
    return bad


def _modules() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_no_upward_imports(path: Path) -> None:
    rel = path.relative_to(SRC)
    assert upward_imports(path.read_text(), rel) == []


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_kernels_sit_beside_their_callers(path: Path) -> None:
    package = ".".join(("jcaco", *path.relative_to(SRC).parts[:-1]))
    for line, name in imported_modules(ast.parse(path.read_text())):
        if name.rsplit(".", 1)[-1].endswith("_numba"):
            assert name.rsplit(".", 1)[0] == package, (
                f"{path.name}:{line} loads {name}, not a kernel of its own package {package}"
            )


@pytest.mark.parametrize(
    "source",
    [
        "def f():\n    from jcaco.experiments import paper\n",
        "def f():\n    import jcaco.sim.loop\n",
        "from jcaco import experiments\n",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from jcaco.cli import main\n",
        "from jcaco import kernels\nkernels.load('jcaco.sim._fast_numba')\n",
        "import importlib\nimportlib.import_module('jcaco.env.parallel')\n",
    ],
    ids=["in-function", "in-function-import", "from-jcaco", "type-checking", "kernel", "importlib"],
)
def test_the_check_rejects_every_kind_of_upward_import(source: str) -> None:
    """The checker itself: a game-layer module may import none of these."""
    assert len(upward_imports(source, Path("game/example.py"))) == 1


def test_the_check_accepts_imports_from_above_and_leaves() -> None:
    source = (
        "from jcaco import files, kernels\nfrom jcaco.model.instance import GameInstance\n"
        "def f():\n    import jcaco.io.read\n    kernels.load('jcaco.game._br_numba')\n"
    )
    assert upward_imports(source, Path("game/example.py")) == []


#: The most lines a module may have (docs/architecture.md: small modules, one job each).
MAX_MODULE_LINES = 450


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_modules_stay_small(path: Path) -> None:
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_MODULE_LINES, (
        f"{path.relative_to(SRC)} has {lines} lines (at most {MAX_MODULE_LINES}): split it by job"
    )
