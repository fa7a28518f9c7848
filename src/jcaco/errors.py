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
        """Return a copy, of the same class, that names ``source`` as the offending file."""
        return type(self)(self.message, source=source, field=self.field)


class InfeasibleError(InputError):
    """A user's accuracy limit cannot be met by any server within ``max_steps``."""


class UnknownNameError(InputError):
    """An unknown algorithm, preset or experiment name."""


class PluginError(JcacoError):
    """A plug-in learner's method raised in a worker process (``reproduce --jobs N``, Dask).

    Stack frames do not cross processes, so the worker names the method where it raised
    (:func:`plugin_frame`) and keeps its traceback as text; the command line prints the same
    one line as for an error in its own process (``--debug``: the worker's traceback too).
    Every argument is a string, so the exception pickles as it is.

    Parameters
    ----------
    learner, method : str
        The plug-in's class and the method that raised (``Raises``, ``act``).
    kind, message : str
        The original exception's class name and text.
    trace : str
        The worker's formatted traceback.
    """

    def __init__(self, learner: str, method: str, kind: str, message: str, trace: str):
        super().__init__(learner, method, kind, message, trace)
        self.learner, self.method, self.kind, self.message, self.trace = (
            learner, method, kind, message, trace,
        )  # fmt: skip

    def __str__(self) -> str:
        return f"plug-in {self.learner}.{self.method}() raised {self.kind}: {self.message}"


def plugin_frame(exc: BaseException) -> tuple[str, str] | None:
    """``(class, method)`` of the outermost plug-in learner method in ``exc``'s traceback: a
    frame whose ``self`` is a ``jcaco.learners.base.Learner`` defined outside jcaco,
    preferably one running the plug-in's own code (else a jcaco method it inherits); ``None``
    when no plug-in is on the stack. (Classes are matched by name, so this leaf module
    imports nothing.)"""
    found: list[tuple[bool, str, str]] = []
    tb = exc.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        kind = type(frame.f_locals.get("self"))
        is_learner = any(
            c.__name__ == "Learner" and c.__module__ == "jcaco.learners.base" for c in kind.__mro__
        )
        if is_learner and not kind.__module__.startswith("jcaco."):
            own = not str(frame.f_globals.get("__name__", "")).startswith("jcaco.")
            found.append((own, kind.__qualname__, frame.f_code.co_name))
        tb = tb.tb_next
    if not found:
        return None
    _, name, method = min(found, key=lambda f: not f[0])  # the outermost own frame, else any
    return name, method


class Terminated(KeyboardInterrupt):
    """A termination signal (SIGTERM) arrived: stop as on Ctrl-C, keeping what is stored.

    A ``KeyboardInterrupt``, so every ``except KeyboardInterrupt`` / ``finally`` that cleans up
    after Ctrl-C (workers, temporaries) does so for SIGTERM too; the command line exits with
    status 128 + ``signum``.
    """

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum
