"""Readings: the paper's ambiguities that can change a verdict, as data.

Where the paper's text admits more than one algorithm, each learner that implements one of
them carries a :class:`Reading` as its class attribute ``reading``: the group it belongs to
(one ambiguity), a short name, a one-line summary, the paper's sentences it rests on (quoted
exactly), and whether it is the project's default reading of that group. ``jcaco list
--json`` prints them; docs/model.md lists them. A reading is written down before anything is
measured with it.

Two groups today:

``br``
    How the paper's BR moves: one improving move per slot (``br``, the default), one round per
    slot in which every active user best-responds once (``br-round``), or every active user
    at once (``br-sync``).
``masl-normaliser``
    How large MASL's fixed reward constant T̄max of (35), (38) is: MASL's ``normaliser``
    option (:mod:`jcaco.learners.masl.core`) and :data:`NORMALISER_READINGS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Reading:
    """One reading of an ambiguity of the paper.

    Attributes
    ----------
    group : str
        The ambiguity it resolves (``"br"``, ``"masl-normaliser"``).
    name : str
        Its name within the group (a learner name or an option value).
    summary : str
        What it does, in one line.
    sentences : tuple of str
        The paper's sentences it rests on, quoted exactly.
    default : bool
        Whether it is the project's default reading of its group.
    """

    group: str
    name: str
    summary: str
    sentences: tuple[str, ...]
    default: bool

    def as_dict(self) -> dict[str, Any]:
        """The reading as JSON-able data (``jcaco list --json``)."""
        return {
            "group": self.group,
            "name": self.name,
            "summary": self.summary,
            "sentences": list(self.sentences),
            "default": self.default,
        }


def reading_of(cls: type) -> Reading | None:
    """The ``reading`` class attribute of a learner class, or None where it has none."""
    value = getattr(cls, "reading", None)
    return value if isinstance(value, Reading) else None


#: The paper's description of BR (VII-A), which every BR reading rests on.
BR_SENTENCE = (
    "In the BR algorithm, each active UE adjusts its strategy to optimize its payoff, "
    "considering the strategies of other UEs. The BR algorithm iterates this process, with UEs "
    "updating their strategies until no UE can improve its payoff by unilaterally changing its "
    "strategy."
)
#: Sec. V on best-response schemes.
BR_CONVERGES = (
    "It is well known that in potential games, simple algorithms such as best-response [46] "
    "are guaranteed to converge to a pure-strategy NE."
)
#: VII-C on BR's behaviour.
BR_OSCILLATES = (
    "However, BR is often unrealistic in dynamic environments and can induce oscillations due "
    "to its deterministic updates and lack of exploration."
)


def _br(name: str, summary: str, *sentences: str, default: bool = False) -> Reading:
    return Reading("br", name, summary, sentences, default)


BR_MOVE = _br(
    "br",
    "one improving move per slot, by a random active user that can improve",
    BR_SENTENCE,
    BR_CONVERGES,
    default=True,
)
BR_ROUND = _br(
    "br-round",
    "one round per slot: every active user best-responds once, in a random order",
    BR_SENTENCE,
    BR_CONVERGES,
)
BR_SYNC = _br(
    "br-sync",
    "every active user best-responds at once to the previous slot's profile",
    BR_SENTENCE,
    BR_OSCILLATES,
)

#: The paper's sentences on MASL's normalisation constant (below (35)).
NORMALISER_SENTENCES = (
    "It is chosen such that over the considered learning horizon, so that the normalized "
    "reward remains bounded within .",
    "It is worth noting that the normalization factor is a fixed constant and does not depend "
    "on future observations or online updates.",
)

__all__ = ["BR_MOVE", "BR_ROUND", "BR_SYNC", "NORMALISER_SENTENCES", "Reading", "reading_of"]
