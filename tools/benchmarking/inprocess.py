"""Measurements taken inside Django, against the benchmark database:

    python -m tools.benchmarking.inprocess DB_FILE   (prints JSON)

A separate process, because settings read DATABASE_URL once, at start-up.
- queries per list request at page sizes 5 and 500, from Django's own query log
  (CaptureQueriesContext around the test client), for every list endpoint;
- the dyad-year export over the whole data set (alliances.exports.dyad_years), if it exists.
"""

import json
import os
import sys
import time
from pathlib import Path

LIST_ENDPOINTS = (
    "countries", "organisations", "memberships", "persons", "agreements", "parties", "clauses",
    "claims", "sources", "citations",
)


def queries_per_request(page_sizes=(5, 500)) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    found: dict[str, dict[int, int | None]] = {}
    reasons = {}
    for name in LIST_ENDPOINTS:
        found[name] = {}
        # Once unmeasured: per-process caches (content types) fill on the first request.
        client.get(f"/api/v1/{name}/", {"page_size": 1}, HTTP_ACCEPT="application/json")
        for size in page_sizes:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(f"/api/v1/{name}/", {"page_size": size}, HTTP_ACCEPT="application/json")
            if response.status_code != 200:
                found[name][size] = None
                reasons[name] = f"HTTP {response.status_code}"
                continue
            found[name][size] = len(queries)
    return {"by_resource": found, "unavailable": reasons}


def dyad_years() -> dict:
    try:
        from alliances.exports import dyad_years as module
    except ImportError as exc:
        return {"seconds": None, "rows": None, "note": f"alliances.exports.dyad_years not importable: {exc}"}
    from alliances.models import Agreement, Clause, Party

    started = time.perf_counter()
    rows = -1  # the header
    for _ in module.stream(
        agreements=Agreement.objects.published(), parties=Party.objects.published(),
        clauses=Clause.objects.published(),
    ):
        rows += 1
    return {"seconds": time.perf_counter() - started, "rows": rows, "note": ""}


def main(database: str) -> None:
    from .servers import BENCH_SETTINGS

    os.environ.update(BENCH_SETTINGS, DATABASE_URL=f"sqlite:///{Path(database).resolve()}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host, "testserver", is allowed
    json.dump({"queries": queries_per_request(), "dyad_years": dyad_years()}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
