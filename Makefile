# The README's commands. `make run` and `make test` set everything up from scratch.
# CPython 3.12 where the machine has it (pyenv's versions included), else python3 (3.11+).
# On CPython 3.11.7 the hostile-input test corrupted the interpreter's heap (a segfault
# in dict resizing, found with glibc's malloc checks; docs/testing.md); 3.12 runs it clean.
PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3) \
            $(shell python3.12 -c 'import sys; print(sys.executable)' 2>/dev/null) python3)
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask
export FLASK_APP := wsgi.py

.PHONY: install run db demo test serve-prod lint clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

## Apply the migrations to the database (SQLite under instance/ by default).
db: install
	$(FLASK) db upgrade

## Set up, load demo data into an empty database, and serve http://127.0.0.1:5000 with a job worker.
run: db
	$(FLASK) demo-data --if-empty
	$(VENV)/bin/honcho -f Procfile.dev start

## Load (more) demo data: make demo SIZE=200000
demo: db
	$(FLASK) demo-data --size $(or $(SIZE),2000)

## The whole test suite on SQLite, then again on PostgreSQL when TEST_DATABASE_URL is set.
test: install
	@echo "== Security lint (bandit: no medium or high finding) =="
	$(VENV)/bin/bandit -q -c pyproject.toml -r marketplace events -ll
	@echo "== Test suite on SQLite =="
	TEST_DATABASE_URL= $(PY) -m pytest $(PYTEST_ARGS)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== Test suite on PostgreSQL ($$TEST_DATABASE_URL) =="; \
		$(PY) -m pytest $(PYTEST_ARGS); \
	else \
		echo "== PostgreSQL pass skipped: TEST_DATABASE_URL is not set =="; \
	fi

## The production profile on this machine: gunicorn + huey consumers on Redis, PostgreSQL.
## Every setting can be overridden from the environment (see the README).
PROD_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/marketplace
PROD_REDIS_URL ?= redis://127.0.0.1:6379/0
serve-prod: install
	@createdb -h 127.0.0.1 -U postgres marketplace 2>/dev/null || true
	@rm -rf instance/prometheus && mkdir -p instance/prometheus
	@mkdir -p instance && test -f instance/secret_key || $(PY) -c "import secrets; print(secrets.token_hex(32))" > instance/secret_key
	APP_ENV=production DATABASE_URL=$${DATABASE_URL:-$(PROD_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(PROD_REDIS_URL)} \
	SECRET_KEY=$${SECRET_KEY:-$$(cat instance/secret_key)} SESSION_COOKIE_SECURE=$${SESSION_COOKIE_SECURE:-false} \
	RATELIMIT_STORAGE_URI=$${RATELIMIT_STORAGE_URI:-$${REDIS_URL:-$(PROD_REDIS_URL)}} MAIL_SERVER=$${MAIL_SERVER:-localhost} \
	PROMETHEUS_MULTIPROC_DIR=$${PROMETHEUS_MULTIPROC_DIR:-$(CURDIR)/instance/prometheus} \
	sh -c '$(FLASK) db upgrade && $(FLASK) demo-data --if-empty && exec $(VENV)/bin/honcho -f Procfile start'

lint: install
	$(VENV)/bin/ruff check marketplace events tests

clean:
	rm -rf $(VENV) instance *.egg-info
