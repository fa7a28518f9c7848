# jcaco developer commands. `make demo` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: venv demo test test-rl lint bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,env]'
	touch $(STAMP)

# The paper's figures, small (about a minute on 2 cores); prints the path of report.html.
demo: venv
	$(BIN)/jcaco reproduce --quick --jobs 2 -o results

lint: venv
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

test: venv lint
	$(BIN)/python -m pytest

# The tests that train policies (marker rl): installs the rl extra into the venv first.
# TORCH picks the torch build, e.g. TORCH='torch==2.13.0+cpu' for a local CPU wheel; the
# default takes PyPI's, which on Linux pulls CUDA libraries (about 2 GB more).
TORCH ?= torch
test-rl: venv
	$(BIN)/python -m pip install --quiet '$(TORCH)' -e '.[test,env,rl]'
	$(BIN)/python -m pytest -m rl tests

bench: venv
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
