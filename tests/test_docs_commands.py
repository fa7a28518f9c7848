"""Every ``jcaco`` command line shown in README.md and docs/*.md parses as written.

A command in a code block (``$ jcaco ...`` or ``jcaco ...``) is parsed by the real command
line, without running it: the command and subcommand exist, every option exists and takes its
value, and every value a type checks at parse time (a count, a choice, a seed) is allowed. A
synopsis (``[--json]``) and printed output (``jcaco theory (seed 0, ...)``) are not commands
and are skipped. Comments (``# ...``), redirections and what follows ``;`` or ``&&`` are cut.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest

from jcaco.cli.app import cli

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```[\w-]*\n(.*?)^```", flags=re.S | re.M)
COMMAND = re.compile(r"^(?:\$ )?(jcaco [a-z].*)$")


def command_lines(text: str) -> list[str]:
    """The ``jcaco`` commands of the code blocks of a page, cut to the command itself.

    >>> command_lines("```console\\n$ jcaco solve n.json -a br > r.json  # x\\nwrote r\\n```\\n")
    ['jcaco solve n.json -a br']
    >>> command_lines("```\\njcaco calibrate -o s.json && jcaco generate --catalog s.json\\n```\\n")
    ['jcaco calibrate -o s.json', 'jcaco generate --catalog s.json']
    """
    out = []
    for block in FENCE.findall(text):
        for line in block.splitlines():
            line = re.split(r"\s+#", line.strip())[0]
            for part in re.split(r"\s*(?:;|&&|\|\|)\s*", line):
                match = COMMAND.match(part)
                if match is None:
                    continue
                command = re.split(r"\s*(?:\||2?>)", match.group(1))[0].strip()
                tokens = shlex.split(command)
                if any(token.startswith(("[", "(")) for token in tokens):
                    continue  # a synopsis or printed output, not a command line
                out.append(command)
    return out


def parse(command: str) -> None:
    """Parse ``command`` as ``jcaco`` would, without running it (raises click's errors)."""
    tokens = shlex.split(command)[1:]
    while tokens and tokens[0].startswith("-"):  # the group's own options (--debug)
        tokens = tokens[1:]
    name, *rest = tokens
    target = cli.get_command(click.Context(cli), name)
    assert target is not None, f"no command {name!r}"
    if isinstance(target, click.Group):
        name, *rest = rest
        target = target.get_command(click.Context(target), name)
        assert target is not None, f"no subcommand {name!r}"
    with target.make_context(name, rest):
        pass


CASES = [
    (page.relative_to(ROOT).as_posix(), command)
    for page in PAGES
    for command in dict.fromkeys(command_lines(page.read_text()))
]


def test_the_pages_show_commands() -> None:
    pages = {page for page, _ in CASES}
    assert {"README.md", "docs/formats.md", "docs/extending.md", "docs/catalog.md"} <= pages
    assert len(CASES) >= 40


@pytest.mark.parametrize(("page", "command"), CASES, ids=[f"{p}: {c}" for p, c in CASES])
def test_a_documented_command_parses(page: str, command: str) -> None:
    try:
        parse(command)
    except click.exceptions.Exit:  # --help, --version
        pass
    except click.ClickException as exc:
        pytest.fail(f"{page}: `{command}`: {exc.format_message()}")


@pytest.mark.parametrize(
    "command",
    [
        "jcaco solve net.json --algoritm br",
        "jcaco simulate net.json -a br --record everything",
        "jcaco reproduce --seeds 0",
        "jcaco study masl-equilibrium",
        "jcaco nosuch net.json",
    ],
)
def test_the_check_finds_a_wrong_command(command: str) -> None:
    with pytest.raises((click.ClickException, AssertionError)):
        parse(command)


def _session(text: str) -> list[tuple[str, list[str]]]:
    """The README's first console block as (command line, the lines shown after it)."""
    block = FENCE.findall(text.split("## Ten minutes with jcaco", 1)[1])[0]
    steps: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        else:
            steps[-1][1].append(line)
    return steps


def _shown(line: str) -> str:
    return re.sub(r"wall: [\d.]+ s", "wall: * s", line).strip()


def test_the_readme_session_prints_what_the_readme_shows(
    jcaco, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """README's "Ten minutes with jcaco", run command by command: every line it shows (but the
    elided rows and the wall time) is printed, and the exit status it shows is the one."""
    monkeypatch.chdir(tmp_path)
    for line, shown in _session((ROOT / "README.md").read_text()):
        echo = re.fullmatch(r"echo '(.*)' > (\S+)", line)
        if echo:
            (tmp_path / echo.group(2)).write_text(echo.group(1))
            continue
        command, _, status = line.partition("; echo")
        command = re.split(r"\s+#", command)[0]
        command, _, redirect = command.partition(" > ")
        result = jcaco(*shlex.split(command)[1:])
        printed = [_shown(out) for out in (result.out + result.err).splitlines()]
        if status:
            printed.append(f"exit {result.code}")
        else:
            assert result.code == 0, (line, result.err)
        if redirect:
            (tmp_path / redirect.strip()).write_text(result.out)
        for want in shown:
            if want.strip() == "..." or "│   .." in want:
                continue
            assert _shown(want) in printed, (line, want, printed)


def test_the_readme_python_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """README's Python block runs as written and prints what it says it prints."""
    (block,) = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    monkeypatch.chdir(tmp_path)
    printed: list[tuple[object, ...]] = []
    exec(block, {"print": lambda *args: printed.append(args)})
    (total_s, is_nash), (tail,) = printed
    assert total_s > 0 and isinstance(is_nash, bool)
    assert tail.shape == (3,)  # one mean per seed of seed=[1, 2, 3]
