# The two entry points of the README's Quickstart: `make demo` and `make test`.
# Both build .venv from the project's own files (pyproject.toml), nothing else.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test demo lint types unit bench mutation clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest -q

test: lint types unit

demo: $(STAMP)
	@PATH="$(CURDIR)/$(BIN):$$PATH" ./examples/demo.sh

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# Mutation testing of the guards and the write path (tests/MUTATION.md); not part of `test`.
# `make mutation MODULE=reconciler.safety` measures one module. Starts afresh each time.
MODULE ?=
MUTATION_JOBS ?= 2
mutation: $(STAMP)
	rm -rf mutants
	$(BIN)/mutmut run --max-children $(MUTATION_JOBS) $(if $(MODULE),'$(MODULE).*')
	$(BIN)/python -m tests.mutation_scores

clean:
	rm -rf mutants $(VENV) build dist .mypy_cache .pytest_cache .ruff_cache
