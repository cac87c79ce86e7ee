"""The mixed load: anonymous readers (lists, details, filters, CSV) and token-authenticated
editors writing claims and their citations.

Run by tools.loadtest.run, which prepares the database and passes LOADTEST_PLAN (a JSON
file: the editor's token, ids to read, quotes to cite) and LOADTEST_EVENTS (where every request
and every acknowledged write is logged, one JSON object a line, for the checks afterwards).
"""

import itertools
import json
import os
import random
import time

from locust import HttpUser, between, events, task

PLAN = json.loads(open(os.environ["LOADTEST_PLAN"]).read())  # noqa: SIM115
EVENTS = open(os.environ["LOADTEST_EVENTS"], "a", buffering=1)  # noqa: SIM115
# gunicorn sits behind a TLS proxy in production; this is the header that proxy adds.
PROXY = {"X-Forwarded-Proto": "https"}
JSON = {**PROXY, "Accept": "application/json"}
serial = itertools.count(1)


def log(**fields) -> None:
    EVENTS.write(json.dumps({"t": round(time.time(), 4), **fields}) + "\n")


@events.request.add_listener
def on_request(request_type, name, response_time, response, exception, **kwargs):
    status = getattr(response, "status_code", 0) if response is not None else 0
    entry = {"method": request_type, "name": name, "ms": round(response_time, 1), "status": status}
    if exception is not None and status in (0, None):
        entry["error"] = f"{type(exception).__name__}: {str(exception)[:120]}"
    if status >= 500:
        text = response.text or ""
        try:
            entry["json"] = isinstance(json.loads(text), dict)
        except ValueError:
            entry["json"] = False
        entry["traceback"] = "Traceback" in text
    log(**entry)


def expect(response, *statuses: int) -> bool:
    if response.status_code in statuses:
        response.success()
        return True
    response.failure(f"HTTP {response.status_code}")
    return False


class Reader(HttpUser):
    """An anonymous API consumer."""

    weight = 4
    wait_time = between(0.05, 0.3)

    def get(self, path: str, name: str | None = None, headers=JSON) -> None:
        with self.client.get(path, name=name or path, headers=headers, catch_response=True) as response:
            expect(response, 200)

    @task(4)
    def lists(self):
        resource = random.choice(["countries", "organisations", "agreements", "claims", "sources",
                                  "citations", "memberships", "parties", "clauses", "persons"])
        self.get(f"/api/v1/{resource}/", name=f"/api/v1/{resource}/")

    @task(4)
    def details(self):
        resource, ids = random.choice(list(PLAN["ids"].items()))
        self.get(f"/api/v1/{resource}/{random.choice(ids)}/", name=f"/api/v1/{resource}/[id]/")

    @task(3)
    def filters(self):
        country = random.choice(PLAN["countries"])
        path = random.choice([
            f"/api/v1/agreements/?country={country}",
            f"/api/v1/claims/?country={country}&ordering=-claimed_on",
            "/api/v1/memberships/?as_of=2022-01-01",
            "/api/v1/clauses/?provision=defense",
            "/api/v1/claims/?search=trade",
            "/api/v1/agreements/?kind=declaration&page_size=100",
        ])
        self.get(path, name=path.split("?")[0] + "?" + path.split("?")[1].split("=")[0])

    @task(1)
    def csv(self):
        if PLAN["csv"]:
            resource = random.choice(["agreements", "claims", "citations"])
            headers = {**PROXY, "Accept": "text/csv"}
            path = f"/api/v1/{resource}/?format=csv"
            self.get(path, name=path, headers=headers)


class Editor(HttpUser):
    """An editor with a token: writes a claim, cites it, reads it back."""

    weight = 1
    wait_time = between(0.1, 0.5)

    def on_start(self):
        self.client.headers.update({**JSON, "Authorization": f"Token {PLAN['token']}"})

    def post(self, path: str, data: dict, resource: str) -> int | None:
        with self.client.post(path, json=data, catch_response=True) as response:
            if not expect(response, 201):
                return None
            record_id = response.json()["id"]
            log(ack=resource, id=record_id)
            return record_id

    @task
    def write_claim(self):
        countries = random.sample(PLAN["countries"], 2)
        claim = self.post("/api/v1/claims/", {
            "text": f"Load-test claim {os.getpid()}-{next(serial)} about {' and '.join(countries)}.",
            "kind": "assessment", "status": "draft", "claimed_on": "2024-05",
            "subjects": {"countries": countries},
        }, "claim")
        if claim is None:
            return
        source, quote = random.choice(PLAN["quotes"])
        self.post("/api/v1/citations/", {
            "source": source, "record_type": "claim", "record_id": claim, "quote": quote,
        }, "citation")
        with self.client.get(f"/api/v1/claims/{claim}/", name="/api/v1/claims/[id]/ (own draft)",
                             catch_response=True) as response:
            expect(response, 200)
