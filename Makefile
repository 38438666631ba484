# The two commands a new user needs: `make demo` and `make test`.
# Both create .venv and install Hearth into it first (again only when
# pyproject.toml changed), so they work from a fresh clone.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck contracts unit bench i18n clean

demo: $(STAMP)
	$(BIN)/hearth demo

test: lint typecheck contracts unit

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Hearth needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check bot storage tests bench
	$(BIN)/ruff format --check bot storage tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

unit: $(STAMP)
	$(BIN)/pytest

i18n: $(STAMP)
	$(BIN)/python scripts/i18n.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
