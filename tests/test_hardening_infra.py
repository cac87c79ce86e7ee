"""Issue 14, the infrastructure: a database set up by `migrate` alone serves the API, only an
unreachable database is a 503, SQLite takes concurrent writes, the throttle's address cannot be
forged, an organisation with memberships is not deleted, and check --deploy accepts
SECURE_SSL_REDIRECT=0 when the operator sets it."""

import json
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.utils import DatabaseErrorWrapper
from django.test import Client

from alliances.models import Membership, Organisation
from config.database_unavailable import unreachable
from tests.conftest import (
    make_agreement,
    make_clause,
    make_country,
    make_membership,
    make_organisation,
    make_party,
    token_client,
)
from tests.test_faults import unavailable
from tests.test_production import run_manage
from tools.loadtest.server import PROXY_HEADERS, Gunicorn, production_env

API = "/api/v1"

# A fresh SQLite file set up by migrate alone, served by gunicorn -------------------------------

EDITOR_TOKEN = (
    "from django.contrib.auth.models import Group, User; from rest_framework.authtoken.models import Token;"
    "u = User.objects.create_user('writer', password='pw-For-tests-1', is_staff=True);"
    "u.groups.add(Group.objects.get(name='editors')); print(Token.objects.create(user=u).key)"
)


@pytest.fixture(scope="module")
def migrated_sqlite(tmp_path_factory):
    path = tmp_path_factory.mktemp("fresh") / "db.sqlite3"
    env = production_env(f"sqlite:///{path}")
    result = run_manage("migrate", "--noinput", env=env)
    assert result.returncode == 0, result.stderr
    token = run_manage("shell", "-c", EDITOR_TOKEN, env=env).stdout.strip().splitlines()[-1]
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    with Gunicorn(env, workers=4, log=log) as server:
        yield server, path, token


def test_migrate_alone_gives_a_working_api(migrated_sqlite):
    server, path, _ = migrated_sqlite
    status, _, body = server.request(f"{API}/countries/", PROXY_HEADERS)
    assert status == 200, body
    assert json.loads(body)["results"] == []
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM django_cache").fetchone()[0] >= 1  # the throttle counted


def test_concurrent_writes_on_sqlite_all_land(migrated_sqlite):
    server, path, token = migrated_sqlite
    headers = {**PROXY_HEADERS, "Authorization": f"Token {token}", "Content-Type": "application/json"}

    def write(n):
        body = json.dumps({"text": f"Concurrent claim {n}.", "kind": "fact"}).encode()
        return server.request(f"{API}/claims/", headers, data=body, timeout=60)[0]

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(write, range(48)))
    assert statuses == [201] * 48
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        stored = "SELECT count(*) FROM alliances_claim WHERE text LIKE 'Concurrent claim %'"
        assert db.execute(stored).fetchone()[0] == 48


def test_the_cache_table_migration_is_idempotent(db):
    from importlib import import_module

    create = import_module("alliances.migrations.0010_cache_tables").create_cache_tables
    editor = SimpleNamespace(connection=connection)  # all the migration's function reads of it
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE django_cache")
    create(None, editor)
    create(None, editor)
    assert "django_cache" in connection.introspection.table_names()


# 503 only for an unreachable database -----------------------------------------------------------


def database_error(run):
    with pytest.raises(Exception) as caught, DatabaseErrorWrapper(connection):
        run()
    return caught.value


def test_only_a_connection_failure_counts_as_unreachable(db):
    refused = database_error(unavailable)
    missing_table = database_error(lambda: connection.cursor().execute("SELECT * FROM no_such_table"))
    bad_sql = database_error(lambda: connection.cursor().execute("SELECT ("))
    assert unreachable(refused)
    assert not unreachable(missing_table) and not unreachable(bad_sql)


def test_a_missing_table_is_a_logged_500_not_a_503(anon, db, settings, caplog):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                                   "LOCATION": "no_such_cache_table"}}
    response = anon.get(f"{API}/countries/")
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error."}
    assert "no_such_cache_table" in caplog.text


# The throttle's address ----------------------------------------------------------------------------


def throttled_after(anon, settings, addresses, num_proxies):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": num_proxies,
                               "DEFAULT_THROTTLE_RATES": {"anon": "2/minute"}}
    return [anon.get(f"{API}/countries/", HTTP_X_FORWARDED_FOR=xff).status_code for xff in addresses]


def test_a_changing_forwarded_header_does_not_reset_the_throttle(anon, db, settings):
    assert throttled_after(anon, settings, ["1.1.1.1", "2.2.2.2", "3.3.3.3"], 0) == [200, 200, 429]


def test_behind_one_proxy_the_address_it_forwarded_counts(anon, db, settings):
    # The client's own X-Forwarded-For entry (first) is ignored; the proxy's (last) counts.
    statuses = throttled_after(anon, settings, ["9.9.9.9, 1.1.1.1", "8.8.8.8, 1.1.1.1", "7.7.7.7, 1.1.1.1",
                                                "2.2.2.2"], 1)
    assert statuses == [200, 200, 429, 200]


# Organisations with memberships -------------------------------------------------------------------


def test_an_organisation_with_memberships_is_not_deleted(reviewer, client, superuser):
    organisation = make_organisation(name="Organisation of Turkic States", acronym="OTS")
    make_membership(organisation=organisation, country=make_country("AZE"))
    response = token_client(reviewer).delete(f"{API}/organisations/{organisation.pk}/")
    assert response.status_code == 409
    assert "memberships" in response.json()["detail"]
    client.force_login(superuser)
    page = client.get(f"/admin/alliances/organisation/{organisation.pk}/delete/").content.decode()
    assert "would require deleting the following protected related objects" in page
    assert Organisation.objects.filter(pk=organisation.pk).exists() and Membership.objects.count() == 1


# check --deploy and SECURE_SSL_REDIRECT=0 -------------------------------------------------------------


def test_check_deploy_accepts_ssl_redirect_left_to_the_proxy(tmp_path):
    env = production_env(f"sqlite:///{tmp_path / 'db.sqlite3'}", SECURE_SSL_REDIRECT="0")
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(1 silenced)" in result.stdout
    # Not set: the redirect is on, nothing to silence.
    unset = production_env(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert "(0 silenced)" in run_manage("check", "--deploy", env=unset).stdout


def limit_to_two(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "2/minute"}}


def test_the_network_picture_is_throttled(anon, db, settings):
    limit_to_two(settings)
    statuses = [anon.get(f"{API}/network.svg", {"as_of": "2022-01-01"}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert anon.get(f"{API}/network.svg").json()["detail"].startswith("Request was throttled")


def test_invalid_tokens_count_against_the_anonymous_rate(anon, db, settings):
    limit_to_two(settings)
    anon.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    statuses = [anon.get(f"{API}/countries/").status_code for _ in range(3)]
    assert statuses == [401, 401, 429]
    anon.credentials()
    assert anon.get(f"{API}/countries/").status_code == 429  # the same address's budget


# Every answer under /api/ is JSON --------------------------------------------------------------------


def test_posts_the_api_does_not_take_answer_json(db):
    client = Client(enforce_csrf_checks=True)
    unknown = client.post(f"{API}/no-such-thing/", {"a": "b"})
    assert unknown.status_code == 404 and unknown.json() == {"detail": "Not found."}
    picture = client.post(f"{API}/network.svg")
    assert picture.status_code == 405 and picture.json() == {"detail": 'Method "POST" not allowed.'}


# History pages of records whose parent is gone, and of ids that are not ids --------------------------


def test_history_of_records_deleted_with_their_parent_is_readable(client, superuser):
    pact = make_agreement(title="Pact of Tests")
    party = make_party(agreement=pact, country=make_country("AZE"))
    clause = make_clause(agreement=pact)
    organisation = make_organisation(name="Union of Tests")
    membership = make_membership(organisation=organisation, country=make_country("TUR"))
    Membership.objects.filter(pk=membership.pk).delete()  # the instance keeps its pk
    organisation.delete()
    pact.delete()  # its parties and clauses with it
    client.force_login(superuser)
    for model, record, parent in (("party", party, "Pact of Tests (deleted)"),
                                  ("clause", clause, "Pact of Tests (deleted)"),
                                  ("membership", membership, "Union of Tests (deleted)")):
        response = client.get(f"/admin/alliances/{model}/{record.pk}/history/")
        assert response.status_code == 200, model
        assert parent in response.content.decode()


def test_history_pages_of_ids_that_are_not_ids_are_404(client, superuser):
    pact = make_agreement()
    client.force_login(superuser)
    agreement = "/admin/alliances/agreement"
    for path in (f"{agreement}/{pact.pk}/history/abc/", f"{agreement}/abc/history/",
                 "/admin/sources/source/abc/history/", f"{agreement}/{pact.pk}/history/99999/"):
        assert client.get(path).status_code == 404, path


def test_static_files_carry_the_security_headers(tmp_path):
    # DEBUG on only so that WhiteNoise finds the files without a collectstatic into the checkout.
    env = production_env(f"sqlite:///{tmp_path / 'db.sqlite3'}", DEBUG="1")
    with Gunicorn(env, workers=1, log=tmp_path / "gunicorn.log") as server:
        status, headers, _ = server.request("/static/admin/css/base.css", PROXY_HEADERS)
    assert status == 200
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"


# As served: PostgreSQL's refusal ends no outer transaction. Serialized rollback, as every
# transactional test here: a plain flush would leave later tests without the migrations' rows.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_invalid_regex_filter_in_the_admin_is_a_400_page(client, superuser):
    make_agreement(title="Pact")
    client.force_login(superuser)
    response = client.get("/admin/alliances/agreement/", {"title__regex": "("})
    assert response.status_code == 400
    assert "title__regex" in response.content.decode()
    assert client.get("/admin/alliances/agreement/", {"title__regex": "^Pa"}).status_code == 200
