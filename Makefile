# Intake: `make run` starts the whole system, `make test` checks everything.

PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000
DATA_DIR ?= data
UV_VERSION := 0.13.8

TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never

.PHONY: run test install lint types unit audit schema catalogs clean bench-search bench-routing

run: install
	$(BIN)/intake dev --host $(HOST) --port $(PORT) --data-dir $(DATA_DIR)

test: install system-deps lint types audit unit

install: $(VENV)/.installed

# uv lives in a venv of its own so that `uv sync` never removes it from the project's venv.
$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python $(PYTHON)
	touch $@

.PHONY: system-deps
system-deps:
	bash scripts/install-system-deps.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: install
	$(BIN)/mypy service workers search web tests

unit: install
	$(BIN)/pytest

# The locked dependency set (every group, with hashes) against PyPI's vulnerability data, through
# PyPI's per-release JSON API. --strict: a package the service cannot answer for fails the audit,
# so an unreachable or filtered service is an error, never a silent pass. Accepted findings go in
# AUDIT_IGNORE as `--ignore-vuln ID`, each with its reason on a comment line above; none today.
AUDIT_IGNORE :=
AUDIT_REQUIREMENTS := $(VENV)/audit-requirements.txt
audit: install
	$(UV) export --frozen --all-groups --format requirements-txt --no-emit-project --quiet \
		--output-file $(AUDIT_REQUIREMENTS)
	$(BIN)/pip-audit --strict --disable-pip --requirement $(AUDIT_REQUIREMENTS) \
		--progress-spinner off $(AUDIT_IGNORE)

schema: install
	$(BIN)/intake export-schema

# Never part of `make test`: indexes DOCUMENTS submissions per backend (minutes at 10^5).
DOCUMENTS ?= 100000
bench-search: install
	$(BIN)/python -m bench.search.run --documents $(DOCUMENTS)

# The labelled routing set through the real routing path (about a minute).
bench-routing: install
	$(BIN)/python -m bench.routing.run

catalogs: install
	$(BIN)/python scripts/update-catalogs.py

clean:
	rm -rf $(VENV) $(TOOLS) .mypy_cache .ruff_cache .pytest_cache
