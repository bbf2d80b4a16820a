# The two set-up commands: `make run` and `make test`. Both build .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: lint system-deps run test test-fast test-postgres test-sqlite worker migrate venv bench clean

$(BIN)/.installed: requirements.txt requirements-test.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
	touch $@

venv: $(BIN)/.installed

# Development mode (DEBUG) makes var/ for SQLite's file; elsewhere importing settings writes nothing.
migrate: venv
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --noinput

# Serve the index on http://$(HOST):$(PORT) with SQLite and local files under var/.
run: migrate
	$(BIN)/python manage.py ensure_demo_user
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py runserver $(HOST):$(PORT)

# Debian packages the suite drives (Chromium, nginx and its cache-purge module, ...):
# installed when missing and possible, else one line saying what to install.
system-deps:
	@devtools/system-deps

# Static checks (seconds): ruff (lint and format), the import contracts (ARCHITECTURE.md), mypy on the typed packages.
# All three are configured in pyproject.toml; `make test` runs this first.
lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check --quiet .
	$(BIN)/lint-imports
	$(BIN)/mypy

# The whole suite, including the end-to-end tests with pip, uv, twine and the browser.
test: venv lint system-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The suite without the slow end-to-end tests (for quick local runs).
test-fast: venv
	$(BIN)/python -m pytest -m "not e2e" $(PYTEST_ARGS)

test-postgres: venv lint system-deps
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(BIN)/python -m pytest $(PYTEST_ARGS)

test-sqlite: venv lint system-deps
	DATABASE_URL= $(BIN)/python -m pytest $(PYTEST_ARGS)

# Run dramatiq workers (set REDIS_URL or RABBITMQ_URL so the web process sends them work).
worker: venv
	$(BIN)/dramatiq pypiapp.worker --processes 1 --threads 4

bench: venv
	$(BIN)/python bench/run.py
	# The upstream proxy, cold and warm, next to devpi-server's mirror (bench/proxy.py; about 5 min)
	$(BIN)/python bench/proxy.py
	# A private project's simple page with a read token against a public page (issue 19; about 2 min)
	$(BIN)/python bench/private_read.py
	# pypi.org's size: 700,000 projects and 7,000,000 files (bench/pypi_size.py; about 40 min)
	$(BIN)/python bench/pypi_size.py

clean:
	rm -rf $(VENV) var .pytest_cache
