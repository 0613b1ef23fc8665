# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
# Both create .venv from nothing but Python 3.11+ and make, and are safe to run twice.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: demo test lint bench bench-all install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip uv || true

# Reinstall whenever pyproject.toml changes; uv when it installed, pip otherwise.
$(STAMP): pyproject.toml | $(BIN)/python
	@if [ -x $(BIN)/uv ]; then \
		VIRTUAL_ENV=$(VENV) $(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[dev]'; \
	else \
		$(BIN)/python -m pip install --quiet -e '.[dev]'; \
	fi
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/evac demo

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/python -m pytest -q -n auto $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/evac bench

# every benchmark of the README (about half an hour on 2 cores; bench_web needs Debian's chromium)
bench-all: bench
	$(BIN)/evac bench bep
	$(BIN)/python bench/bench_sim.py
	$(BIN)/python bench/bench_replan.py
	$(BIN)/python bench/bench_registry.py
	$(BIN)/python bench/bench_dedup_independent.py --people 10000 50000
	$(BIN)/python bench/bench_ops.py
	$(BIN)/python bench/bench_decision.py
	$(BIN)/python bench/bench_web.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
