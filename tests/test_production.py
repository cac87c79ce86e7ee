"""Production configuration: check --deploy is clean, a real gunicorn with DEBUG off sends the
security headers, and admin logins are rate-limited by django-axes."""

import json
import subprocess
import sys

import pytest
from django.test import override_settings

from tests.conftest import make_user, token_client
from tools.loadtest.server import BASE_DIR, PROXY_HEADERS, Gunicorn, production_env


def run_manage(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def sqlite_url(tmp_path_factory) -> str:
    # An empty file is enough for what these tests ask (no view they call reads a table).
    return f"sqlite:///{tmp_path_factory.mktemp('prod') / 'db.sqlite3'}"


def test_check_deploy_reports_nothing(sqlite_url):
    result = run_manage("check", "--deploy", "--fail-level", "DEBUG", env=production_env(sqlite_url))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_cookies_and_hosts(sqlite_url):
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({n: getattr(s, n) for n "
        "in ['DEBUG', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', "
        "'SECURE_SSL_REDIRECT', 'ALLOWED_HOSTS', 'CSRF_TRUSTED_ORIGINS']}))"
    )
    result = run_manage("shell", "-c", code, env=production_env(sqlite_url))
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "DEBUG": False, "SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True, "SECURE_SSL_REDIRECT": True,
        "ALLOWED_HOSTS": ["127.0.0.1", "localhost"],
        "CSRF_TRUSTED_ORIGINS": ["https://127.0.0.1", "https://localhost"],
    }


def test_production_refuses_to_start_without_secret_key(sqlite_url):
    env = production_env(sqlite_url)
    del env["SECRET_KEY"]
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


@pytest.fixture(scope="module")
def gunicorn(sqlite_url, tmp_path_factory):
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    with Gunicorn(production_env(sqlite_url), workers=1, log=log) as server:
        yield server


def test_gunicorn_sends_security_headers(gunicorn):
    status, headers, body = gunicorn.request("/api/no-such-resource/", PROXY_HEADERS)
    assert status == 404
    assert json.loads(body) == {"detail": "Not found."}
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Server: gunicorn" not in body.decode()


def test_gunicorn_redirects_plain_http_to_https(gunicorn):
    status, headers, _ = gunicorn.request("/api/v1/countries/?iso3=AZE")
    assert status == 301
    assert headers["Location"] == f"https://127.0.0.1:{gunicorn.port}/api/v1/countries/?iso3=AZE"


# Admin logins: django-axes ------------------------------------------------------------------


def login(client, username, password):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


@override_settings(AXES_FAILURE_LIMIT=3)
def test_admin_login_locked_out_after_failures(client, editor):
    for _ in range(2):
        assert login(client, "editor", "wrong").status_code == 200  # the form again, with an error
    assert login(client, "editor", "wrong").status_code == 429
    # Locked: even the right password is refused now, for this username from this address.
    assert login(client, "editor", "pw-For-tests-1").status_code == 429
    make_user("other")
    assert login(client, "other", "pw-For-tests-1").status_code == 302


@override_settings(AXES_FAILURE_LIMIT=3)
def test_successful_login_resets_the_count(client, editor):
    for _ in range(2):
        login(client, "editor", "wrong")
    assert login(client, "editor", "pw-For-tests-1").status_code == 302
    client.logout()
    for _ in range(2):
        assert login(client, "editor", "wrong").status_code == 200
    assert login(client, "editor", "pw-For-tests-1").status_code == 302


@override_settings(AXES_FAILURE_LIMIT=2)
def test_api_token_and_session_auth_unaffected_by_axes(client, editor):
    api = token_client(editor)
    assert api.get("/api/v1/claims/?status=draft").status_code == 200
    assert api.post("/api/v1/claims/", {"text": "A claim.", "kind": "fact"}).status_code == 201
    assert login(client, "editor", "pw-For-tests-1").status_code == 302
    assert client.get("/api/v1/claims/?status=draft").status_code == 200
