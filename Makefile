# The README's commands. `make run` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
LOCAL_ENV := PORTAL_LOCAL=1 DEBUG=1
PORT ?= 8000
# The address in SMS, email and QR codes follows the port (`make run PORT=8001`) unless set.
PORTAL_BASE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: setup run test lint bench messages

setup: $(VENV)/.installed node_modules/.package-lock.json

# axe-core for the browser tests' accessibility checks, pinned by package-lock.json.
node_modules/.package-lock.json: package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the accessibility checks of the browser tests need Node.js 18+ and npm (apt-get install nodejs npm)" >&2; fi

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $@

## Set up, migrate, load the demo catalogue and accounts, and serve on http://127.0.0.1:$(PORT)/
run: setup
	$(LOCAL_ENV) $(PY) manage.py migrate --noinput
	$(LOCAL_ENV) PORTAL_BASE_URL=$(PORTAL_BASE_URL) $(PY) manage.py seed_demo
	$(LOCAL_ENV) PORTAL_BASE_URL=$(PORTAL_BASE_URL) $(PY) manage.py runserver 127.0.0.1:$(PORT)

## Set up and run the whole test suite (real services come from DATABASE_URL, CELERY_BROKER_URL, CACHE_URL)
test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .

## Benchmarks (see bench/README.md)
bench: setup
	$(PY) bench/run.py $(BENCH_ARGS)

## Rebuild the translation catalogues after changing user-facing text
messages: setup
	$(LOCAL_ENV) $(PY) manage.py makemessages -l en --ignore=.venv --ignore=var
	$(LOCAL_ENV) $(PY) manage.py compilemessages --ignore=.venv
