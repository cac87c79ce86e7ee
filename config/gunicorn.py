"""gunicorn settings for `make serve-prod` (gunicorn -c config/gunicorn.py config.wsgi).

Read from the environment like the Django settings:
  BIND             address to listen on (default 127.0.0.1:8000: a TLS proxy sits in front)
  WEB_CONCURRENCY  worker processes (default 2 x CPUs + 1, at most 8)
  GUNICORN_TIMEOUT seconds a worker may spend on one request before it is killed and replaced
  ACCESS_LOG       file for the access log, "-" for stderr (default: none)
Sync workers: each holds one persistent database connection (CONN_MAX_AGE), so PostgreSQL
needs max_connections above the worker count of every server together.
"""

import multiprocessing
import os

bind = os.getenv("BIND", "127.0.0.1:8000")
workers = int(os.getenv("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8)))
timeout = int(os.getenv("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# A worker is replaced after about a thousand requests, so a slow leak never grows for long.
max_requests = int(os.getenv("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = max_requests // 10
accesslog = os.getenv("ACCESS_LOG") or None
errorlog = "-"
loglevel = os.getenv("GUNICORN_LOG_LEVEL", "info")
# Heartbeat files in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
