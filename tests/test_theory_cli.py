"""``jcaco theory``: the command prints its findings, writes JSON, rejects bad flags."""

from __future__ import annotations

import json

import pytest

from jcaco.cli import main


def test_theory_conditional_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["theory", "--check", "conditional", "--instances", "20", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["schema"] == "jcaco.theory/1"
    assert doc["counter_example"]["conditional_cost_after_s"] == pytest.approx(6.0)
    assert doc["cycles"]["instances"] == 20
    assert "potential" not in doc and "ode" not in doc


def test_theory_potential_text_and_output_folder(tmp_path, capsys) -> None:
    assert main(["theory", "--check", "potential", "--instances", "15", "-o", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Theorem 4" in out and "every improving move lowers the potential: as claimed" in out
    doc = json.loads((tmp_path / "theory.json").read_text())
    assert sum(row["lex_violations"] for row in doc["potential"]["rows"]) == 0
    # §4.2 item 5: the joint sum Φc + Φo is not a potential; the search finds moves that lower
    # the mover's cost while the sum rises (measured: 3 of 272 joint moves in 15 games)
    joint = doc["joint_sum"]
    assert 0 < joint["counter_moves"] <= joint["joint_moves"]
    assert joint["example_delta_cost_ticks"] < 0
    assert joint["example_delta_phi_ap"] + joint["example_delta_phi_server"] > 0


@pytest.mark.parametrize(
    ("argv", "flag"),
    [(["--instances", "0"], "--instances"), (["--seed", "-1"], "--seed")],
)
def test_theory_bad_flags_exit_2_with_one_line(argv, flag, capsys) -> None:
    assert main(["theory", "--check", "rho", *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and flag in err
