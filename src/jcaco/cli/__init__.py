"""The ``jcaco`` command line (``jcaco``, ``python -m jcaco``): a thin shell over the library.

One module per command or group of commands; :mod:`jcaco.cli.options` holds the option types
they share and :mod:`jcaco.cli.app` the command group and the entry point :func:`main`.
"""

from jcaco.cli.app import cli, main

__all__ = ["cli", "main"]
