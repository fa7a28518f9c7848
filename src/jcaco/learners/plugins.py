"""A user's own learners: ``package.module:ClassName`` paths and the ``jcaco.learners``
entry-point group (docs/extending.md).

Wherever an algorithm name is accepted (``solve``, ``simulate``, ``analyze``, ``reproduce``,
the Python API), :func:`jcaco.learners.registry.resolve` also accepts an import path
``package.module:ClassName``, and the name of an entry point that an installed package
declares in the group ``jcaco.learners``::

    [project.entry-points."jcaco.learners"]
    mine = "mypkg.mine:MyLearner"

The class must subclass :class:`jcaco.learners.base.Learner` (and should pass
:func:`jcaco.learners.checks.check_learner`, ``jcaco check-learner``). A path that does not
import, or names something that is not a learner class, raises
:class:`jcaco.errors.InputError` with one line naming it (exit status 2 on the command line).

Nothing in a data file names code. A path is imported only because a user typed it (an option,
an argument, a Python call); a name read from a file (a store's ``learner`` column, a result's
``algorithm``) is looked up only among the built-in learners, the installed entry points and
the paths this process already loaded on the user's word (:func:`trusted`). Importing a
path's module puts the current folder on ``sys.path`` only while the module imports (like
``python -m``, so the user's own module in the folder they run from is found) and removes it
afterwards, so no later import can pick up a stray file from the current folder.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import sys
from types import ModuleType

from jcaco.errors import InputError
from jcaco.learners.base import Learner

#: The entry-point group in which installed packages register learners.
ENTRY_POINT_GROUP = "jcaco.learners"


def is_import_path(name: str) -> bool:
    """Whether ``name`` looks like ``package.module:ClassName``."""
    return ":" in name


def _one_line(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {' '.join(str(exc).split())}"


#: The import paths loaded on a user's word in this process (:func:`trusted`).
_TYPED: set[str] = set()


def trusted(name: str) -> bool:
    """Whether a learner name read from a data file may be resolved: anything but an import
    path, or an import path this process already loaded because a user typed it."""
    return not is_import_path(name) or name in _TYPED


def _import(module_name: str) -> ModuleType:
    """Import ``module_name``; like ``python -m``, the current folder is importable while it
    imports (and only then: ``sys.path`` is restored; a worker process repeats this)."""
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        here = os.getcwd()
        if exc.name != module_name.split(".")[0] or here in sys.path or "" in sys.path:
            raise
        sys.path.append(here)
        try:
            return importlib.import_module(module_name)
        finally:
            if here in sys.path:
                sys.path.remove(here)


def load_class(path: str, *, field: str = "algorithm") -> type[Learner]:
    """The learner class at ``package.module:ClassName`` (a path the user gave: see
    :func:`trusted` for names read from files).

    Raises
    ------
    InputError
        If the path is malformed, the module does not import, the attribute is missing, or
        it is not a subclass of :class:`Learner`.
    """
    module_name, _, attr = path.partition(":")
    if not module_name or not attr:
        raise InputError(f"{path!r} must look like package.module:ClassName", field=field)
    try:
        module = _import(module_name)
    except Exception as exc:  # any failure while importing the user's module
        raise InputError(
            f"{path}: cannot import {module_name!r} ({_one_line(exc)})", field=field
        ) from None
    obj: object = module
    for part in attr.split("."):
        if not hasattr(obj, part):
            raise InputError(f"{path}: module {module_name!r} has no {attr!r}", field=field)
        obj = getattr(obj, part)
    if not (isinstance(obj, type) and issubclass(obj, Learner)):
        raise InputError(
            f"{path} is not a learner (a class that subclasses jcaco.learners.base.Learner)",
            field=field,
        )
    _TYPED.add(path)
    return obj


def entry_points() -> dict[str, str]:
    """``{name: "package.module:ClassName"}`` of the installed ``jcaco.learners`` plug-ins."""
    return {ep.name: ep.value for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}


__all__ = ["ENTRY_POINT_GROUP", "entry_points", "is_import_path", "load_class", "trusted"]
