# coopatlas — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432
HOST ?= 127.0.0.1
PORT ?= 8000
# A communes CSV with coordinates puts every commune on the map (read in place, never copied).
COMMUNES_CSV ?= $(wildcard ../shared/data/fr_admin_etalab/derived_communes_2026_with_coords.csv)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install install-test run test test-sqlite test-postgres pytest-sqlite pytest-postgres lint browser bench messages clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# The product and everything it needs at run time: Python packages from PyPI; the French
# administrative data and the map's JavaScript from the npm registry (package-lock.json).
# Each part is redone only when what it comes from changed (stamp files): a second `make run`
# goes straight to the server.
MO := src/coopatlas/locale/en/LC_MESSAGES/django.mo
install: $(VENV)/.installed node_modules/.package-lock.json $(MO)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	@echo "Installing the Python packages (pyproject.toml) into $(VENV)/…"
	$(BIN)/pip install -q -e .
	@touch $@

node_modules/.package-lock.json: package.json package-lock.json
	@echo "Installing the npm packages (package-lock.json) into node_modules/…"
	npm ci --no-audit --no-fund --loglevel=error

$(MO): src/coopatlas/locale/en/LC_MESSAGES/django.po | $(VENV)/.installed
	$(BIN)/pybabel compile -d src/coopatlas/locale -D django

# Plus the test tools, and Debian's chromium for the browser tests when it is missing.
install-test: $(VENV)/.installed-test node_modules/.package-lock.json $(MO)
	@$(MAKE) --no-print-directory browser

$(VENV)/.installed-test: pyproject.toml | $(BIN)/activate
	@echo "Installing the Python packages and the test tools (pyproject.toml) into $(VENV)/…"
	$(BIN)/pip install -q -e '.[test]'
	@touch $@ $(VENV)/.installed

# Plus poppler-utils (pdftoppm, pdftotext), with which the tests read the printable sheet back.
browser:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1; then \
	  echo "Installing Debian's chromium and poppler-utils for the browser and sheet tests…"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core poppler-utils >/dev/null) \
	  || echo "warning: could not install chromium or poppler-utils; browser and sheet tests will be skipped"; \
	fi

run: install
	COOPATLAS_COMMUNES_CSV="$(COMMUNES_CSV)" $(BIN)/coopatlas serve --host $(HOST) --port $(PORT)

lint: install-test
	$(BIN)/ruff format --check src tests config $(wildcard benchmarks)
	$(BIN)/ruff check src tests config $(wildcard benchmarks)
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=config.settings.test

# The two suites run side by side, one per core (each one's output is printed when it ends).
test: lint
	@$(MAKE) --no-print-directory -j2 --output-sync=target pytest-sqlite pytest-postgres

test-sqlite: install-test
	@$(MAKE) --no-print-directory pytest-sqlite

test-postgres: install-test
	@$(MAKE) --no-print-directory pytest-postgres

pytest-sqlite:
	@echo "== pytest on SQLite =="
	$(BIN)/pytest -q

# A throwaway database: pytest-django creates test_<name> and drops it afterwards.
pytest-postgres:
	@echo "== pytest on PostgreSQL =="
	DATABASE_URL=$(PG_URL)/coopatlas_ci_$$$$ $(BIN)/pytest -q

bench: install-test
	@for f in $(wildcard benchmarks/*.py); do echo "== $$f"; $(BIN)/python $$f || exit 1; done

# Maintainers: refresh the English catalogue after changing interface strings (needs xgettext).
messages:
	cd src/coopatlas && DJANGO_SETTINGS_MODULE=config.settings.dev ../../$(BIN)/django-admin makemessages -l en --no-location --no-obsolete

clean:
	rm -rf $(VENV) var test-output node_modules
