"""Benchmark the API against Datasette on a synthetic database (issue 6).

    manage.py benchmark --citations 100000 --rss-at 1000000 --json bench/results.json

Generates bench/synthetic-N-seedS.sqlite3 once (git-ignored; reused afterwards), serves it with
gunicorn (one sync worker, DEBUG off) and with Datasette on loopback ports, and measures, A/B
interleaved, medians of several runs: full CSV export rows/s (us, Datasette, and plain sqlite3 +
csv.writer as the limit), our worker's peak RSS during the export, p50/p99 of 100-row JSON pages,
a deep cursor page against the first, queries per list request (Django's query log) and the
dyad-year export. A metric whose endpoint does not exist yet is null, with the reason in `notes`.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tools.benchmarking import dataset
from tools.benchmarking.runner import PARTS, Benchmark, Options, table


class Command(BaseCommand):
    help = "Benchmark our server against Datasette on a synthetic database of N citations."

    def add_arguments(self, parser):
        parser.add_argument("--citations", type=int, default=100_000, help="Scale of the data set.")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--runs", type=int, default=3, help="Full CSV exports per contender.")
        parser.add_argument("--page-runs", type=int, default=40, help="Requests per page measurement.")
        parser.add_argument(
            "--rss-at", type=int, action="append", default=[], metavar="N",
            help="Also measure our peak RSS during the CSV export at N citations (repeatable).",
        )
        parser.add_argument("--dir", default=str(dataset.DEFAULT_DIRECTORY), help="Where the databases go.")
        parser.add_argument("--regenerate", action="store_true", help="Generate the databases again.")
        parser.add_argument("--json", metavar="FILE", help="Write every figure to this JSON file.")
        parser.add_argument(
            "--only", default=",".join(PARTS), metavar="PARTS",
            help=f"Comma-separated parts to run, of {', '.join(PARTS)} (default: all).",
        )

    def handle(self, *args, citations, seed, runs, page_runs, rss_at, dir, regenerate, json: str | None,
               only, **options):
        if runs < 1 or page_runs < 1:
            raise CommandError("--runs and --page-runs must be at least 1")
        parts = {part.strip() for part in only.split(",") if part.strip()}
        if not parts or parts - set(PARTS):
            raise CommandError(f"--only takes some of {', '.join(PARTS)}")
        options = Options(citations=citations, seed=seed, runs=runs, page_runs=page_runs, rss_at=rss_at,
                          directory=Path(dir), regenerate=regenerate, parts=parts)
        results = Benchmark(options, say=self.stdout.write).run()
        self.stdout.write(table(results))
        if json:
            Path(json).write_text(dump(results))
            self.stdout.write(f"Figures written to {json}")


def dump(results: dict) -> str:
    return json.dumps(results, indent=2, default=str) + "\n"
