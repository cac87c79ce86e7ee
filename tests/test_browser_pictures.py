"""The pictures on the curated register in a real browser (Playwright driving Debian's Chromium):
a click on each of the parallel lines between Azerbaijan and Uzbekistan, at the line's visible
midpoint as a user would click it, opens that line's own agreement; Uzbekistan's timeline lists its
own acts; and no page the editor opens logs an error (no favicon 404). Screenshots in
artifacts/browser/pictures-*.png.
"""

import importlib
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from alliances.models import Agreement, Country, ProvisionType
from tests.conftest import CHROMIUM, make_user

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the test's own ORM calls, as in test_browser

ARTIFACTS = Path(settings.BASE_DIR) / "artifacts" / "browser"
PASSWORD = "pw-For-tests-1"

pytestmark = [
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is missing: apt-get install chromium"
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}}


def seed_migrations_data() -> None:
    """The provision types and groups the migrations create. After another browser test in the
    same session, serialized_rollback has not brought them back (with Playwright's event loop
    running in this thread, Django's connection here lacks the serialized test data): run the
    migrations' own functions again, on the migrations' models."""
    apps = MigrationLoader(connection).project_state().apps
    importlib.import_module("alliances.migrations.0002_provision_types").seed(apps, None)
    importlib.import_module("alliances.migrations.0003_groups").create_groups(apps, None)


@pytest.fixture
def signed_in(page, live_server):
    """The curated register, and an editor signed in to its admin."""
    if not ProvisionType.objects.exists():
        seed_migrations_data()
    call_command("load_curated", verbosity=0)
    make_user("editor", "editors", password=PASSWORD)
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    return page


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"pictures-{name}.png"), full_page=True)


def visible_midpoint(page, selector: str) -> dict:
    """The middle of the coloured line inside `selector`, in the viewport's pixels."""
    return page.eval_on_selector(selector, """(edge) => {
        const line = edge.querySelector("line:last-of-type");
        line.scrollIntoView({block: "center"});
        const point = line.ownerSVGElement.createSVGPoint();
        point.x = (line.x1.baseVal.value + line.x2.baseVal.value) / 2;
        point.y = (line.y1.baseVal.value + line.y2.baseVal.value) / 2;
        const screen = point.matrixTransform(line.getScreenCTM());
        return {x: screen.x, y: screen.y};
    }""")


def test_each_line_between_azerbaijan_and_uzbekistan_opens_its_own_agreement(signed_in, live_server):
    page, base = signed_in, live_server.url
    network = f"{base}/admin/network/?as_of=2025-12-31"
    page.goto(network)
    edges = page.locator("svg.alliance-network a.edge[data-countries='AZE UZB']")
    agreements = [edges.nth(i).get_attribute("data-agreement") for i in range(edges.count())]
    assert len(agreements) == len(set(agreements)) == 4
    shot(page, "network")
    for agreement in agreements:
        point = visible_midpoint(page, f"svg.alliance-network a.edge[data-agreement='{agreement}']"
                                       "[data-countries='AZE UZB']")
        with page.expect_navigation():
            page.mouse.click(point["x"], point["y"])
        assert page.url == f"{base}/admin/alliances/agreement/{agreement}/change/"
        page.goto(network)


def test_uzbekistans_timeline_lists_its_own_acts(signed_in, live_server):
    page = signed_in
    uzbekistan = Country.objects.get(iso3="UZB")
    page.goto(f"{live_server.url}/admin/network/?as_of=2025-12-31")
    page.click("svg.alliance-network a.node[data-iso3='UZB']")
    page.wait_for_url(f"{live_server.url}/admin/alliances/country/{uzbekistan.pk}/timeline/")
    timeline = page.inner_text(".timeline")
    assert "Shusha Declaration signed" not in timeline
    assert timeline.count("Accession: Shusha Declaration") == 1
    assert "(agreement signed 2021-06-15, in force 2022-02)" in timeline
    shot(page, "uzbekistan-timeline")


def test_no_page_logs_a_missing_file(signed_in, live_server):
    page, base = signed_in, live_server.url
    errors, icons = [], []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.context.on("response", lambda response: response.status >= 400 and errors.append(response.url))
    page.context.on("response", lambda response: "favicon" in response.url and icons.append(response.status))
    shusha = Agreement.objects.get(short_name="Shusha Declaration")
    uzbekistan = Country.objects.get(iso3="UZB")
    for url in ("/admin/", f"/admin/alliances/agreement/{shusha.pk}/change/", "/api/v1/",
                "/admin/network/?as_of=2025-12-31", f"/admin/alliances/country/{uzbekistan.pk}/timeline/"):
        page.goto(f"{base}{url}", wait_until="networkidle")
    assert errors == []
    assert icons and set(icons) <= {200, 304}
