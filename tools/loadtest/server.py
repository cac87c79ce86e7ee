"""A production-configured gunicorn in a subprocess, and the scratch database it serves.

Used by the load test and fault scenarios, and by tests/test_production.py (with SQLite or a
closed port as the database: nothing here needs PostgreSQL except `scratch_database`).
"""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# What a TLS-terminating proxy on the same machine adds: gunicorn trusts it from loopback.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of `make serve-prod`: DEBUG off and the production variables set."""
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CSRF_TRUSTED_ORIGINS": "https://127.0.0.1,https://localhost",
        "DATABASE_URL": database_url,
        "PYTHONUNBUFFERED": "1",
    }
    env.update(extra)
    # Set by test tools (playwright's live server) in the test process: never in deployment.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)


# Scratch PostgreSQL database -------------------------------------------------------------


def scratch_url(database_url: str, suffix: str = "_loadtest") -> str:
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + suffix))


def database_name(database_url: str) -> str:
    return urlsplit(database_url).path.lstrip("/")


def _admin_connection(database_url: str):
    """A connection for CREATE/DROP DATABASE: to the named database, or else to `postgres`."""
    import psycopg

    dsn = database_url.replace("postgres://", "postgresql://", 1)
    try:
        return psycopg.connect(dsn, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError:
        fallback = urlunsplit(urlsplit(dsn)._replace(path="/postgres"))
        return psycopg.connect(fallback, autocommit=True, connect_timeout=5)


def postgres_available(database_url: str) -> str | None:
    """None when the server answers, else why not."""
    if not database_url.startswith(("postgres://", "postgresql://")):
        return f"DATABASE_URL is not PostgreSQL ({database_url.split(':', 1)[0]})"
    try:
        _admin_connection(database_url).close()
    except Exception as error:  # any failure means: skip, saying why
        return f"PostgreSQL does not answer at {urlsplit(database_url).hostname}: {error}"
    return None


def recreate_database(database_url: str, name: str) -> None:
    from psycopg import sql

    with _admin_connection(database_url) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(database_url: str, name: str) -> None:
    from psycopg import sql

    with _admin_connection(database_url) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextmanager
def scratch_database(database_url: str, suffix: str = "_loadtest"):
    """A fresh, empty database beside the one database_url names; dropped afterwards."""
    url = scratch_url(database_url, suffix)
    recreate_database(database_url, database_name(url))
    try:
        yield url
    finally:
        drop_database(database_url, database_name(url))


# gunicorn ---------------------------------------------------------------------------------


class Gunicorn:
    """`gunicorn -c config/gunicorn.py config.wsgi` on a free loopback port."""

    def __init__(self, env: dict[str, str], workers: int = 4, log: Path | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**env, "BIND": f"127.0.0.1:{self.port}", "WEB_CONCURRENCY": str(workers)}
        self.log_path = log
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> "Gunicorn":
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "config/gunicorn.py", "config.wsgi"],
            cwd=BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with status {self.process.returncode}")
            if self.status("/api/v1/") is not None:
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer on {self.url} within {timeout} s")

    def request(self, path: str, headers: dict | None = None, data: bytes | None = None, timeout=10):
        """(status, headers, body) of one request; HTTP errors are answers too."""
        request = urllib.request.Request(self.url + path, data=data, headers={**(headers or {})})
        try:
            with _opener.open(request, timeout=timeout) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def status(self, path: str) -> int | None:
        try:
            return self.request(path, PROXY_HEADERS, timeout=2)[0]
        except OSError:
            return None

    def worker_pids(self) -> list[int]:
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return sorted(int(child) for child in children)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> "Gunicorn":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)
