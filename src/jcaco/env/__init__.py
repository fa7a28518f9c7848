"""The JCACO slot loop as a PettingZoo environment (``pip install 'jcaco[env]'``).

:func:`parallel_env` builds the :class:`~jcaco.env.parallel.JcacoParallelEnv`, :func:`env` its
AEC form through PettingZoo's conversion; both live here so that PettingZoo's
``max_cycles_test(jcaco.env)`` can take this module. See docs/env.md.
"""

from __future__ import annotations

from typing import Any

try:
    import gymnasium  # noqa: F401
    import pettingzoo
except ModuleNotFoundError as exc:  # pragma: no cover - exercised without the extra
    raise ModuleNotFoundError(
        "jcaco.env needs PettingZoo and Gymnasium: pip install 'jcaco[env]'", name=exc.name
    ) from None

from jcaco.env.parallel import LEVELS, JcacoParallelEnv, information_of, network_of


def parallel_env(scenario: Any = None, **kwargs: Any) -> JcacoParallelEnv:
    """The parallel environment: ``parallel_env(scenario, *, max_cycles=2000,
    information="own", dynamics=DynamicsConfig(), render_mode=None, observation="dict",
    pad_to=None)``
    (see :class:`JcacoParallelEnv`); ``observation="rl"`` is the one to train on, with
    ``pad_to=(M_max, K_max)`` for one policy over networks of several sizes."""
    return JcacoParallelEnv(scenario, **kwargs)


def env(scenario: Any = None, **kwargs: Any) -> pettingzoo.AECEnv:
    """The AEC form of :func:`parallel_env` (PettingZoo's ``parallel_to_aec``)."""
    from pettingzoo.utils.conversions import parallel_to_aec

    return parallel_to_aec(parallel_env(scenario, **kwargs))


__all__ = ["LEVELS", "JcacoParallelEnv", "env", "information_of", "network_of", "parallel_env"]
