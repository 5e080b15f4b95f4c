# 12345 hotline platform. Two commands do everything on a fresh machine:
#   make run   — the platform on embedded defaults (an embedded PostgreSQL in var/pg, filesystem broker) at http://127.0.0.1:8000
#   make test  — the whole suite against real PostgreSQL and Redis, Playwright in Debian's Chromium
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

# The test environment: real services on 127.0.0.1 (started by bin/ensure-services).
TEST_ENV := DATABASE_URL=$${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/hotline} \
	CELERY_BROKER_URL=$${TEST_CELERY_BROKER_URL:-redis://127.0.0.1:6379/0} \
	CELERY_RESULT_BACKEND=$${TEST_CELERY_RESULT_BACKEND:-redis://127.0.0.1:6379/0} \
	REDIS_URL=$${TEST_REDIS_URL:-redis://127.0.0.1:6379/0} \
	CONN_MAX_AGE=0 DEBUG=1

.PHONY: install lock run test test-fast lint format services browser pdf messages vendor clean

install: $(VENV)/.installed

# The hash-checked lock (what CI tests and the image installs), then the project itself.
$(VENV)/.installed: pyproject.toml requirements/test.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements/test.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

# Re-resolve the locks after a change of pyproject.toml's pins (requirements/base.txt for the image,
# requirements/test.txt for make test); tests/core/test_deploy.py checks that they agree.
lock: install
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links -o requirements/base.txt pyproject.toml
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links --extra test -o requirements/test.txt pyproject.toml

run: install
	@bin/ensure-pdf || echo "warning: Pango or the CJK font could not be installed: report PDFs will fail until they are (bin/ensure-pdf)"
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seeddemo
	$(BIN)/python manage.py generateorders --count 4000 --days 70 --if-empty
	$(BIN)/python manage.py minetopics
	$(BIN)/python manage.py trainclassifier || echo "warning: no category model trained yet (smart dispatch suggests nothing until the nightly run)"
	$(BIN)/python manage.py demoready
	HOST=$(HOST) PORT=$(PORT) bin/run-all

services:
	bin/ensure-services

browser:
	bin/ensure-browser

# Pango and a CJK font for WeasyPrint's report PDFs.
pdf:
	bin/ensure-pdf

test: install services browser pdf lint
	$(TEST_ENV) $(BIN)/pytest $(PYTEST_ARGS)

# The floors (import-linter, pyproject's contracts), lint and format (ruff), types (mypy with django-stubs).
# make test runs it first; `make format` applies ruff's formatting and safe fixes.
lint: install
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(TEST_ENV) $(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Unit tests only (no browser, no worker): quicker while editing.
test-fast: install services pdf
	$(TEST_ENV) $(BIN)/pytest -m "not e2e and not worker" $(PYTEST_ARGS)

# Recompile the Chinese translations after editing locale/zh_Hans/LC_MESSAGES/django.po (needs gettext).
messages: install
	$(BIN)/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=staticfiles
	$(BIN)/python manage.py compilemessages -l zh_Hans --ignore=.venv

# Refresh the vendored front-end assets from the npm registry.
vendor:
	bin/vendor-assets

clean:
	-test -x $(BIN)/python && $(BIN)/python -m hotline.embedded stop
	rm -rf $(VENV) staticfiles var
