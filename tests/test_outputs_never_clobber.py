"""Outputs never clobber inputs (issue 18, item 1; docs/formats.md "Output rules").

Every command refuses, with exit status 2 and one line, an output that is one of its inputs
(through the same path, a symbolic link or a hard link), an output that exists and is not a
regular file (a FIFO), an output under a regular file, and a folder output that holds an input
or files the command does not write. A symbolic link as output writes the file it points to.
Every refusal happens before any work, so each case costs a parse and a few ``stat`` calls.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import click
import pytest

from jcaco.cli.app import cli
from jcaco.cli.output import OutputPath


@pytest.fixture(scope="module")
def scenario_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    from jcaco.cli import main

    path = tmp_path_factory.mktemp("scenario") / "net.json"
    assert main(["generate", "--preset", "small", "--users", "4", "-o", str(path)]) == 0
    return path.read_bytes()


@pytest.fixture
def inputs(tmp_path: Path, scenario_bytes: bytes, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The current folder, holding ``net.json`` (a scenario) and ``m.csv`` (measurements)."""
    from jcaco.model.measurements import shipped_catalog_path

    (tmp_path / "net.json").write_bytes(scenario_bytes)
    shutil.copyfile(shipped_catalog_path(), tmp_path / "m.csv")
    monkeypatch.chdir(tmp_path)
    return tmp_path


#: (command line with {in} and {out}, the input file) for every command with an input file
#: and an output file.
SAME_FILE = [
    ("instance {in} -o {out}", "net.json"),
    ("solve {in} -a selfish --iterations 1 -o {out}", "net.json"),
    ("analyze {in} -o {out}", "net.json"),
    ("calibrate {in} -o {out}", "m.csv"),
    ("generate --preset small --catalog {in} -o {out}", "m.csv"),
]


def _args(template: str, source: str, out: str) -> list[str]:
    return [part.format(**{"in": source, "out": out}) for part in template.split()]


def _one_line_refusal(result, *words: str) -> None:
    assert result.code == 2, (result.out, result.err)
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("jcaco: error: "), lines[0]
    assert "Traceback" not in result.err
    for word in words:
        assert word in lines[0], lines[0]


@pytest.mark.parametrize(("template", "source"), SAME_FILE)
@pytest.mark.parametrize(
    "how", ["same path", "other spelling", "through a new folder", "symlink", "hard link"]
)
def test_an_output_that_is_an_input_is_refused(
    inputs: Path, jcaco: Callable, template: str, source: str, how: str
) -> None:
    before = (inputs / source).read_bytes()
    out = {
        "same path": source,
        "other spelling": f"./sub/../{source}",
        # `new` does not exist: the writer would make it, and then write the input
        "through a new folder": f"new/../{source}",
        "symlink": "link",
        "hard link": "hard",
    }[how]
    (inputs / "sub").mkdir()
    if how == "symlink":
        os.symlink(source, inputs / "link")
    if how == "hard link":
        os.link(source, inputs / "hard")
    result = jcaco(*_args(template, source, out))
    _one_line_refusal(result, "--output", "is the input")
    assert (inputs / source).read_bytes() == before
    assert sorted(p.name for p in inputs.iterdir() if p.name.startswith(".")) == []
    assert not (inputs / "new").exists()


@pytest.mark.parametrize(("template", "source"), SAME_FILE)
def test_a_fifo_output_is_refused_and_stays_a_fifo(
    inputs: Path, jcaco: Callable, template: str, source: str
) -> None:
    os.mkfifo(inputs / "pipe")
    result = jcaco(*_args(template, source, "pipe"))
    _one_line_refusal(result, "pipe: --output: exists and is not a regular file")
    assert (inputs / "pipe").is_fifo()


def test_an_output_under_a_regular_file_is_refused(inputs: Path, jcaco: Callable) -> None:
    result = jcaco("instance", "net.json", "-o", "m.csv/inst.json")
    _one_line_refusal(result, "m.csv is not a folder")


def test_an_unwritable_folder_is_refused(
    inputs: Path, jcaco: Callable, monkeypatch: pytest.MonkeyPatch
) -> None:
    (inputs / "locked").mkdir(mode=0o500)
    if os.geteuid() == 0:  # root may write any folder: let the check see what a user sees
        access = os.access
        monkeypatch.setattr(
            os, "access", lambda p, mode: access(p, mode) and Path(p).name != "locked"
        )
    result = jcaco("instance", "net.json", "-o", "locked/inst.json")
    _one_line_refusal(result, "locked/inst.json: --output: folder locked is not writable")
    assert list((inputs / "locked").iterdir()) == []


def test_a_symlink_output_writes_the_file_it_points_to(inputs: Path, jcaco: Callable) -> None:
    (inputs / "real.json").write_text("old")
    os.symlink("real.json", inputs / "link.json")
    assert jcaco("instance", "net.json", "-o", "link.json").code == 0
    assert (inputs / "link.json").is_symlink()
    assert (inputs / "real.json").read_text().startswith("{")


@pytest.mark.parametrize(
    "args",
    [
        ["simulate", "{in}", "-a", "selfish", "--slots", "2", "-o", "."],
        ["calibrate", "m.csv", "--plot", "."],
    ],
)
def test_a_folder_output_that_holds_an_input_is_refused(
    inputs: Path, jcaco: Callable, args: list[str]
) -> None:
    result = jcaco(*(a.format(**{"in": "net.json"}) for a in args))
    _one_line_refusal(result, "holds the input")
    assert sorted(p.name for p in inputs.iterdir()) == ["m.csv", "net.json"]


@pytest.mark.parametrize(
    "args",
    [
        ["simulate", "net.json", "-a", "selfish", "--slots", "2", "-o", "mine"],
        ["theory", "--check", "rho", "--instances", "1", "-o", "mine"],
        ["calibrate", "m.csv", "--plot", "mine"],
    ],
)
def test_a_folder_with_other_files_is_not_replaced(
    inputs: Path, jcaco: Callable, args: list[str]
) -> None:
    (inputs / "mine").mkdir()
    (inputs / "mine" / "notes.txt").write_text("keep me")
    result = jcaco(*args)
    _one_line_refusal(result, "holds files this command does not write (notes.txt)")
    assert [p.name for p in (inputs / "mine").iterdir()] == ["notes.txt"]


def test_a_folder_output_is_replaced_whole_by_the_next_run(inputs: Path, jcaco: Callable) -> None:
    common = ["simulate", "net.json", "-a", "selfish", "--slots", "3", "-o", "sim"]
    assert jcaco(*common, "--record", "users").code == 0
    assert sorted(p.name for p in (inputs / "sim").iterdir()) == [
        "convergence.png",
        "trace.parquet",
        "users.parquet",
    ]
    assert jcaco(*common, "--record", "totals").code == 0  # no users.parquet this time
    assert sorted(p.name for p in (inputs / "sim").iterdir()) == [
        "convergence.png",
        "trace.parquet",
    ]
    assert sorted(p.name for p in inputs.iterdir()) == ["m.csv", "net.json", "sim"]


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    out = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            out += _commands(command, f"{prefix}{name} ")
        else:
            out.append((prefix + name, command))
    return out


def test_every_output_option_of_every_command_is_checked() -> None:
    """A command's ``-o``/``--output``/``--plot`` is an :class:`OutputPath`, so the one shared
    check (:func:`jcaco.cli.output.guard_outputs`) covers it."""
    seen = []
    for name, command in _commands(cli):
        for param in command.params:
            flags = getattr(param, "opts", [])
            if {"-o", "--output", "--plot"} & set(flags):
                assert isinstance(param.type, OutputPath), (name, flags)
                seen.append(name)
    assert {"generate", "instance", "solve", "analyze", "simulate", "reproduce"} <= set(seen)
    assert {"calibrate", "theory"} <= set(seen)


@pytest.mark.parametrize(
    "args",
    [
        ["solve", "net.json", "-a", "policy", "--param", "path=pol.npz", "-o", "pol.npz"],
        ["solve", "net.json", "-a", "policy", "--param", "path=pol.npz", "-o", "pol.json"],
        ["solve", "net.json", "-a", "policy@pol.npz", "-o", "pol.npz"],
        ["analyze", "net.json", "--algorithms", "masl,policy@pol.npz", "-o", "pol.json"],
        ["analyze", "net.json", "--algorithms", "policy@./sub/../pol.npz", "-o", "pol.npz"],
    ],
)
def test_an_output_that_is_a_saved_policy_the_run_reads_is_refused(
    inputs: Path, jcaco: Callable, args: list[str]
) -> None:
    """A saved policy (``policy`` with ``--param path=``, or ``policy@PATH``) and its sidecar
    are inputs: ``-o`` naming either is refused before the run, and both stay as they were.
    (A folder output holding one is refused by the folder rules above.)"""
    import json

    import numpy as np

    from jcaco.learners.information import Information
    from jcaco.learners.policy import save_policy
    from jcaco.learners.policy_features import feature_names

    net = json.loads((inputs / "net.json").read_text())
    m, k = len(net["aps"]), len(net["servers"])
    info = Information("own", "mean", "none")
    width = len(feature_names(info, m, k))
    layers = [(np.zeros((4, width)), np.zeros(4)), (np.zeros((m * k, 4)), np.zeros(m * k))]
    (inputs / "sub").mkdir()
    save_policy(inputs / "pol.npz", layers, information=info, num_aps=m, num_servers=k)
    before = {name: (inputs / name).read_bytes() for name in ("pol.npz", "pol.json")}
    result = jcaco(*args)
    _one_line_refusal(result, "--output", "is the input")
    assert {name: (inputs / name).read_bytes() for name in before} == before
