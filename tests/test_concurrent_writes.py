"""Writes are atomic with their precondition: If-Match is compared under a row lock inside the
write's transaction, so of two writers sending the same ETag exactly one wins (a real server
with concurrent requests, on PostgreSQL, whose row locks are what this is about)."""

import json
import threading
import urllib.error
import urllib.request

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from alliances.models import Agreement
from tests.conftest import make_agreement, make_user

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks: SQLite's live test server shares one in-memory connection between threads",
    ),
]

ROUNDS = 10


def send(url: str, token: str, body: dict, etag: str) -> int:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="PATCH",
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json", "If-Match": etag},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def read_etag(url: str, token: str) -> str:
    request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.headers["ETag"]


def race(url: str, token: str, etag: str, titles: list[str]) -> dict[str, int]:
    """Each title PATCHed by its own thread, all released at once with the same If-Match."""
    barrier = threading.Barrier(len(titles))
    statuses: dict[str, int] = {}

    def write(title: str):
        barrier.wait()
        statuses[title] = send(url, token, {"title": title}, etag)

    threads = [threading.Thread(target=write, args=(title,)) for title in titles]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_two_writers_with_one_etag_one_wins_one_gets_412(live_server):
    token = Token.objects.create(user=make_user("writer", "editors")).key
    agreement = make_agreement(title="Start")
    url = f"{live_server.url}/api/v1/agreements/{agreement.pk}/"
    for round_ in range(ROUNDS):
        statuses = race(url, token, read_etag(url, token), [f"round {round_} writer {n}" for n in (1, 2)])
        assert sorted(statuses.values()) == [200, 412], (round_, statuses)
        [winner] = [title for title, code in statuses.items() if code == 200]
        assert Agreement.objects.get(pk=agreement.pk).title == winner  # nothing silently overwritten
