"""Files at the bottom: atomic writes, output paths, Parquet columns, provenance and the
pydantic bases every file model shares.

Imports only the leaves (errors, units, ``jcaco._version``); every layer above may use it
(docs/architecture.md#layers).
"""
