# Two commands on a fresh machine with Python 3.11+:  make run  |  make test
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: run test install lint

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_curated
	$(PY) manage.py demo_users
	$(PY) manage.py runserver $(HOST)

lint: install
	$(PY) -m ruff check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

test: lint
	$(PY) -m pytest

# Benchmark against Datasette on a synthetic database (generated once under bench/, git-ignored).
BENCH_CITATIONS ?= 100000
.PHONY: bench
bench: install
	$(PY) manage.py benchmark --citations $(BENCH_CITATIONS) --rss-at 1000000 --json bench/results.json
