# dangjian — two commands from a fresh clone:  make demo  /  make test
SHELL := /bin/bash
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# The first interpreter that is Python >= 3.12 (Django 6.1 needs it).
PYTHON ?= $(shell for p in python3.13 python3.12 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
	&& { command -v $$p; break; }; done)

.PHONY: install demo serve serve-prod test test-fast test-e2e lint format bench bench-modules clean browser-deps

install: $(STAMP) src/dangjian/static/vendor/.copied

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then echo "需要 Python 3.12 或更高版本 (Python >= 3.12 is required): install python3.12 and retry." >&2; exit 1; fi
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

src/dangjian/static/vendor/.copied: node_modules/.package-lock.json scripts/vendor.sh
	bash scripts/vendor.sh
	@touch $@

demo: install
	$(VENV)/bin/dangjian demo --port $(PORT)

serve: install
	$(VENV)/bin/dangjian serve --port $(PORT)

# Browser tests need Debian's Chromium and CJK fonts; install them when missing (runs as root).
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
		echo "installing chromium and fonts-noto-cjk"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	fi

# The suite runs on every core (pytest-xdist; TEST_WORKERS=1 for one process).
TEST_WORKERS ?= auto
test: install browser-deps
	$(VENV)/bin/pytest -q -n $(TEST_WORKERS)

test-fast: install
	$(VENV)/bin/pytest -q -n $(TEST_WORKERS) -m "not e2e"

test-e2e: install browser-deps
	$(VENV)/bin/pytest -q -m e2e

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Benchmarks (not part of make test; a tiny scale of the suite is): the suite of issue #11 on a
# generated city on SQLite and, when a server answers at 127.0.0.1:5432, on a generated
# province on PostgreSQL (BENCH_PG_SCALE=city for a quick run): compliance against its SQL
# floor, member search, home and org pages, a 20,000-row import, copy detection, a month's dues,
# and a 3-minute locust load test against 2 gunicorn processes. Results: bench/results/
# (summary.json, summary.md); how to read them: docs/performance.md. The generated data is kept
# in bench/.data/ and reused (BENCH_ARGS=--regenerate to start again).
PG_ROOT := postgres://postgres@127.0.0.1:5432
PG_BENCH := $(PG_ROOT)/test
BENCH_PG_SCALE ?= province
BENCH_ARGS ?=
bench: install
	$(PY) bench/run_suite.py --scale city --database sqlite $(BENCH_ARGS)
	@if $(PY) -c "import psycopg,sys; psycopg.connect('$(PG_BENCH)', connect_timeout=3).close()" 2>/dev/null; then \
		$(PY) bench/run_suite.py --scale $(BENCH_PG_SCALE) --database postgresql $(BENCH_ARGS); fi

# The earlier per-module benchmarks (each builds the demo city and grows it): demo pages, import,
# search at 1,000,000, compliance at 100,000 branches, copied minutes, assessment, dues.
bench-modules: install
	$(PY) bench/run_foundation.py
	$(PY) bench/run_import.py
	$(PY) bench/run_search.py
	$(PY) bench/run_compliance.py
	$(PY) bench/run_similarity.py
	$(PY) bench/run_assessment.py
	$(PY) bench/run_dues.py

# The production layout on this machine (docs/deploy.md): 2 gunicorn processes and 2 task
# workers on PostgreSQL (database PROD_DB, created when missing), cache in the local Redis.
PROD_DB ?= dangjian
serve-prod: install
	@$(PY) -c "import psycopg; c = psycopg.connect('$(PG_ROOT)/postgres', autocommit=True); c.execute('select 1 from pg_database where datname = %s', ['$(PROD_DB)']).fetchone() or c.execute('create database \"$(PROD_DB)\"')"
	DATABASE_URL=$(PG_ROOT)/$(PROD_DB) $(VENV)/bin/dangjian serve_prod --port $(PORT)

clean:
	rm -rf $(VENV) node_modules src/dangjian/static/vendor var
