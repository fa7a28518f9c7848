"""Every reference in the project's text resolves to something in the repository.

Scanned: README.md, docs/**/*.md, src/**/*.py (docstrings, comments and the report's HTML
strings), benchmarks/ and examples/; tests/ for file references only. A reference fails when it
names a ``*.md`` file or a ``docs/...`` path that does not exist, an anchor that no heading of
that file makes, a section, equation, open choice or algorithm that docs/model.md does not
have, or when the text names a path on one machine (``/work/``, ``/home/``, ``../shared``).
The checker is unit-tested on planted strings and on a planted copy of the tree.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODEL = "docs/model.md"

MD_REF = re.compile(r"(?<![\w/.-])((?:[\w.-]+/)*[\w-][\w.-]*\.md)(?![\w-])(#[\w-]+)?")
DOCS_PATH = re.compile(r"(?<![\w/.-])(docs/[\w./-]*[\w/-])")
# "owner/repo `path`": a file of another repository, not ours
EXTERNAL = re.compile(r"[\w.-]+/[\w.-]+ `?$")
MACHINE_PATH = re.compile(
    r"\.\./shared|(?<![\w.~-])/(?:work|root|home|Users|mnt)/[\w.-]|[A-Z]:\\Users\\"
)
ITEM = (
    r"(?:§\s*\d+(?:\.\d+)*(?:\s*[–-]\s*§?\s*\d+(?:\.\d+)*)?"
    r"|\(\d+[a-z]?\)|\bO\d+\b|Alg\.\s*\d+)"
)
MODEL_REF = re.compile(rf"docs/model\.md`?((?:\s*(?:,|;|–|-|and)?\s*{ITEM})+)")
#: Markdown files that jcaco writes (a command's outputs), named in the docs and code as
#: outputs, not as references to the repository.
WRITTEN = frozenset({"masl_normaliser.md"})
MD_LINK = re.compile(r"\]\(([^)\s]+)\)")


@dataclass(frozen=True)
class ModelIndex:
    """What docs/model.md defines: sections, equations, open choices, algorithms."""

    sections: frozenset[str]
    equations: frozenset[int]
    choices: frozenset[int]
    algorithms: frozenset[int]

    @classmethod
    def of(cls, text: str) -> ModelIndex:
        heads = re.findall(r"^#{1,6}\s+(\d+(?:\.\d+)*)[.\s]", text, flags=re.M)
        return cls(
            frozenset(heads),
            frozenset(int(n) for n in re.findall(r"\*\*\((\d+)[a-z]?\)\*\*", text)),
            frozenset(int(n) for n in re.findall(r"^\|\s*O(\d+)\s*\|", text, flags=re.M)),
            frozenset(int(n) for n in re.findall(r"^#{1,6}\s+Alg\.\s*(\d+)", text, flags=re.M)),
        )

    def missing(self, tail: str) -> list[str]:
        """The items of a reference tail (``§4.6``, ``(24)–(28)``, ``O9``) that do not exist."""
        out: list[str] = []
        for sec in re.findall(r"§\s*(\d+(?:\.\d+)*(?:\s*[–-]\s*§?\s*\d+(?:\.\d+)*)?)", tail):
            for number in re.split(r"\s*[–-]\s*§?\s*", sec):
                if number not in self.sections:
                    out.append(f"§{number}")
        out += [
            f"({n})" for n in re.findall(r"\((\d+)[a-z]?\)", tail) if int(n) not in self.equations
        ]
        out += [f"O{n}" for n in re.findall(r"\bO(\d+)\b", tail) if int(n) not in self.choices]
        out += [
            f"Alg. {n}" for n in re.findall(r"Alg\.\s*(\d+)", tail) if int(n) not in self.algorithms
        ]
        return out


def slug(heading: str) -> str:
    """GitHub's anchor of a heading."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)
    return {slug(h) for h in re.findall(r"^#{1,6}\s+(.+?)\s*#*\s*$", text, flags=re.M)}


def resolve(ref: str, source: Path, root: Path) -> Path | None:
    """The file or folder ``ref`` names, seen from ``source``; None if there is none."""
    for base in (root, source.parent, root / "docs", root / "src" / "jcaco"):
        candidate = base / ref
        if candidate.exists():
            return candidate
    return None


def problems_in(text: str, source: Path, root: Path, index: ModelIndex) -> list[str]:
    """Every broken reference of ``text`` (the contents of ``source``), one line each."""
    found: list[str] = []

    def line_of(pos: int) -> int:
        return text.count("\n", 0, pos) + 1

    def external(pos: int) -> bool:
        return bool(EXTERNAL.search(text[max(0, pos - 80) : pos]))

    for m in MACHINE_PATH.finditer(text):
        found.append(f"{line_of(m.start())}: a path on one machine: {m.group(0)!r}")
    for m in MD_REF.finditer(text):
        ref, anchor = m.group(1), m.group(2)
        if external(m.start()) or ref in WRITTEN:
            continue
        target = resolve(ref, source, root)
        if target is None:
            found.append(f"{line_of(m.start())}: {ref} is not in the repository")
        elif anchor and anchor[1:] not in anchors(target):
            found.append(f"{line_of(m.start())}: {ref} has no heading {anchor}")
    for m in DOCS_PATH.finditer(text):
        ref = m.group(1).rstrip("./")
        if not external(m.start()) and not (root / ref).exists():
            found.append(f"{line_of(m.start())}: {ref} is not in the repository")
    for m in MODEL_REF.finditer(text):
        for item in index.missing(m.group(1)):
            found.append(f"{line_of(m.start())}: docs/model.md has no {item}")
    if source.suffix == ".md":
        prose = re.sub(
            r"^```.*?^```", lambda c: "\n" * c.group(0).count("\n"), text, flags=re.M | re.S
        )
        for m in MD_LINK.finditer(prose):
            link = m.group(1)
            if re.match(r"[a-z]+:", link):
                continue
            path, _, anchor = link.partition("#")
            target = (source.parent / path) if path else source
            if not target.exists():
                found.append(f"{line_of(m.start())}: link {link} names no file")
            elif anchor and target.suffix == ".md" and anchor not in anchors(target):
                found.append(f"{line_of(m.start())}: link {link} names no heading")
    return found


def self_problems(text: str, index: ModelIndex) -> list[str]:
    """docs/model.md's references to its own sections (``§4.2``) that do not exist."""
    return [
        f"§{n} is cited but has no heading"
        for n in re.findall(r"§(\d+(?:\.\d+)*)", text)
        if n not in index.sections
    ]


def scanned(root: Path) -> Iterable[tuple[Path, bool]]:
    """(file, full check) for every file whose references are checked."""
    for name in ("README.md",):
        if (root / name).is_file():
            yield root / name, True
    for folder, pattern, full in (
        ("docs", "*.md", True),
        ("src", "*.py", True),
        ("benchmarks", "*.py", True),
        ("examples", "*.py", True),
        ("tests", "*.py", False),
    ):
        for path in sorted((root / folder).rglob(pattern)) if (root / folder).is_dir() else []:
            if path.resolve() != Path(__file__).resolve() and "__pycache__" not in path.parts:
                yield path, full


def scan(root: Path) -> list[str]:
    """Every broken reference under ``root``, as ``file:line: what``."""
    model_text = (root / MODEL).read_text(encoding="utf-8")
    index = ModelIndex.of(model_text)
    out = [f"{MODEL}: {p}" for p in self_problems(model_text, index)]
    for path, full in scanned(root):
        text = path.read_text(encoding="utf-8")
        found = problems_in(text, path, root, index)
        if not full:
            found = [p for p in found if "a path on one machine" not in p]
        out += [f"{path.relative_to(root)}:{p}" for p in found]
    return out


# --- the repository itself --------------------------------------------------------------------


def test_every_reference_in_the_repository_resolves() -> None:
    assert scan(ROOT) == []


def test_docs_model_defines_every_equation_of_the_paper_and_the_sections_cited() -> None:
    index = ModelIndex.of((ROOT / MODEL).read_text(encoding="utf-8"))
    assert set(range(1, 78)) <= index.equations
    assert {str(n) for n in range(10)} <= index.sections
    assert {"4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "9.1", "9.2"} <= index.sections
    assert set(range(1, 19)) <= index.choices
    assert index.algorithms == {1, 2}


def test_readme_and_architecture_link_the_model() -> None:
    assert "](docs/model.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](model.md)" in (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")


# --- the checker, on planted references -------------------------------------------------------

INDEX = ModelIndex.of((ROOT / MODEL).read_text(encoding="utf-8"))
SRC = ROOT / "src" / "jcaco" / "units.py"
DOC = ROOT / "docs" / "algorithms.md"


def check(text: str, source: Path = SRC) -> list[str]:
    return problems_in(text, source, ROOT, INDEX)


@pytest.mark.parametrize(
    "text",
    [
        "docs/model.md (24)",
        "docs/model.md (8)–(15), (17), (24)–(28)",
        "(docs/model.md (40)–(41), §4.6)",
        "docs/model.md §4.2, item 5",
        "`docs/model.md` §3–§4 rebuilds",
        "docs/model.md §3-4",
        "docs/model.md O9",
        "docs/model.md Alg. 1",
        "docs/model.md's (3, 5, 2, 7) plus a third AP",
        "(docs/model.md\n    O9).",
        "docs/architecture.md#speed-rules",
        "docs/extending.md#the-protocol",
        "huggingface/blog `lcm_lora.md`, Benchmarks table",
        "README.md and docs/ (formats)",
        "see docs/figures/ and https://example.org/a/MISSING.md",
    ],
)
def test_a_valid_reference_passes(text: str) -> None:
    assert check(text) == []


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("The mathematics follows MODEL.md §8.", "MODEL.md is not in the repository"),
        ("(DESIGN.md §4.3)", "DESIGN.md is not in the repository"),
        ("docs/nowhere.md", "docs/nowhere.md is not in the repository"),
        ("docs/figures/none.png", "docs/figures/none.png is not in the repository"),
        ("docs/model.md §42", "docs/model.md has no §42"),
        ("docs/model.md §4.9", "docs/model.md has no §4.9"),
        ("docs/model.md §3–§12", "docs/model.md has no §12"),
        ("docs/model.md (99)", "docs/model.md has no (99)"),
        ("docs/model.md (8)–(15), (98)", "docs/model.md has no (98)"),
        ("docs/model.md O99", "docs/model.md has no O99"),
        ("docs/model.md Alg. 3", "docs/model.md has no Alg. 3"),
        ("docs/architecture.md#no-such-heading", "has no heading #no-such-heading"),
        ("notes in ../shared/MODEL.md", "a path on one machine"),
        ("run /work/main/.venv/bin/python", "a path on one machine"),
        ("`/home/someone/x.json`", "a path on one machine"),
    ],
)
def test_a_broken_reference_fails(text: str, what: str) -> None:
    found = check(f"A line.\n{text}\n")
    assert any(what in p for p in found), found
    assert all(p.startswith("2: ") for p in found), found


def test_markdown_links_are_checked_relative_to_the_document() -> None:
    assert check("[the formats](formats.md#parquet-files)", DOC) == []
    assert check("[the protocol](extending.md#the-protocol)", DOC) == []
    assert any("names no file" in p for p in check("[x](missing.md)", DOC))
    assert any("names no heading" in p for p in check("[x](formats.md#nope)", DOC))
    assert check("[site](https://example.org/nope.md)", DOC) == []


def test_slug_follows_github() -> None:
    assert slug("2. System model, equations (1)–(15)") == "2-system-model-equations-115"
    assert slug("The data path of one `jcaco reproduce` task") == (
        "the-data-path-of-one-jcaco-reproduce-task"
    )


def test_a_planted_tree_is_caught(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    (tmp_path / "README.md").write_text("See [the model](docs/model.md) §2.\n", encoding="utf-8")
    before = scan(tmp_path)  # only what the copied docs link outside docs/ (src/, tests/)
    assert not any("model.md" in p for p in before), before
    pkg = tmp_path / "src" / "jcaco"
    pkg.mkdir(parents=True)
    (pkg / "mod.py").write_text('"""Loads (MODEL.md (8)), see docs/model.md §77."""\n')
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x.py").write_text('"""Fixture at /home/u/x (DESIGN.md §5)."""\n')
    found = scan(tmp_path)
    assert "src/jcaco/mod.py:1: MODEL.md is not in the repository" in found
    assert "src/jcaco/mod.py:1: docs/model.md has no §77" in found
    assert "tests/test_x.py:1: DESIGN.md is not in the repository" in found
    assert len(found) == len(before) + 3, found
    assert not any("a path on one machine" in p for p in found)  # tests: file references only
    with open(tmp_path / MODEL, "a", encoding="utf-8") as f:
        f.write("\nAs §12 shows.\n")
    assert "docs/model.md: §12 is cited but has no heading" in scan(tmp_path)
