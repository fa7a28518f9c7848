"""The ``ansi`` rendering of the environment: one slot as a text table."""

from __future__ import annotations

from jcaco.types import BoolArray, FloatArray, IntArray

#: Users shown in a table (the rest are summarised in one line).
MAX_ROWS = 40


def slot_table(
    slot: int, ap: IntArray, server: IntArray, active: BoolArray, service_time_s: FloatArray
) -> str:
    """Users, AP, server and realised service time U_i (13) of the last scored slot.

    ``slot`` is the number of slots scored so far (0 right after ``reset``: no choices yet);
    the arrays are ``(N,)``; an inactive user's delay is shown as ``-``.
    """
    if slot == 0:
        return "slot 0: no actions yet\n"
    total_s = float(service_time_s[active].sum())
    lines = [
        f"slot {slot - 1}: {int(active.sum())} of {len(ap)} users active, "
        f"total service time (13) {total_s:.3f} s",
        f"{'user':>6} {'ap':>4} {'server':>6} {'delay s':>9}",
    ]
    for i in range(min(len(ap), MAX_ROWS)):
        delay = f"{service_time_s[i]:9.3f}" if active[i] else f"{'-':>9}"
        lines.append(f"{i:>6} {ap[i]:>4} {server[i]:>6} {delay}")
    if len(ap) > MAX_ROWS:
        lines.append(f"... ({len(ap) - MAX_ROWS} more users)")
    return "\n".join(lines) + "\n"


__all__ = ["MAX_ROWS", "slot_table"]
