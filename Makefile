# Quick start: `make run` (serve the Kaltara demo on SQLite) and `make test`.
# Everything installs into .venv from the locked requirements; only python3 and make are needed.

VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test test-fast lint format bench screenshots docs clean

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/jejak serve --demo

# Test files are shared out whole among one worker per core (pytest-xdist): a file's
# module-scoped demo is loaded once, by one worker. The API contract tier runs on its own,
# in one process: under xdist schemathesis's generated tests collapse into one, silently.
TEST_WORKERS ?= auto

test: install
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile -m "not api_contract"
	$(BIN)/pytest -m api_contract

test-fast: install
	$(BIN)/pytest -m "not postgres and not browser and not accessibility and not api_contract"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python -m bench

# PNGs of the main pages in docs/screenshots/ (headless Chromium on a freshly served demo).
screenshots: install
	$(BIN)/python -m tools.screenshots

docs: install
	$(BIN)/python -m domain.lifecycle_docs > docs/lifecycles.md

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
