"""The paper's theory, runnable: run the checks of ``jcaco theory`` and render what they found.

The checks (docs/theory.md explains each against docs/model.md §3–4):

``potential``
    Theorems 1–4 and Lemma 1 on random tick-quantised games (sorted-load order), plus what is
    not established: no exact or weighted potential, and Φc + Φo is no joint potential.
``rho``
    The exponential potential Φ = Σ ρ^L below, at and above the threshold ρ^δ > 2, and ties.
``conditional``
    The counter-example of docs/model.md §3 for the conditional delay, and a better-reply cycle
    search in the conditional game.
``ode``
    MASL against its mean ODE (Lemma 2), corner stability (Lemma 4), the share of runs ending
    at a pure equilibrium (Lemma 3, reported only).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from jcaco.io.files import provenance
from jcaco.rng import stream
from jcaco.theory import conditional, ode_check
from jcaco.theory.potential import PAPER_RHO, PotentialCheck, check_potential

CHECKS = ("potential", "rho", "conditional", "ode")

#: Spawn keys of the "scenario" stream per random search, so adding one shifts no other.
_STREAM_POTENTIAL, _STREAM_CYCLES, _STREAM_JOINT = 0, 1, 2


@dataclass(frozen=True)
class TheoryReport:
    """What the requested checks found (``None`` for a check that was not run)."""

    seed: int
    instances: int
    potential: PotentialCheck | None = None
    not_exact: conditional.NotExact | None = None
    joint_sum: conditional.JointSum | None = None
    counter_example: conditional.CounterExample | None = None
    cycles: conditional.CycleSearch | None = None
    ode: ode_check.OdeCheck | None = None
    ode_traces: ode_check.OdeTraces | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready numbers of every check that ran (the ODE curves are left out)."""
        out: dict[str, Any] = {
            "schema": "jcaco.theory/1",
            **provenance(revision=False),
            "seed": self.seed,
            "instances": self.instances,
        }
        for name, value in self.__dict__.items():
            if name in out or name == "ode_traces" or value is None:
                continue
            out[name] = asdict(value) if hasattr(value, "__dataclass_fields__") else value
        return out


def run_theory(
    checks: tuple[str, ...] = CHECKS,
    instances: int = 500,
    seed: int = 0,
    ode_kwargs: dict[str, Any] | None = None,
) -> TheoryReport:
    """Run ``checks`` (names from :data:`CHECKS`) with ``instances`` random games per search."""
    unknown = sorted(set(checks) - set(CHECKS))
    if unknown:
        raise ValueError(f"unknown checks {unknown}; allowed: {', '.join(CHECKS)}")
    found: dict[str, Any] = {}
    if "potential" in checks or "rho" in checks:
        found["potential"] = check_potential(instances, stream(seed, "scenario", _STREAM_POTENTIAL))
    if "potential" in checks:
        found["not_exact"] = conditional.not_exact_potential()
        found["joint_sum"] = conditional.joint_sum_counterexample(
            instances, stream(seed, "scenario", _STREAM_JOINT)
        )
    if "conditional" in checks:
        found["counter_example"] = conditional.counter_example()
        found["cycles"] = conditional.search_cycles(
            instances, stream(seed, "scenario", _STREAM_CYCLES)
        )
    if "ode" in checks:
        found["ode"], found["ode_traces"] = ode_check.check_ode(seed=seed, **(ode_kwargs or {}))
    return TheoryReport(seed=seed, instances=instances, **found)


def _verdict(ok: bool) -> str:
    return "as claimed" if ok else "NOT as claimed"


def format_report(report: TheoryReport, checks: tuple[str, ...] = CHECKS) -> str:
    """Plain-text rendering: one section per check, each ending with what it shows."""
    lines: list[str] = [f"jcaco theory (seed {report.seed}, {report.instances} instances/search)"]
    pot = report.potential
    if pot is not None and "potential" in checks:
        lines += ["", "[potential] Theorems 1-4: improving moves vs the sorted-load potential"]
        for row in pot.rows:
            lines.append(
                f"  {row.theorem} {row.game:18s} {row.instances:6d} games "
                f"{row.improving_moves:8d} improving moves  {row.lex_violations} violations  "
                f"(Lemma 1: {row.instances_with_pure_ne}/{row.instances} games have a pure NE)"
            )
        total = sum(r.lex_violations for r in pot.rows)
        lines.append(f"  -> every improving move lowers the potential: {_verdict(total == 0)}")
    if report.not_exact is not None:
        ne = report.not_exact
        lines += ["", "[potential] not established: exact / weighted potential (4.2 item 3)"]
        for pair, cycle, ratio in zip(ne.pairs, ne.cycle_sums_s, ne.weight_ratios, strict=True):
            lines.append(
                f"  APs {pair}: 4-cycle sum of cost changes {cycle:+g} s, "
                f"weighted potential needs w0/w1 = {ratio:.4g}"
            )
        lines.append("  -> non-zero cycle sums and unequal ratios: no exact or weighted potential")
    if report.joint_sum is not None:
        js = report.joint_sum
        lines += [
            "",
            "[potential] not established: Phi_c + Phi_o as a joint potential "
            f"(rho^delta = {PAPER_RHO})",
            f"  {js.counter_moves} of {js.joint_moves} joint moves in {js.instances_searched} "
            "games lower the mover's cost but raise Phi_c + Phi_o "
            f"({js.counter_moves_server_cost_rises} with a strict loss on the server side)",
            f"  e.g. cost {js.example_delta_cost_ticks:+g} ticks "
            f"(AP {js.example_delta_ap_cost_ticks:+g}, server "
            f"{js.example_delta_server_cost_ticks:+g}), dPhi_c = "
            f"{js.example_delta_phi_ap:+.4g}, dPhi_o = {js.example_delta_phi_server:+.4g}",
        ]
    if pot is not None and "rho" in checks:
        lines += ["", "[rho] exponential potential Phi = sum rho^L on tick-quantised loads"]
        lines.append("  game                rho^delta   rho^tick   improving  violations")
        for rr in pot.rho_rows:
            lines.append(
                f"  {rr.game:18s} {rr.rho_per_delta:10.4g} {rr.rho_per_tick:10.4g} "
                f"{rr.improving_moves:10d} {rr.violations:10d}"
            )
        above = all(r.violations == 0 for r in pot.rho_rows if r.rho_per_tick >= 2)
        below = any(r.violations > 0 for r in pot.rho_rows if r.rho_per_tick < 2)
        lines.append(
            f"  -> 0 violations whenever rho^tick >= 2: {_verdict(above)}; "
            f"violations appear below it: {below}"
        )
        t = pot.ties
        lines += [
            f"  ties (4.2 item 2): {t.tied_moves_changing_phi} of {t.tied_moves} zero-gain moves "
            "change Phi; example L=5,T=3 -> L'=1,T'=4: "
            f"dU = {t.example_delta_cost_ticks}, sign dPhi = {t.example_delta_phi_sign:+d}",
            "  -> generalized ordinal potential (strict moves agree), not an ordinal one",
        ]
    if report.counter_example is not None:
        ce = report.counter_example
        lines += [
            "",
            "[conditional] docs/model.md §3 counter-example (theta_i = 0.01)",
            f"  conditional cost {ce.conditional_cost_before_s:g} -> "
            f"{ce.conditional_cost_after_s:g} s (the user moves)",
            f"  sorted expected loads {ce.sorted_expected_loads_before_s} -> "
            f"{ce.sorted_expected_loads_after_s} (the potential rises)",
            f"  unconditional cost {ce.expected_cost_before_s:g} -> {ce.expected_cost_after_s:g} s"
            " (under (25) the move is not improving)",
        ]
    if report.cycles is not None:
        cy = report.cycles
        lines += [
            f"[conditional] better-reply cycles, {cy.instances} random games "
            f"(<= {cy.max_users} users, <= {cy.max_resources} APs, every profile enumerated)",
            f"  conditional game: {cy.conditional_games_with_cycle} games with a cycle; "
            f"{cy.conditional_moves_raising_potential} of {cy.conditional_moves} improving "
            "moves raise the sorted expected loads",
            f"  unconditional game (25): {cy.unconditional_games_with_cycle} games with a cycle",
            "  -> no cycle found in what was searched; the FIP of the conditional game is "
            "neither proven nor refuted",
        ]
    if report.ode is not None:
        lines += _format_ode(report.ode)
    return "\n".join(lines)


def _format_ode(od: ode_check.OdeCheck) -> list[str]:
    lines = [
        "",
        f"[ode] MASL vs the mean ODE (40)-(41): {od.num_users} users, {od.num_aps} APs, "
        f"{od.num_servers} servers, t = b * iteration, horizon t <= {od.horizon_t:g}",
        "  rate b   paths   slots  max |mean - ODE|  max std error  converged  ends at pure NE",
    ]
    for r in od.rates:
        lines.append(
            f"  {r.learning_rate:<7g} {r.sample_paths:6d} {r.slots_run:7d} "
            f"{r.max_deviation:17.4f} {r.max_standard_error:14.4f} "
            f"{r.converged_share:10.0%} {r.nash_share:16.0%}"
        )
    devs = [r.max_deviation for r in od.rates]
    shrinking = all(b < a for a, b in zip(devs, devs[1:], strict=False))
    lines.append(f"  -> deviation shrinks as b decreases (Lemma 2): {_verdict(shrinking)}")
    lines.append(
        f"  ODE limit from uniform: AP {od.ode_limit_ap}, server {od.ode_limit_server}, "
        f"pure NE: {od.ode_limit_is_nash}"
    )
    for c in od.corners:
        lines.append(
            f"  Lemma 4, {c.subgame}: {c.stable_corners} stable of {c.corners} corners, "
            f"{c.strict_equilibria} strict pure NE; stable = strict NE: "
            f"{c.stable_equals_strict_equilibria}"
        )
    lines.append(
        "  Lemma 3 is not proven for this game (docs/model.md §4.6): shares are reported only"
    )
    return lines
