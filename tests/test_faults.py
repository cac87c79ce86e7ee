"""Faults: a database that does not answer gives a clean 503, a write refused by a constraint
midway leaves nothing half-written. (Killing a worker and restarting PostgreSQL under load are
scenarios of tools.loadtest, run by .ci/run.)"""

import json
from types import SimpleNamespace

import psycopg
import pytest
from django.contrib.admin.sites import AdminSite
from django.db.utils import DatabaseErrorWrapper

from alliances.api import serializers
from alliances.models import Claim
from tests.conftest import make_country, token_client
from tools.loadtest.server import PROXY_HEADERS, Gunicorn, free_port, production_env

# Database down ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server_without_database(tmp_path_factory):
    closed = free_port()  # nothing listens there
    env = production_env(f"postgres://alliance:alliance@127.0.0.1:{closed}/alliance_register")
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    with Gunicorn(env, workers=1, log=log) as server:
        yield server


def test_api_answers_503_json_when_the_database_is_down(server_without_database):
    for path in ("/api/v1/countries/", "/api/v1/agreements/1/", "/api/v1/"):
        status, headers, body = server_without_database.request(path, {**PROXY_HEADERS, "Accept": "*/*"})
        assert status == 503, path
        assert headers["Content-Type"] == "application/json"
        assert headers["Retry-After"] == "5"
        assert json.loads(body) == {"detail": "The database is unavailable. Try again in a few seconds."}


def test_other_pages_answer_a_plain_503_when_the_database_is_down(server_without_database):
    status, headers, body = server_without_database.request("/admin/login/", PROXY_HEADERS)
    assert status == 503
    assert headers["Content-Type"].startswith("text/plain")
    assert b"Traceback" not in body and b"OperationalError" not in body


def unavailable(*args, **kwargs):
    """A real refused connection (psycopg to a port where nothing listens), wrapped by Django."""
    with DatabaseErrorWrapper(SimpleNamespace(Database=psycopg)):
        psycopg.connect(host="127.0.0.1", port=free_port(), connect_timeout=5)


def test_database_error_in_a_view_becomes_503(client, superuser, monkeypatch):
    client.force_login(superuser)
    monkeypatch.setattr(AdminSite, "get_app_list", unavailable)  # looked up per request
    response = client.get("/admin/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.content.decode() == "The database is unavailable. Try again in a few seconds."


def test_database_down_before_the_view(client, db, monkeypatch):
    monkeypatch.setattr("config.database_unavailable.connect", unavailable)
    response = client.get("/api/v1/countries/")
    assert response.status_code == 503
    assert response.json() == {"detail": "The database is unavailable. Try again in a few seconds."}


# Nothing half-written ------------------------------------------------------------------------


def test_write_refused_by_a_constraint_midway_leaves_nothing(editor, monkeypatch):
    """The claim row, its history row and its first subject are written, then the database
    refuses the next row (a duplicate in the subjects' unique pair): the whole write is undone."""
    make_country("AZE"), make_country("TUR")
    save = serializers.RecordSerializer._save

    def save_then_violate(self, instance, many):
        instance = save(self, instance, many)
        if isinstance(instance, Claim):
            through = Claim.subject_countries.through
            first = through.objects.filter(claim=instance).first()
            through.objects.create(claim=instance, country_id=first.country_id)  # IntegrityError
        return instance

    monkeypatch.setattr(serializers.RecordSerializer, "_save", save_then_violate)
    client = token_client(editor)
    response = client.post(
        "/api/v1/claims/",
        {"text": "Trade will double.", "kind": "forecast", "subjects": {"countries": ["AZE", "TUR"]}},
    )
    assert response.status_code == 409
    assert response.json()["detail"]
    assert not Claim.objects.exists()
    assert not Claim.history.exists()
    assert not Claim.subject_countries.through.objects.exists()
    monkeypatch.undo()
    again = client.post("/api/v1/claims/", {"text": "Trade will double.", "kind": "forecast"})
    assert again.status_code == 201
