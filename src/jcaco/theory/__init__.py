"""The paper's theory checked numerically (``jcaco theory``, docs/theory.md, docs/model.md §3-4).

* :mod:`~jcaco.theory.potential`: Theorems 1-4 and Lemma 1, the sorted-load and exponential
  potentials on tick-quantised games;
* :mod:`~jcaco.theory.conditional`: the conditional-delay counter-example, better-reply cycles,
  and what is not established (exact, weighted and joint potentials);
* :mod:`~jcaco.theory.mean_ode`: MASL's mean ODE (40)-(41);
* :mod:`~jcaco.theory.ode_check`: MASL against its mean ODE (Lemmas 2-4);
* :mod:`~jcaco.theory.report`: runs the requested checks and renders what they found.

This layer sits below ``sim`` (it drives MASL through the slot loop) and above ``experiments``.
"""
