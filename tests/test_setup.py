"""What a newcomer meets on `make run`: a favicon on every page, logins printed for the address
actually served, and a runtime install without the test tools."""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from tests.conftest import make_agreement

ICON = '<link rel="icon" href="/static/alliances/favicon.svg" type="image/svg+xml">'


def test_favicon_ico_leads_to_the_served_icon(client, db):
    response = client.get("/favicon.ico")
    assert (response.status_code, response["Location"]) == (302, "/static/alliances/favicon.svg")
    icon = client.get(response["Location"])
    assert (icon.status_code, icon["Content-Type"]) == (200, "image/svg+xml")
    assert b"<svg" in b"".join(icon.streaming_content)


def test_admin_and_api_pages_name_the_icon(client, superuser):
    assert ICON in client.get(reverse("admin:login")).content.decode()
    client.force_login(superuser)
    agreement = make_agreement()
    for url in (reverse("admin:index"), reverse("admin:alliances_agreement_change", args=[agreement.pk]),
                reverse("alliances_admin:network")):
        assert ICON in client.get(url).content.decode(), url
    api = client.get("/api/v1/", headers={"Accept": "text/html"})
    assert api["Content-Type"].startswith("text/html") and ICON in api.content.decode()


@pytest.mark.parametrize(("host", "url"), [
    ("127.0.0.1:8001", "http://127.0.0.1:8001/admin/"),
    ("8002", "http://127.0.0.1:8002/admin/"),  # runserver's bare port
    ("0.0.0.0:8003", "http://127.0.0.1:8003/admin/"),
    ("localhost:9000", "http://localhost:9000/admin/"),
])
def test_demo_users_prints_the_login_url_of_the_host_served(db, host, url):
    out = StringIO()
    call_command("demo_users", "--host", host, stdout=out)
    assert out.getvalue().splitlines()[0] == f"Sign in at {url} as:"


def test_make_run_passes_its_host_to_demo_users():
    makefile = (Path(settings.BASE_DIR) / "Makefile").read_text()
    assert "manage.py demo_users --host $(HOST)" in makefile
    assert "manage.py runserver $(HOST)" in makefile


def requirement_names(name: str) -> set[str]:
    lines = (Path(settings.BASE_DIR) / name).read_text().splitlines()
    pins = [line for line in lines if line and not line.startswith(("#", "-"))]  # not -r requirements.txt
    return {re.split(r"[=\[<>]", line)[0].lower() for line in pins}


def test_runtime_requirements_hold_no_dev_tools():
    runtime, dev = requirement_names("requirements.txt"), requirement_names("requirements-dev.txt")
    assert {"pytest", "playwright", "ruff", "locust", "datasette"} <= dev
    assert not runtime & dev
