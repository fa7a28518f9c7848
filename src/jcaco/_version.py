"""The package version, at the bottom: every layer may import it."""

__version__ = "0.1.0"
