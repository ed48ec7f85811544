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

.PHONY: install demo serve test test-fast test-e2e lint format bench clean browser-deps

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

# Benchmarks (not part of make test), written to bench/results/: demo-size page timings, a
# 20,000-row roster import, roster search at 1,000,000 members (BENCH_MEMBERS to change), the
# compliance grid at 100,000 branches, the copied-minutes check at 1,000,000 minutes, and the
# assessment's derived scores (auto indicators over every branch, a 30-stop meeting, ballots).
PG_BENCH := postgres://postgres@127.0.0.1:5432/test
bench: install
	$(PY) bench/run_foundation.py
	$(PY) bench/run_import.py
	$(PY) bench/run_search.py
	$(PY) bench/run_compliance.py
	$(PY) bench/run_similarity.py
	$(PY) bench/run_assessment.py
	$(PY) bench/run_dues.py
	@if $(PY) -c "import psycopg,sys; psycopg.connect('$(PG_BENCH)', connect_timeout=3).close()" 2>/dev/null; then \
		DATABASE_URL=$(PG_BENCH) $(PY) bench/run_foundation.py && \
		DATABASE_URL=$(PG_BENCH) $(PY) bench/run_import.py && \
		DATABASE_URL=$(PG_BENCH) $(PY) bench/run_search.py && \
		DATABASE_URL=$(PG_BENCH) $(PY) bench/run_compliance.py && \
		DATABASE_URL=$(PG_BENCH) $(PY) bench/run_assessment.py && \
		DATABASE_URL=$(PG_BENCH) $(PY) bench/run_dues.py; fi

clean:
	rm -rf $(VENV) node_modules src/dangjian/static/vendor var
