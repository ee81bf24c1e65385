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

.PHONY: run test install lint types unit audit schema catalogs clean bench-search bench-routing bench-pages bench-schedule bench-load

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
	$(BIN)/mypy service workers search web tests bench scripts

# The suite on TEST_PROCESSES processes (pytest-xdist); each has its own PostgreSQL cluster,
# Redis and SMTP server. TEST_PROCESSES=0 runs it in this one process.
TEST_PROCESSES ?= 2
unit: install
	$(BIN)/pytest --numprocesses $(TEST_PROCESSES)

# The locked dependency set against PyPI's vulnerability data: pip-audit where PyPI's per-release
# pages answer, otherwise the project pages for packages locked at their latest release, naming
# every package it could not check (scripts/audit-dependencies.py says how and why).
audit: install
	$(BIN)/python scripts/audit-dependencies.py

schema: install
	$(BIN)/intake export-schema

# Never part of `make test`: indexes DOCUMENTS submissions per backend (minutes at 10^5).
DOCUMENTS ?= 100000
SEARCH_BACKENDS ?= embedded,postgres
bench-search: install
	$(BIN)/python -m bench.search.run --documents $(DOCUMENTS) --backends $(SEARCH_BACKENDS)

# The labelled routing set through the real routing path (about a minute).
bench-routing: install
	$(BIN)/python -m bench.routing.run

# Server-side render time of the main pages on typical data, in process (about two minutes).
bench-pages: install
	$(BIN)/python -m bench.pages.run

# The mail schedule over OVERDUE late submissions and READERS digest readers (about two minutes).
OVERDUE ?= 20000
READERS ?= 2000
bench-schedule: install
	$(BIN)/python -m bench.schedule.run --overdue $(OVERDUE) --readers $(READERS)
# Never part of `make test`: web and worker processes under load on SQLite and PostgreSQL
# (about 15 minutes with the defaults; LOAD_FLAGS="--rate 100 --duration 20" for a short run).
LOAD_FLAGS ?=
bench-load: install
	$(BIN)/python -m bench.load.run $(LOAD_FLAGS)

catalogs: install
	$(BIN)/python scripts/update-catalogs.py

clean:
	rm -rf $(VENV) $(TOOLS) .mypy_cache .ruff_cache .pytest_cache
