"""One job on one scenario: solve, evaluate, analyze, and the file layout of a solve.

Above sim/, env/ and theory/, below experiments/ and the API (docs/architecture.md#layers).
"""
