# Twiza — two commands from a fresh clone: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export DEBUG ?= 1

.PHONY: demo test test-postgres test-browser lint lock messages check-deploy clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"

# Runtime dependencies only (the demo); stamps re-run pip when a lock file changes.
$(VENV)/.base: requirements/base.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/base.txt
	touch $@

$(VENV)/.dev: requirements/base.txt requirements/dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/base.txt -r requirements/dev.txt
	touch $@

# Translations: compiled when GNU gettext is there; without it Twiza runs in French.
messages: $(VENV)/.base
	@if command -v msgfmt >/dev/null; then $(BIN)/python manage.py compilemessages --ignore=.venv -v0; \
	else echo "msgfmt absent (paquet gettext) : interface en français seulement."; fi

# The demo's settings for every later `.venv/bin/python manage.py …` (README): DEBUG=1, read by
# config/settings.py from `.env`. Written only when there is none; git-ignored; never in production.
.env:
	printf '# Written by make demo: the demo'"'"'s settings (DEBUG on). Never use it in production.\nDEBUG=1\n' > $@

demo: $(VENV)/.base messages .env
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py load_demo
	@echo "Twiza : http://127.0.0.1:$(PORT) — utilisateurs de démo : admin, coordination, ecoute, centre, accueil, jour, jette, reseau"
	@# The task worker (imports, PDFs) runs beside the server and stops with it.
	$(BIN)/python manage.py db_worker & worker=$$!; trap "kill $$worker" EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: $(VENV)/.dev messages
	$(BIN)/pytest

test-browser: $(VENV)/.dev messages
	$(BIN)/pytest -m browser

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

# Regenerate the hashed lock files after editing requirements/*.in.
lock: $(VENV)/.dev
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe -o requirements/base.txt requirements/base.in
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe -o requirements/dev.txt requirements/dev.in

clean:
	rm -rf $(VENV) staticfiles db.sqlite3*
