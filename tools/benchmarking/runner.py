"""The benchmark: us (gunicorn) against Datasette on the same SQLite file, A/B interleaved."""

from __future__ import annotations

import base64
import json
import os
import platform
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from django.conf import settings

from . import client, dataset, servers
from .client import Unavailable, interleaved, median, percentile

CITATIONS_TABLE = "sources_citation"
CSV_PATH = "/api/v1/citations/?format=csv"
DEEP_ROWS = 900_000
PAGE = 100

METRICS = (
    # key, label, unit
    ("generate_s", "generate the data set", "s"),
    ("csv_rows_per_s", "CSV export, citations: us", "rows/s"),
    ("datasette_csv_rows_per_s", "CSV export, citations: Datasette", "rows/s"),
    ("raw_csv_rows_per_s", "CSV export, citations: sqlite3 + csv.writer", "rows/s"),
    ("csv_peak_rss_mb_100k", "peak RSS of our worker, CSV export at 100k", "MB"),
    ("csv_peak_rss_mb_1m", "peak RSS of our worker, CSV export at 1M", "MB"),
    ("datasette_csv_peak_rss_mb", "peak RSS of Datasette, CSV export at this scale", "MB"),
    ("page_p50_ms", "100 citations JSON: us p50", "ms"),
    ("page_p99_ms", "100 citations JSON: us p99", "ms"),
    ("datasette_page_p50_ms", "100 citations JSON: Datasette p50", "ms"),
    ("datasette_page_p99_ms", "100 citations JSON: Datasette p99", "ms"),
    ("nested_page_p50_ms", "100 agreements, nested JSON: us p50", "ms"),
    ("nested_page_p99_ms", "100 agreements, nested JSON: us p99", "ms"),
    ("first_page_p50_ms", "first page of citations (cursor) p50", "ms"),
    ("deep_page_p50_ms", "deep page of citations (cursor) p50", "ms"),
    ("queries_page_5", "queries per list request, page_size=5 (max over lists)", ""),
    ("queries_page_500", "queries per list request, page_size=500 (max over lists)", ""),
    ("dyad_years_s", "dyad-year export, whole data set", "s"),
    ("dyad_years_rows", "dyad-year rows", ""),
)
RSS_KEYS = {100_000: "csv_peak_rss_mb_100k", 1_000_000: "csv_peak_rss_mb_1m"}
PARTS = ("csv", "pages", "deep", "inprocess")


def part_of(key: str) -> str | None:
    """Which part of the benchmark measures a metric (None: every run has it)."""
    if key.startswith(("csv_", "datasette_csv", "raw_csv")):
        return "csv"
    if key.startswith(("first_page", "deep_page")):
        return "deep"
    if key.startswith(("page_", "datasette_page", "nested_page")):
        return "pages"
    if key.startswith(("queries_", "dyad_years")):
        return "inprocess"
    return None


@dataclass
class Options:
    citations: int = 100_000
    seed: int = 1
    runs: int = 3  # full CSV exports per contender
    page_runs: int = 40  # requests per page measurement
    rss_at: list[int] = field(default_factory=list)  # more scales for the CSV peak RSS
    directory: Path = dataset.DEFAULT_DIRECTORY
    regenerate: bool = False
    parts: set[str] = field(default_factory=lambda: set(PARTS))


class Benchmark:
    def __init__(self, options: Options, say: Callable[[str], None] = print):
        self.options = options
        self.say = say
        self.results: dict = {key: None for key, _, _ in METRICS}
        self.notes: dict[str, str] = {}
        self.details: dict = {}
        self.rss_reasons: dict[int, str] = {}

    def note(self, keys: tuple[str, ...] | str, reason: str) -> None:
        for key in (keys,) if isinstance(keys, str) else keys:
            self.notes[key] = reason

    def run(self) -> dict:
        o = self.options
        load_before = os.getloadavg()
        data = dataset.ensure(o.citations, o.seed, o.directory, o.regenerate)
        self.results["generate_s"] = data.generate_s
        if data.reused:
            self.note("generate_s", f"measured when {data.path.name} was generated (--regenerate to redo)")
        db = data.path.stem
        self.say(f"Data set: {data.path} ({o.citations:,} citations, seed {o.seed})")
        if o.parts & {"csv", "pages", "deep"}:
            with (
                servers.gunicorn(data.path, o.directory) as ours,
                servers.datasette(data.path, o.directory) as theirs,
            ):
                if "csv" in o.parts:
                    self.csv_exports(ours, theirs, data, db)
                if "pages" in o.parts:
                    self.pages(ours, theirs, db)
                if "deep" in o.parts:
                    self.deep_page(ours, data)
        if "inprocess" in o.parts:
            self.in_process(data.path)
        for key, _, _ in METRICS:
            if self.results[key] is None and key not in self.notes and part_of(key) not in o.parts:
                self.note(key, f"not measured in this run (--only {','.join(sorted(o.parts))})")
        for scale in o.rss_at if "csv" in o.parts else ():
            if scale != o.citations:
                self.rss_only(scale)
        self.fill_rss_keys()
        return {
            **self.results,
            "scale": {"citations": o.citations, "seed": o.seed, "counts": data.counts},
            "versions": versions(),
            "machine": {"cpus": os.cpu_count(), "load_average_before": load_before,
                        "load_average_after": os.getloadavg()},
            "method": {"csv_runs": o.runs, "page_runs": o.page_runs, "page_rows": PAGE,
                       "interleaved": True, "statistic": "median of runs; p50/p99 nearest rank"},
            "details": self.details,
            "notes": self.notes,
        }

    # --- measurements ---------------------------------------------------------------

    def csv_exports(self, ours, theirs, data, db: str) -> None:
        self.say("CSV exports (us, Datasette, sqlite3 limit), interleaved ...")
        worker = ours.worker_pid()
        peaks, their_peaks = [], []

        def us() -> float:
            download = client.download_csv(ours.port, CSV_PATH, rss_pid=worker)
            peaks.append(download.peak_rss_mb)
            self.details.setdefault("csv_rows", {})["us"] = download.rows
            return download.rows_per_s

        def datasette() -> float:
            path = f"/{db}/{CITATIONS_TABLE}.csv?_stream=on&_size=max"
            download = client.download_csv(theirs.port, path, rss_pid=theirs.process.pid)
            self.details.setdefault("csv_rows", {})["datasette"] = download.rows
            their_peaks.append(download.peak_rss_mb)
            return download.rows_per_s

        def raw() -> float:
            download = client.raw_csv(str(data.path), CITATIONS_TABLE)
            self.details.setdefault("csv_rows", {})["raw"] = download.rows
            return download.rows_per_s

        samples = interleaved({"us": us, "datasette": datasette, "raw": raw}, self.options.runs, warmup=0)
        for name, key in (("us", "csv_rows_per_s"), ("datasette", "datasette_csv_rows_per_s"),
                          ("raw", "raw_csv_rows_per_s")):
            self.results[key] = round_or_none(median(samples[name]), 0)
            if f"why:{name}" in samples:
                self.note(key, samples[f"why:{name}"][0])
        self.details["csv_rows_per_s_runs"] = {k: v for k, v in samples.items() if not k.startswith("why")}
        measured = [p for p in peaks if p is not None]
        self.details.setdefault("csv_peak_rss_mb", {})[self.options.citations] = (
            round(max(measured), 1) if measured else None
        )
        if not measured:
            self.rss_reasons[self.options.citations] = self.notes.get("csv_rows_per_s", "no sample")
        self.details["idle_rss_mb"] = servers.rss_mb(worker)
        measured = [p for p in their_peaks if p is not None]
        self.results["datasette_csv_peak_rss_mb"] = round(max(measured), 1) if measured else None

    def pages(self, ours, theirs, db: str) -> None:
        self.say("JSON pages of 100 rows, interleaved ...")
        lean = "_size=100&_nocount=1&_nofacet=1&_nosuggest=1"
        samples = interleaved({
            "us": lambda: client.page_ms(ours.port, f"/api/v1/citations/?page_size={PAGE}"),
            "datasette": lambda: client.page_ms(theirs.port, f"/{db}/{CITATIONS_TABLE}.json?{lean}"),
            "nested": lambda: client.page_ms(ours.port, f"/api/v1/agreements/?page_size={PAGE}"),
        }, self.options.page_runs)
        for name, prefix in (("us", "page"), ("datasette", "datasette_page"), ("nested", "nested_page")):
            values = samples[name]
            self.results[f"{prefix}_p50_ms"] = round_or_none(percentile(values, 50) if values else None, 1)
            self.results[f"{prefix}_p99_ms"] = round_or_none(percentile(values, 99) if values else None, 1)
            if f"why:{name}" in samples:
                self.note((f"{prefix}_p50_ms", f"{prefix}_p99_ms"), samples[f"why:{name}"][0])

    def deep_page(self, ours, data) -> None:
        self.say("First page against a deep page (cursor) ...")
        keys = ("first_page_p50_ms", "deep_page_p50_ms")
        first = f"/api/v1/citations/?page_size={PAGE}"
        try:
            deep, depth = self.deep_path(ours.port, first, data.path)
        except Unavailable as exc:
            self.note(keys, str(exc))
            return
        samples = interleaved({
            "first": lambda: client.page_ms(ours.port, first),
            "deep": lambda: client.page_ms(ours.port, deep),
        }, self.options.page_runs)
        self.results["first_page_p50_ms"] = round_or_none(median(samples["first"]), 1)
        self.results["deep_page_p50_ms"] = round_or_none(median(samples["deep"]), 1)
        self.details["deep_page_rows"] = depth
        if depth < DEEP_ROWS:
            self.note("deep_page_p50_ms", f"{depth:,} rows deep, as deep as {data.citations:,} rows allow")

    def deep_path(self, port: int, first: str, database: Path) -> tuple[str, int]:
        """The cursor of the page that starts `depth` rows in, built like the API's own `next`
        links (keyset: the sort values of the last row before it)."""
        response = client.get(port, first, client.PAGE_TIMEOUT, accept="application/json")
        page = json.loads(response.read())
        if not page.get("next"):
            raise Unavailable("the first page has no next link")
        token = parse_qs(urlsplit(page["next"]).query)["cursor"][0]
        cursor = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if cursor.get("k") != ["id"]:
            raise Unavailable(f"cursor orders by {cursor.get('k')}, the benchmark builds cursors on id only")
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
            total = connection.execute(f"SELECT count(*) FROM {CITATIONS_TABLE}").fetchone()[0]
            depth = max(PAGE, min(DEEP_ROWS, total - PAGE))
            (last_id,) = connection.execute(
                f"SELECT id FROM {CITATIONS_TABLE} ORDER BY id LIMIT 1 OFFSET ?", (depth - 1,)
            ).fetchone()
        cursor["p"] = [last_id]
        payload = json.dumps(cursor, separators=(",", ":")).encode()
        token = base64.urlsafe_b64encode(payload).decode().rstrip("=")
        deep = f"{first}&cursor={token}"
        rows = json.loads(client.get(port, deep, client.PAGE_TIMEOUT, accept="application/json").read())
        if not rows["results"] or rows["results"][0]["id"] <= last_id:
            raise Unavailable("the constructed deep cursor did not land after the expected row")
        return deep, depth

    def in_process(self, database: Path) -> None:
        self.say("Queries per list request and the dyad-year export (in-process) ...")
        completed = subprocess.run(
            [sys.executable, "-m", "tools.benchmarking.inprocess", str(database)],
            capture_output=True, text=True, cwd=settings.BASE_DIR, timeout=1800,
            env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        )
        if completed.returncode != 0:
            reason = f"in-process measurements failed: {completed.stderr.strip()[-300:]}"
            self.note(("queries_page_5", "queries_page_500", "dyad_years_s", "dyad_years_rows"), reason)
            return
        found = json.loads(completed.stdout)
        by_resource = found["queries"]["by_resource"]
        self.details["queries_by_resource"] = by_resource
        for size in (5, 500):
            counts = [v[str(size)] for v in by_resource.values() if v.get(str(size)) is not None]
            self.results[f"queries_page_{size}"] = max(counts) if counts else None
        dyads = found["dyad_years"]
        self.results["dyad_years_s"] = round_or_none(dyads["seconds"], 2)
        self.results["dyad_years_rows"] = dyads["rows"]
        if dyads["note"]:
            self.note(("dyad_years_s", "dyad_years_rows"), dyads["note"])

    def rss_only(self, scale: int) -> None:
        """Our server's peak RSS during one full CSV export at another scale."""
        data = dataset.ensure(scale, self.options.seed, self.options.directory, self.options.regenerate)
        self.say(f"Peak RSS during the CSV export at {scale:,} citations ...")
        with servers.gunicorn(data.path, self.options.directory) as ours:
            try:
                download = client.download_csv(ours.port, CSV_PATH, rss_pid=ours.worker_pid())
            except Unavailable as exc:
                self.details.setdefault("csv_peak_rss_mb", {})[scale] = None
                self.rss_reasons[scale] = str(exc)
                return
        self.details.setdefault("csv_peak_rss_mb", {})[scale] = round_or_none(download.peak_rss_mb, 1)
        self.details.setdefault("csv_rows_per_s_at", {})[scale] = round(download.rows_per_s)

    def fill_rss_keys(self) -> None:
        measured = self.details.get("csv_peak_rss_mb", {})
        for scale, key in RSS_KEYS.items():
            if measured.get(scale) is not None:
                self.results[key] = measured[scale]
            elif scale in measured:
                self.note(key, self.rss_reasons.get(scale, "no sample"))
            else:
                self.note(key, f"not measured: run with --citations {scale} or --rss-at {scale}")


def round_or_none(value: float | None, digits: int) -> float | None:
    if value is None:
        return None
    return round(value) if digits == 0 else round(value, digits)


def versions() -> dict:
    found = {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version}
    for package in ("django", "djangorestframework", "gunicorn", "datasette"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = None
    return found


def table(results: dict) -> str:
    lines = [f"{'metric':<58} {'value':>14}  unit"]
    for key, label, unit in METRICS:
        value = results.get(key)
        shown = "n/a" if value is None else f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"
        lines.append(f"{label:<58} {shown:>14}  {unit}")
    for key, reason in results.get("notes", {}).items():
        lines.append(f"  note {key}: {reason}")
    return "\n".join(lines)
