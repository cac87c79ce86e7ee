# Two commands on a fresh machine with Python 3.11+:  make run  |  make test
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: run test install install-dev lint

# Two install stamps: the runtime (requirements.txt) for run and serve-prod; on top of it the test,
# benchmark, load-test and browser tools (requirements-dev.txt) for lint, test, bench and loadtest.
$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

# HOST is runserver's ADDR:PORT, e.g. make run HOST=127.0.0.1:8001; the printed login URL names it.
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_curated
	$(PY) manage.py demo_users --host $(HOST)
	$(PY) manage.py runserver $(HOST)

lint: install-dev
	$(PY) -m ruff check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

# In parallel, a worker per CPU (at most 4), each with its own test database.
test: lint
	$(PY) -m pytest --numprocesses auto --maxprocesses 4

# Benchmark against Datasette on a synthetic database (generated once under bench/, git-ignored).
BENCH_CITATIONS ?= 100000
.PHONY: bench
bench: install-dev
	$(PY) manage.py benchmark --citations $(BENCH_CITATIONS) --rss-at 1000000 --json bench/results.json

# Production: gunicorn with DEBUG off. Needs SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL (and
# CSRF_TRUSTED_ORIGINS) in the environment; BIND and WEB_CONCURRENCY are read by config/gunicorn.py.
.PHONY: serve-prod
serve-prod: export DEBUG = 0
serve-prod: install
	$(PY) manage.py check --deploy --fail-level WARNING
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	exec $(VENV)/bin/gunicorn --config config/gunicorn.py config.wsgi

# Load test on PostgreSQL (DATABASE_URL, default the CI server's database): gunicorn on a free
# loopback port, the curated dataset (+ LOADTEST_SYNTHETIC citations), locust for LOADTEST_TIME.
LOADTEST_TIME ?= 30s
LOADTEST_USERS ?= 20
LOADTEST_SYNTHETIC ?= 0
.PHONY: loadtest
loadtest: install-dev
	$(PY) -m tools.loadtest load --require-postgres \
		--run-time $(LOADTEST_TIME) --users $(LOADTEST_USERS) --synthetic $(LOADTEST_SYNTHETIC)
