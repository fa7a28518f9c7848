"""jcaco: the JCACO game and MASL learning for MEC-enabled AIGC networks.

``jcaco.load``, ``jcaco.generate``, ``jcaco.solve``, ``jcaco.evaluate``, ``jcaco.simulate``,
``jcaco.analyze`` and ``jcaco.reproduce`` are the top-level API (:mod:`jcaco.api`), imported
on first use so that ``import jcaco`` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jcaco._version import __version__

_API = ("analyze", "evaluate", "generate", "load", "reproduce", "simulate", "solve")

if TYPE_CHECKING:
    from jcaco.api import analyze, evaluate, generate, load, reproduce, simulate, solve


def __getattr__(name: str) -> Any:
    """The API functions, imported from :mod:`jcaco.api` on first use (PEP 562)."""
    if name in _API:
        from jcaco import api

        return getattr(api, name)
    raise AttributeError(f"module 'jcaco' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_API])


__all__ = [
    "__version__",
    "analyze",
    "evaluate",
    "generate",
    "load",
    "reproduce",
    "simulate",
    "solve",
]
