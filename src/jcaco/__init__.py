"""jcaco: the JCACO game and MASL learning for MEC-enabled AIGC networks."""

__version__ = "0.1.0"
