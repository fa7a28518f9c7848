"""Files at the bottom: atomic writes, output paths, Parquet columns and provenance.

Imports only the leaves (errors, units, ``jcaco._version``); every layer above may use it
(docs/architecture.md#layers).
"""
