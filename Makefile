# Two commands set everything up on a fresh Debian/Ubuntu machine:
#   make demo   installs what is needed and runs shifan on the shipped sample applications
#   make test   installs what is needed and runs every check (ruff, import contracts, mypy, pytest)
VENV ?= .venv
PY := $(VENV)/bin/python
OUT ?= out/demo

.PHONY: setup demo serve-demo test test-fast lint typecheck pytest docs clean

setup:
	@bash scripts/setup.sh

demo: setup
	@bash scripts/demo.sh "$(OUT)"

# The web workbench on http://127.0.0.1:8000/ with the samples and one account per role.
serve-demo: setup
	$(VENV)/bin/shifan serve --workspace out/workbench --demo

test: setup lint typecheck pytest

# The everyday loop: every check but the slow tests (font builds, generated folders, kill-and-rerun).
test-fast: setup lint typecheck
	$(PY) -m pytest -q -m "not slow"

lint:
	$(PY) -m ruff check src tests scripts bench
	$(PY) -m ruff format --check src tests scripts bench
	$(VENV)/bin/lint-imports

typecheck:
	$(PY) -m mypy

pytest:
	$(PY) -m pytest -q

# Regenerate the generated documentation (tests fail when it is stale).
docs:
	$(PY) scripts/generate_docs.py
	$(VENV)/bin/shifan criteria reference -o docs/rubric-reference.md

clean:
	rm -rf out .pytest_cache .mypy_cache .ruff_cache
