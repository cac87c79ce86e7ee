"""Drive the mixed load against gunicorn on PostgreSQL, optionally with a fault, and check it.

Every scenario: a scratch database (migrated, the curated dataset loaded, optionally synthetic
citations), a production-configured gunicorn on a free loopback port, locust headless for a
fixed time; then the figures (locust's CSV stats: requests/s, p50/p95/p99, failures) and the
checks: every write the server acknowledged (201 with an id) is in the database, whole.
"""

import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tools.benchmarking.client import percentile

from .server import BASE_DIR, PROXY_HEADERS, Gunicorn, production_env

ARTIFACTS = BASE_DIR / "artifacts" / "loadtest"
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
# Anonymous callers are throttled per address and every locust user is 127.0.0.1: the throttle
# still counts in the shared cache, at a rate this load does not reach.
LOAD_ENV = {"API_ANON_RATE": "1000000/hour"}


@dataclass
class Options:
    database_url: str
    run_time: int = 30
    users: int = 20
    spawn_rate: int = 10
    workers: int = 4
    synthetic: int = 0
    name: str = "load"


@dataclass
class Result:
    name: str
    figures: dict
    statuses: Counter
    events: list[dict]
    acknowledged: dict[str, set[int]]
    lost: dict[str, list[int]]
    notes: dict = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def check(self, condition: bool, message: str) -> None:
        if not condition:
            self.failures.append(message)


def setup_django(database_url: str) -> None:
    os.environ.update({**production_env(database_url), **LOAD_ENV})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def prepare(synthetic: int) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_curated", verbosity=0)
    if synthetic:
        call_command("generate_synthetic", citations=synthetic, force=True, verbosity=0)


def plan(csv_works: bool) -> dict:
    """What the locust users need: an editor's token, ids to read, quotes they may cite."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token

    from alliances.models import Agreement, Claim, Country, Organisation
    from sources.models import Citation, Source

    user, _ = get_user_model().objects.get_or_create(username="loadtest-editor", defaults={"is_staff": True})
    user.groups.add(Group.objects.get(name="editors"))
    token, _ = Token.objects.get_or_create(user=user)
    ids = {
        name: list(model.objects.published().order_by("id").values_list("id", flat=True)[:500])
        for name, model in [("agreements", Agreement), ("claims", Claim), ("organisations", Organisation),
                            ("countries", Country)]
    }
    ids["sources"] = list(Source.objects.order_by("id").values_list("id", flat=True)[:500])
    texts = dict(Source.objects.filter(text__gt="").values_list("id", "text")[:200])
    quotes = [
        (source, quote)
        for source, quote in Citation.objects.filter(source__in=texts, quote__gt="")
        .values_list("source_id", "quote")[:2000]
        if texts[source].count(quote) == 1
    ][:100]
    countries = list(Country.objects.published().values_list("iso3", flat=True)[:50])
    if not (quotes and len(countries) >= 2 and all(ids.values())):
        raise SystemExit("The loaded dataset has too little to drive the load (quotes, countries, ids).")
    return {"token": token.key, "ids": ids, "countries": countries, "quotes": quotes, "csv": csv_works}


def csv_works(server: Gunicorn) -> bool:
    headers = {**PROXY_HEADERS, "Accept": "text/csv"}
    status, headers, _ = server.request("/api/v1/agreements/?format=csv", headers)
    return status == 200 and headers.get("Content-Type", "").startswith("text/csv")


def run_locust(options: Options, server: Gunicorn, plan_path: Path, events_path: Path, prefix: Path):
    env = {**os.environ, "LOADTEST_PLAN": str(plan_path), "LOADTEST_EVENTS": str(events_path)}
    command = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--only-summary",
        "--run-time", f"{options.run_time}s", "--users", str(options.users),
        "--spawn-rate", str(options.spawn_rate), "--host", server.url, "--csv", str(prefix),
        "--loglevel", "WARNING", "--exit-code-on-error", "0", "--stop-timeout", "10",
    ]
    log = open(prefix.with_name("locust.log"), "wb")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)


def figures(requests: list[dict], prefix: Path) -> dict:
    """From the events log (every request, exactly); locust's own CSV stats are kept beside it."""
    times = [event["ms"] for event in requests]
    span = (requests[-1]["t"] - requests[0]["t"]) if len(requests) > 1 else 1
    return {
        "requests": len(requests),
        "failures": sum(1 for event in requests if event["status"] not in (200, 201)),
        "rps": round(len(requests) / span, 1),
        **{f"p{q}_ms": percentile(times, q) if times else 0.0 for q in (50, 95, 99)},
        "locust_csv": f"{prefix}_stats.csv",
    }


def lost_writes(acknowledged: dict[str, set[int]]) -> dict[str, list[int]]:
    """Acknowledged ids missing from the database, or claims missing their subjects."""
    from django.db import connection

    from alliances.models import Claim
    from sources.models import Citation

    connection.close()  # the database may have restarted under this process
    lost = {}
    for resource, model in (("claim", Claim), ("citation", Citation)):
        ids = acknowledged.get(resource, set())
        stored = set(model.objects.filter(id__in=ids).values_list("id", flat=True))
        lost[resource] = sorted(ids - stored)
    subjects = Counter(
        Claim.subject_countries.through.objects.filter(claim_id__in=acknowledged.get("claim", set()))
        .values_list("claim_id", flat=True)
    )
    lost["claim subjects"] = sorted(i for i in acknowledged.get("claim", set()) if subjects[i] != 2)
    return lost


def run(options: Options, fault=None) -> Result:
    """Run the load; `fault(server, t0, notes)` runs in a thread beside it, if given."""
    setup_django(options.database_url)
    from django.db import connection

    connection.close()  # a previous scenario's database was dropped under it
    out = ARTIFACTS / options.name
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*"):
        stale.unlink()
    prepare(options.synthetic)
    env = {**os.environ, **LOAD_ENV}
    with Gunicorn(env, workers=options.workers, log=out / "gunicorn.log") as server:
        plan_path, events_path = out / "plan.json", out / "events.jsonl"
        plan_path.write_text(json.dumps(plan(csv_works(server))))
        notes: dict = {"csv": json.loads(plan_path.read_text())["csv"], "workers": options.workers}
        locust = run_locust(options, server, plan_path, events_path, out / "locust")
        t0 = time.time()
        thread = None
        if fault is not None:
            thread = threading.Thread(target=fault, args=(server, t0, notes), daemon=True)
            thread.start()
        locust.wait(timeout=options.run_time + 120)
        if thread is not None:
            thread.join(timeout=60)
        notes["workers_after"] = len(server.worker_pids())
    events = [json.loads(line) for line in events_path.read_text().splitlines()]
    acknowledged: dict[str, set[int]] = {}
    for event in events:
        if "ack" in event:
            acknowledged.setdefault(event["ack"], set()).add(event["id"])
    requests = [event for event in events if "status" in event]
    result = Result(
        name=options.name, figures=figures(requests, out / "locust"),
        statuses=Counter(event.get("error", "").split(":")[0] or event["status"] for event in requests),
        events=requests, acknowledged=acknowledged, lost=lost_writes(acknowledged), notes=notes,
    )
    result.figures["lost_writes"] = sum(len(ids) for ids in result.lost.values())
    result.figures["acknowledged_writes"] = sum(len(ids) for ids in acknowledged.values())
    result.check(result.figures["requests"] > 0, "no request was made")
    result.check(result.figures["lost_writes"] == 0, f"acknowledged writes missing: {result.lost}")
    result.check(result.figures["acknowledged_writes"] > 0, "no write was acknowledged")
    return result


def report(result: Result) -> int:
    f = result.figures
    print(
        f"[{result.name}] {f['requests']} requests, {f['rps']} req/s, p50 {f['p50_ms']:.0f} ms, "
        f"p95 {f['p95_ms']:.0f} ms, p99 {f['p99_ms']:.0f} ms, errors {f['failures']}, "
        f"acknowledged writes {f['acknowledged_writes']}, lost writes {f['lost_writes']}"
    )
    print(f"[{result.name}] statuses {dict(sorted(result.statuses.items(), key=str))}; {result.notes}")
    (ARTIFACTS / result.name / "summary.json").write_text(json.dumps(
        {"figures": f, "statuses": {str(k): v for k, v in result.statuses.items()}, "notes": result.notes,
         "failures": result.failures}, indent=2, default=str,
    ))
    for failure in result.failures:
        print(f"[{result.name}] FAILED: {failure}")
    print(f"[{result.name}] {'FAILED' if result.failures else 'OK'}")
    return 1 if result.failures else 0
