# The two commands: `make run` and `make test`. Both work on a fresh clone: the virtual environment is
# created and installed on first use (pinned by constraints.txt), system packages installed when missing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_WORKERS ?= 2

.PHONY: run reset test lint format check-types system-deps bench screenshots clean

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { \
	  echo "make: python3 -m venv failed; installing python3-venv" >&2; \
	  apt-get update -qq && apt-get install -y -qq python3-venv && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/hilal run

# Local mode remembers its data in .hilal-local/; this deletes that folder (it asks first).
reset: $(STAMP)
	$(BIN)/hilal local reset

system-deps:
	@scripts/ensure-system-deps

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy bot storage sandbox tests bench

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint system-deps
	scripts/with-postgres $(BIN)/pytest -n $(PYTEST_WORKERS) -q

# Refresh the README's screenshots from the browser walk (a plain test run writes them to /tmp).
screenshots: $(STAMP) system-deps
	SCREENSHOTS_DIR=docs/screenshots $(BIN)/pytest tests/e2e -q -p no:xdist

bench: $(STAMP)
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
