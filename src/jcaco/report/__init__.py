"""Reading a store: summaries, agreement with the paper, figures, tables and the HTML report.

Above :mod:`jcaco.experiments` (it reads what a run wrote; docs/architecture.md#layers).
"""
