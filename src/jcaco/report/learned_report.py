"""The report's ``learned`` section: where the trained policy lands at Figs. 4 and 9.

From the store's rows of ``learned4`` and ``learned9`` (:mod:`jcaco.experiments.learned`):
per point, the mean total service time (13) of the learned policy, MASL, ``br`` and
``br-sync`` over the seeds (the figures' scoring: mean over the last W slots of each run), the
policy over MASL, and each series over the planner's exact optimum paired by seed and slot
(:mod:`jcaco.experiments.references`); with the policy's information, its training budget, the
command and the training curve (mean reward per agent step over the agent steps of training).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa

from jcaco.experiments.paper import EXPERIMENTS, LEARNED, LEARNED_ARGMAX, PLANNER_ALGORITHM
from jcaco.experiments.references import paired_ratios
from jcaco.experiments.summary import PointStat, by_series
from jcaco.io.files import save_figure
from jcaco.report.figures import DPI, _pyplot

#: The series beside the learned policy, in the table's order.
BESIDE = ("masl", "br", "br-sync")
#: The training curve's file stem.
CURVE = "learned_training"


def draw_curve(record: Mapping[str, Any], out_dir: Path) -> Path:
    """Draw the training curve (``learned_training.png`` and ``.pdf``); return the PNG."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9.6, 4.0))
    points = record.get("curve") or []
    if points:
        steps, reward = zip(*points, strict=True)
        ax.plot(steps, reward, marker=".", color="tab:olive", label="learned policy (training)")
    ax.set_xlabel("agent steps of training")
    ax.set_ylabel("mean reward per agent step (−U_i, s)")
    ax.set_title(f"Training curve, MaskablePPO, {int(record.get('agent_steps', 0)):,} agent steps")
    ax.grid(alpha=0.3)
    paths = []
    for ext in ("png", "pdf"):
        paths.append(save_figure(fig, out_dir / f"{CURVE}.{ext}", dpi=DPI))
    plt.close(fig)
    return paths[0]


def _budget(record: Mapping[str, Any]) -> str:
    config = record.get("config", {})
    ppo = ", ".join(f"{k}={v}" for k, v in dict(config.get("ppo", {})).items())
    pairs = len(config.get("num_aps", [])) * len(config.get("num_users", []))
    how = "trained by this run" if record.get("trained_now") else "loaded from the store"
    return (
        f"<p>Training: sb3-contrib MaskablePPO (SB3's default MLP, 64-64 tanh), one policy "
        f"shared by every user, <b>{int(record.get('agent_steps', 0)):,} agent steps</b> "
        f"(budget {int(config.get('steps', 0)):,}) on {pairs} networks of the "
        f"<code>training</code> seed stream (never a figure's): every pair of M in "
        f"{config.get('num_aps')} and N in {config.get('num_users')}, the rest drawn from "
        f"Table III's ranges; episodes of {config.get('max_cycles')} slots; observations "
        f"padded to {config.get('pad_to')} (APs, servers); {html.escape(ppo)}; seed "
        f"{config.get('seed')}, torch on {record.get('torch_threads')} thread. Training wall "
        f"time {record.get('wall_time_s')} s. The policy ({html.escape(str(record.get('path')))}"
        f", {how}) came from <code>{html.escape(str(record.get('command')))}</code>.</p>"
        '<p>Information: what MASL has (<code>information="masl"</code>: its own activity '
        "bit, its own mean-fading transmission and computation times, its own expected and "
        "realised delays of the previous slot, nothing of the other users). Two series: "
        f"<i>{LEARNED.label}</i> draws each action from the policy's softmax over the actions "
        "its mask allows (as PPO trained it; the learner stream), "
        f"<i>{LEARNED_ARGMAX.label}</i> takes the most likely allowed action "
        "(deterministic: users who see alike act alike).</p>"
    )


def _table(
    stats: list[PointStat], table: pa.Table, name: str
) -> tuple[str, dict[str, list[float]]]:
    """The point table of ``name`` and, per learned series, its ratios to MASL by point."""
    exp = EXPERIMENTS[name]
    series = by_series(stats, name)
    mine = [a for a in (LEARNED.label, LEARNED_ARGMAX.label) if a in series]
    if not mine:
        return "", {}
    to_planner = paired_ratios(table, PLANNER_ALGORITHM)
    algs = [*mine, *(a for a in BESIDE if a in series)]
    head = "".join(f"<th>{html.escape(a)}</th>" for a in algs)
    head += "".join(f"<th>{html.escape(a)} / MASL</th>" for a in mine)
    head += "".join(f"<th>{html.escape(a)} / planner</th>" for a in algs)
    body: list[str] = []
    ratios: dict[str, list[float]] = {a: [] for a in mine}
    for first in series[mine[0]]:
        at = {a: next((p for p in series[a] if p.point == first.point), None) for a in algs}
        cells = "".join(f"<td>{p.mean_s:.3f}</td>" if p else "<td></td>" for p in at.values())
        masl = at.get("masl")
        for a in mine:
            own = at[a]
            ok = own is not None and masl is not None and masl.mean_s > 0
            ratio = own.mean_s / masl.mean_s if ok else float("nan")  # type: ignore[union-attr]
            ratios[a].append(ratio)
            cells += f"<td>{ratio:.3f}</td>"
        for a in algs:
            hit = to_planner.get((name, first.point, a))
            cells += f"<td>{html.escape(hit.text()) if hit else ''}</td>"
        label = html.escape(f"{exp.x_label} = {exp.display(first.x):g}")
        body.append(f"<tr><td class=l>{label}</td>{cells}</tr>")
    return f"<table><tr><th>point</th>{head}</tr>{''.join(body)}</table>", ratios


def _verdict(name: str, ratios: dict[str, list[float]]) -> str:
    fig = f"Fig. {EXPERIMENTS[name].number}"
    if not ratios:
        return f"<li>{fig}: no rows of the learned policy in the store.</li>"
    return "".join(
        f"<li>{fig}, {html.escape(alg)}: total service time {min(r):.2f}–{max(r):.2f} times "
        f"MASL's; below MASL at {sum(x < 1.0 for x in r)} of {len(r)} points.</li>"
        for alg, r in ratios.items()
    )


def learned_html(
    stats: list[PointStat],
    table: pa.Table,
    record: Mapping[str, Any],
    out_dir: Path,
    image_html: Callable[[Path], str],
) -> tuple[str, Path]:
    """The section's HTML (the training curve inline through ``image_html``) and the
    curve's PNG path."""
    curve = draw_curve(record, out_dir)
    names = [n for n in ("learned4", "learned9") if any(s.experiment == n for s in stats)]
    tables = {n: _table(stats, table, n) for n in names}
    verdicts = "".join(_verdict(n, tables[n][1]) for n in names)
    parts = [
        "<p>A policy trained with a mainstream RL stack, run beside MASL, BR (two readings) "
        "and the central planner on the networks, seeds and slots of Figs. 4 and 9, scored "
        "as those figures are (mean total service time over the last W slots of each run, "
        "mean over seeds, seconds). Planner columns: the series over the exact optimum at "
        "the planner's sampled slots, paired by seed and slot.</p>",
        f"<ul>{verdicts}</ul>",
        _budget(record),
        image_html(curve),
    ]
    for n in names:
        parts += [f"<h3>{html.escape(EXPERIMENTS[n].title)}</h3>", tables[n][0]]
    return "\n".join(parts), curve


__all__ = ["BESIDE", "CURVE", "draw_curve", "learned_html"]
