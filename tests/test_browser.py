"""The editor's day in a real browser (Playwright driving Debian's Chromium against the live server).

An editor creates an agreement with two parties and a clause in one form, cites a passage by
selecting it with the mouse on the Source page, tries a quote that is not in the source, and sends
the agreement for review; a reviewer publishes it from the review queue; the anonymous API then
shows it with its citation; the network page shows its countries. Each step leaves a screenshot in
artifacts/browser/.

Playwright never downloads a browser here: it launches /usr/bin/chromium (.ci/run installs it),
and the module is skipped when that is missing.
"""

import json
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from alliances.models import Agreement, Party
from sources.models import Citation
from tests.conftest import CHROMIUM, make_country, make_source, make_user

# Playwright's sync API runs an event loop in this thread; the ORM calls of the test itself
# (setting up data, checking it) are still plain synchronous ones.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(settings.BASE_DIR) / "artifacts" / "browser"
PASSWORD = "pw-For-tests-1"

pytestmark = [
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is missing: apt-get install chromium"
    ),
    # The live server runs in another thread: it must see committed data (and, on SQLite, the
    # shared in-memory test database). Serialized rollback restores the migrations' groups and
    # provision types for the tests that run after this one.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Flags on the Chromium flag: two emoji (4 code points, 8 UTF-16 units) before the passages, so
# the offsets the page computes are checked to be the server's code points.
SOURCE_TEXT = (
    "🇦🇿🇹🇷 Shusha, June 15, 2021. The presidents of Azerbaijan and Türkiye signed the Shusha "
    "Declaration on Allied Relations. The parties pledge “mutual assistance” if either is attacked "
    "by a third state, and will hold joint exercises."
)
PASSAGE = "signed the Shusha Declaration on Allied Relations"


@pytest.fixture
def shots():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    count = iter(range(1, 100))

    def shot(page, name: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"{next(count):02d}-{name}.png"), full_page=True)

    return shot


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")


def log_out(page) -> None:
    page.click("#logout-form button")
    page.wait_for_selector("text=Logged out")


def autocomplete(page, select_id: str, term: str, choice: str) -> None:
    """Pick `choice` in the admin's select2 autocomplete of the <select id=select_id>."""
    page.click(f"#{select_id} + .select2 .select2-selection")
    page.fill(".select2-container--open .select2-search__field", term)
    page.click(f".select2-container--open .select2-results__option:has-text('{choice}')")


def select_with_mouse(page, text: str) -> None:
    """Drag the mouse over `text` in the Source page's text block, as an editor would."""
    box = page.evaluate(
        """(text) => {
            const root = document.querySelector(".source-text");
            const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const at = node.data.indexOf(text);
                if (at < 0) continue;
                node.parentElement.scrollIntoView({block: "center"});
                const range = document.createRange();
                range.setStart(node, at);
                range.setEnd(node, at + 1);
                const first = range.getBoundingClientRect();
                range.setStart(node, at + text.length - 1);
                range.setEnd(node, at + text.length);
                const last = range.getBoundingClientRect();
                return {x1: first.left + 1, y1: first.top + first.height / 2,
                        x2: last.right - 1, y2: last.top + last.height / 2};
            }
            return null;
        }""",
        text,
    )
    assert box, f"{text!r} is not in one text node of the page"
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move(box["x2"], box["y2"], steps=8)
    page.mouse.up()


def test_the_editors_day(page, live_server, shots):
    base = live_server.url
    make_user("editor", "editors", password=PASSWORD)
    make_user("reviewer", "reviewers", password=PASSWORD)
    make_country("AZE", name="Azerbaijan")
    make_country("TUR", name="Türkiye", aliases=["Turkey"])
    source = make_source(title="Azertac: Shusha Declaration signed", text=SOURCE_TEXT)
    page.set_default_timeout(15_000)
    script_errors = []
    page.on("pageerror", lambda error: script_errors.append(error))

    # The editor logs in.
    log_in(page, base, "editor")
    assert page.locator("#curation-tools").is_visible()
    shots(page, "editor-index")

    # One form: the agreement, two parties with their actions and dates, a clause.
    page.goto(f"{base}/admin/alliances/agreement/add/")
    page.fill("#id_title", "Shusha Declaration on Allied Relations")
    page.select_option("#id_kind", "declaration")
    page.select_option("#id_legal_status", "signed")
    page.fill("#id_signed_on", "June 2021")  # not a date the form can read: the error comes next to it
    page.fill("#id_signed_at", "Shusha")
    for i, name in enumerate(("Azerbaijan", "Türkiye")):
        page.click("#parties-group .add-row a")
        autocomplete(page, f"id_parties-{i}-country", name[:4], name)
        page.select_option(f"#id_parties-{i}-action", "signature")
        page.fill(f"#id_parties-{i}-date", "2021-06-15")
    page.click("#clauses-group .add-row a")
    page.fill("#id_clauses-0-label", "Article 1")
    page.fill("#id_clauses-0-text", "Mutual assistance if either party is attacked by a third state.")
    autocomplete(page, "id_clauses-0-provision_types", "Defen", "Defense")
    page.select_option("#id_status", "review")
    page.click("input[name=_continue]")
    error = page.locator(".field-signed_on .errorlist")
    assert "June 2021 is not a partial date" in error.inner_text()
    assert not Agreement.objects.exists()
    shots(page, "agreement-date-error")

    page.fill("#id_signed_on", "2021-06-15")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    agreement = Agreement.objects.get()
    assert re.search(rf"/admin/alliances/agreement/{agreement.pk}/change/", page.url)
    assert (agreement.status, agreement.signed_on_precision) == ("review", "day")
    assert sorted(Party.objects.filter(agreement=agreement).values_list("country__iso3", flat=True)) == [
        "AZE", "TUR",
    ]
    assert [clause.provision_types.get().slug for clause in agreement.clauses.all()] == ["defense"]
    shots(page, "agreement-saved")

    # Cite a passage by selecting it on the Source page.
    page.goto(f"{base}/admin/sources/source/{source.pk}/change/")
    select_with_mouse(page, PASSAGE)
    expect(page.locator("#cite-quote")).to_have_value(PASSAGE)
    start = SOURCE_TEXT.index(PASSAGE)
    expect(page.locator("#cite-offsets")).to_have_text(
        f"Characters {start}–{start + len(PASSAGE)} of the stored text."
    )
    page.fill("#cite-record-search", "Shusha")
    page.click(f".cite-result:has-text('agreement #{agreement.pk}:')")
    page.select_option("#cite-field", "signed_on")
    shots(page, "cite-selection")
    page.click("#cite-save")
    page.wait_for_selector("#cite-message.success")
    assert page.locator(".source-text mark.cited").inner_text() == PASSAGE
    citation = Citation.objects.get()
    assert (citation.record, citation.field, citation.verified) == (agreement, "signed_on", True)
    assert (citation.start, citation.end) == (start, start + len(PASSAGE))
    shots(page, "cite-highlighted")

    # A quote that is not in the source is refused, with the source named.
    page.fill("#cite-quote", "eternal and unbreakable friendship")
    page.click("#cite-save")
    page.wait_for_selector("#cite-errors-quote li")
    assert page.inner_text("#cite-errors-quote") == (
        f'quote not found: "eternal and unbreakable friendship" in source #{source.pk} "{source.title}".'
    )
    assert Citation.objects.count() == 1
    shots(page, "cite-refused")
    log_out(page)

    # The reviewer publishes it from the review queue.
    log_in(page, base, "reviewer")
    page.click("#curation-tools a:has-text('Review queue')")
    item = page.locator(f"[data-record='agreement-{agreement.pk}']")
    assert PASSAGE in item.locator(".review-citations").inner_text()
    item.locator("textarea[name=comment]").fill("Checked against Azertac.")
    shots(page, "review-queue")
    item.locator("button[value=publish]").click()
    page.wait_for_selector(".messagelist .success")
    agreement.refresh_from_db()
    assert agreement.status == "published"
    assert agreement.history.first().history_change_reason == "Checked against Azertac."
    shots(page, "review-published")

    # The anonymous API now shows it, with its citation.
    anonymous = page.context.browser.new_context()
    try:
        reader = anonymous.new_page()
        url = f"{base}/api/v1/agreements/{agreement.pk}/"
        response = reader.goto(url + "?format=json")
        assert response.status == 200
        record = json.loads(response.text())
        assert record["title"] == "Shusha Declaration on Allied Relations"
        cited = [(each["quote"], each["start"], each["verified"]) for each in record["citations"]]
        assert cited == [(PASSAGE, start, True)]
        reader.goto(url)
        shots(reader, "api-agreement")
    finally:
        anonymous.close()

    # The network on a day after the signature shows both countries and the agreement's line.
    page.goto(f"{base}/admin/network/")
    page.fill("#id_as_of", "2021-07-01")
    page.click(".network-form button[type=submit]")
    page.wait_for_selector("svg.alliance-network")
    nodes = page.locator("svg.alliance-network a.node")
    assert sorted(nodes.evaluate_all("nodes => nodes.map(node => node.dataset.iso3)")) == ["AZE", "TUR"]
    assert page.locator(f"svg.alliance-network a.edge[data-agreement='{agreement.pk}']").count() == 1
    shots(page, "network")
    page.click("svg.alliance-network a.node[data-iso3='TUR']")
    page.wait_for_selector(".timeline")
    assert "Signature: Shusha Declaration on Allied Relations" in page.inner_text(".timeline")
    shots(page, "country-timeline")
    assert script_errors == []
