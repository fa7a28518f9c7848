"""Exception hierarchy (modelled on ``networkx.exception``).

:class:`InputError` is for anything the user supplied (a file, a flag, an assignment); the
CLI turns it into one line on standard error and exit status 2.
"""

from __future__ import annotations


class JcacoError(Exception):
    """Base class of every jcaco exception."""


class InputError(JcacoError, ValueError):
    """Bad user input: a file, a field or a parameter outside what is allowed.

    Parameters
    ----------
    message : str
        What is wrong and what is allowed.
    source : str, optional
        The file (or flag) the bad value came from.
    field : str, optional
        The field path, with entity indices, e.g. ``aps[2].bandwidth_hz``.
    """

    def __init__(self, message: str, *, source: str | None = None, field: str | None = None):
        self.source = source
        self.field = field
        self.message = message
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """Render ``source: field: message`` with the missing parts left out."""
        parts = [p for p in (self.source, self.field) if p]
        return ": ".join([*parts, self.message])

    def with_source(self, source: str) -> InputError:
        """Return a copy that names ``source`` as the offending file."""
        return InputError(self.message, source=source, field=self.field)


class InfeasibleError(InputError):
    """A user's accuracy limit cannot be met by any server within ``max_steps``."""


class UnknownNameError(InputError):
    """An unknown algorithm, preset or experiment name."""


class Terminated(KeyboardInterrupt):
    """A termination signal (SIGTERM) arrived: stop as on Ctrl-C, keeping what is stored.

    A ``KeyboardInterrupt``, so every ``except KeyboardInterrupt`` / ``finally`` that cleans up
    after Ctrl-C (workers, temporaries) does so for SIGTERM too; the command line exits with
    status 128 + ``signum``.
    """

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum
