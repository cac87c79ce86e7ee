"""Timed requests against a loopback server: full CSV downloads and JSON pages."""

from __future__ import annotations

import csv
import http.client
import io
import json
import math
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from .servers import HOST, rss_mb

CSV_TIMEOUT = 900.0  # seconds without a byte before a download is abandoned
PAGE_TIMEOUT = 60.0


class Unavailable(Exception):
    """The endpoint is not there (yet): the metric is reported as null with this reason."""


@dataclass(frozen=True)
class Download:
    rows: int
    seconds: float
    peak_rss_mb: float | None = None

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds


def count_csv_rows(stream) -> int:
    """Data rows of a CSV stream (quoted newlines included), header excluded."""
    reader = csv.reader(io.TextIOWrapper(stream, encoding="utf-8", newline=""))
    return max(0, sum(1 for _ in reader) - 1)


def get(port: int, path: str, timeout: float, accept: str = "*/*") -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    conn.request("GET", path, headers={"Accept": accept})
    response = conn.getresponse()
    if response.status != 200:
        body = response.read(300).decode(errors="replace")
        conn.close()
        raise Unavailable(f"GET {path} answered {response.status}: {body.strip()[:200]}")
    return response


def download_csv(port: int, path: str, rss_pid: int | None = None) -> Download:
    """Fetch a whole CSV export, counting its rows as they arrive; optionally sample the
    serving process's RSS every 20 ms meanwhile."""
    peak: list[float] = []
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            value = rss_mb(rss_pid)
            if value is not None:
                peak.append(value)
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True) if rss_pid else None
    if sampler:
        sampler.start()
    started = time.perf_counter()
    try:
        response = get(port, path, CSV_TIMEOUT, accept="text/csv")
        content_type = response.getheader("Content-Type", "")
        # Datasette streams CSV as text/plain (so browsers show it) unless asked for a download.
        if "csv" not in content_type and "text/plain" not in content_type:
            raise Unavailable(f"GET {path} answered {content_type or 'no content type'}, not CSV")
        rows = count_csv_rows(response)
        seconds = time.perf_counter() - started
    finally:
        done.set()
        if sampler:
            sampler.join()
    return Download(rows, seconds, max(peak) if peak else None)


def raw_csv(database: str, table: str) -> Download:
    """The limit: a plain sqlite3 + csv.writer script piping the table to us, read the same way."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "tools.benchmarking.raw_csv", database, table], stdout=subprocess.PIPE,
    )
    try:
        rows = count_csv_rows(process.stdout)
        process.wait(timeout=CSV_TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return Download(rows, time.perf_counter() - started)


def page_ms(port: int, path: str) -> float:
    """Latency of one JSON request, first byte to last, in milliseconds (a new connection each
    time, as gunicorn's sync worker closes it anyway)."""
    started = time.perf_counter()
    response = get(port, path, PAGE_TIMEOUT, accept="application/json")
    json.loads(response.read())
    return (time.perf_counter() - started) * 1000


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


def interleaved(measures: dict[str, Callable[[], float]], runs: int, warmup: int = 2) -> dict[str, list]:
    """Run each measure `runs` times, A B A B ..., after `warmup` unrecorded rounds; a measure
    that raises Unavailable is dropped and its reason kept under the key 'why:<name>'."""
    samples: dict[str, list] = {name: [] for name in measures}
    live = dict(measures)
    for round_ in range(warmup + runs):
        for name, measure in list(live.items()):
            try:
                value = measure()
            except Unavailable as exc:
                samples[f"why:{name}"] = [str(exc)]
                del live[name]
                continue
            if round_ >= warmup:
                samples[name].append(value)
    return samples


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None
