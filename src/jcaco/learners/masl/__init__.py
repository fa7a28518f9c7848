"""MASL (Alg. 1 of docs/model.md): the learner, its normalisers, the per-slot and fused kernels
and the PCG64 stream they draw from.
"""

from jcaco.learners.masl.core import MASL, both_rates

__all__ = ["MASL", "both_rates"]
