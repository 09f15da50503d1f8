# The README's commands. `make run` and `make test` set everything up from scratch.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask
export FLASK_APP := wsgi.py

.PHONY: install run db demo test test-sqlite test-postgres lint clean

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
	@echo "== Test suite on SQLite =="
	TEST_DATABASE_URL= $(PY) -m pytest $(PYTEST_ARGS)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== Test suite on PostgreSQL ($$TEST_DATABASE_URL) =="; \
		$(PY) -m pytest $(PYTEST_ARGS); \
	else \
		echo "== PostgreSQL pass skipped: TEST_DATABASE_URL is not set =="; \
	fi

lint: install
	$(VENV)/bin/ruff check marketplace events tests

clean:
	rm -rf $(VENV) instance *.egg-info
