"""The two servers under test, on loopback, always stopped: gunicorn (us) and Datasette."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from tools.loadtest.server import free_port, production_env

HOST = "127.0.0.1"  # loopback only

# The anonymous rate limit would stop a benchmark after 1000 requests, and its counters would
# write to the SQLite file under test on every request: limits lifted, counters in memory.
BENCH_SETTINGS = {
    "API_ANON_RATE": "100000000/hour",
    "CACHE_BACKEND": "django.core.cache.backends.locmem.LocMemCache",
}
START_TIMEOUT = 60.0


@dataclass(frozen=True)
class Server:
    name: str
    port: int
    process: subprocess.Popen

    def worker_pid(self) -> int:
        """The process that answers requests: gunicorn's (only) worker, else the server itself."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            pids = [int(p) for p in children.read_text().split()]
        except OSError:
            pids = []
        return pids[0] if pids else self.process.pid


def rss_mb(pid: int) -> float | None:
    """Resident set size of a process, from /proc (Linux)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def wait_until_up(server: Server, path: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{server.name} exited with {server.process.returncode}:\n{tail}")
        try:
            conn = http.client.HTTPConnection(HOST, server.port, timeout=5)
            conn.request("GET", path, headers={"Accept": "application/json"})
            status = conn.getresponse().status
            conn.close()
            if status < 300:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{server.name} did not answer on {HOST}:{server.port} within {START_TIMEOUT:.0f} s")


@contextmanager
def running(name: str, command: list[str], env: dict, ready_path: str, port: int,
            log: Path) -> Iterator[Server]:
    with log.open("w") as out:
        process = subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            cwd=settings.BASE_DIR,
        )
    server = Server(name, port, process)
    try:
        wait_until_up(server, ready_path, log)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@contextmanager
def gunicorn(database: Path, log_dir: Path) -> Iterator[Server]:
    """One sync worker, so its RSS is the whole server's and the comparison with Datasette's
    single process is even."""
    port = free_port()
    command = [
        sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"{HOST}:{port}",
        "--workers", "1", "--timeout", "900", "--graceful-timeout", "5", "--log-level", "warning",
    ]
    # The production settings of the load test, on plain HTTP (no proxy in front here).
    env = production_env(
        f"sqlite:///{database.resolve()}", SECURE_SSL_REDIRECT="0", LOG_LEVEL="WARNING", **BENCH_SETTINGS
    )
    with running("gunicorn", command, env, "/api/v1/", port, log_dir / "gunicorn.log") as s:
        yield s


@contextmanager
def datasette(database: Path, log_dir: Path) -> Iterator[Server]:
    port = free_port()
    executable = Path(sys.executable).with_name("datasette")
    command = [
        str(executable), "serve", str(database), "--host", HOST, "--port", str(port),
        # Unlimited streamed CSV (default cap 100 MB), and pages and time limits that let the
        # full export and 100-row pages through.
        "--setting", "max_csv_mb", "0",
        "--setting", "sql_time_limit_ms", "60000",
        "--setting", "max_returned_rows", "1000",
    ]
    with running("datasette", command, dict(os.environ), "/-/versions.json", port,
                 log_dir / "datasette.log") as s:
        yield s
