# motcua — the two commands (run, test) and the helpers around them. See README.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format bench demo-data messages system-deps clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## make run — install, migrate, load the demo province, serve http://127.0.0.1:8000
# Links in e-mails and QR codes point where this server runs, unless told otherwise.
run: export MOTCUA_PUBLIC_URL ?= http://$(HOST):$(PORT)
run: $(STAMP)
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo_province
	$(PY) manage.py signing_dev_pki
	@# The background worker (notifications) runs beside the web server and stops with it.
	$(PY) manage.py db_worker --interval 2 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py runserver $(HOST):$(PORT)

## make test — install (Chromium from Debian where missing) and run the whole suite
test: $(STAMP)
	bash scripts/system-deps test
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/ruff format --check src tests

format: $(STAMP)
	$(VENV)/bin/ruff check --fix src tests
	$(VENV)/bin/ruff format src tests

demo-data: $(STAMP)
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo_province
	$(PY) manage.py signing_dev_pki

## make messages — refresh the English catalogue (needs GNU gettext)
messages: $(STAMP)
	cd src/motcua && ../../$(PY) ../../manage.py makemessages -l en --no-obsolete
	cd src/motcua && ../../$(PY) ../../manage.py compilemessages -l en

## make bench — load the production server with wrk, on SQLite and on PostgreSQL (bench/README.md);
## BENCH_SIZES (dossiers, default "10000 1000000") and BENCH_DURATION (seconds, default 10);
## BENCH_BACKEND=stack: the scaled-out stack against one server (sqlite, postgresql; default both)
BENCH_BACKEND ?= both
bench: $(STAMP)
	bash scripts/system-deps bench
	$(PY) bench/run.py --backend $(BENCH_BACKEND)
	@# The outbox: 10,000 messages sent, and intake with notifications on and off.
	if [ "$(BENCH_BACKEND)" != "stack" ]; then $(PY) bench/outbox.py --backend $(BENCH_BACKEND); fi
	if [ "$(BENCH_BACKEND)" != "stack" ]; then $(PY) bench/signing.py; fi

system-deps:
	bash scripts/system-deps all

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
