"""A pending change in a real browser: an editor edits a published agreement, the public API keeps
the published version, a reviewer sees the diff in the review queue and accepts it; then the
public sees the change. Screenshots in artifacts/browser/pending/. Fixtures and flags as in
tests/test_browser.py."""

import os

import pytest
from django.conf import settings
from playwright.sync_api import expect

from alliances.models import ProposedChange
from tests.conftest import make_agreement, make_source, make_user, publish
from tests.test_browser import CHROMIUM, PASSWORD, log_in, log_out

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
ARTIFACTS = settings.BASE_DIR / "artifacts" / "browser" / "pending"

pytestmark = [
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is missing"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def shots():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    count = iter(range(1, 100))

    def shot(page, name: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"{next(count):02d}-{name}.png"), full_page=True)

    return shot


def public_summary(page, base: str, pk: int) -> str:
    return page.request.get(f"{base}/api/v1/agreements/{pk}/").json()["summary"]


def test_an_editors_change_waits_for_the_reviewer(page, live_server, shots):
    base = live_server.url
    make_user("editor", "editors", password=PASSWORD)
    make_user("reviewer", "reviewers", password=PASSWORD)
    source = make_source(text="The Shusha Declaration pledges mutual assistance.")
    agreement = publish(make_agreement(title="Shusha Declaration", summary="A declaration."), source)

    log_in(page, base, "editor")
    page.goto(f"{base}/admin/alliances/agreement/{agreement.pk}/change/")
    page.fill("#id_summary", "A pledge of mutual assistance.")
    page.fill("#id_change_reason", "The declaration's wording")
    shots(page, "editor-edits-published")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("awaits review")
    shots(page, "editor-sees-pending")
    log_out(page)
    assert public_summary(page, base, agreement.pk) == "A declaration."

    log_in(page, base, "reviewer")
    page.goto(f"{base}/admin/review/")
    change = ProposedChange.objects.get()
    item = page.locator(f"#proposal-{change.pk}")
    expect(item.locator("td.old")).to_have_text("A declaration.")
    expect(item.locator("td.new")).to_have_text("A pledge of mutual assistance.")
    item.locator("textarea[name=comment]").fill("Matches the source")
    shots(page, "reviewer-sees-diff")
    item.locator("button[value=accept]").click()
    expect(page.locator(".messagelist")).to_contain_text(f"Accepted change #{change.pk}")
    shots(page, "reviewer-accepted")
    assert public_summary(page, base, agreement.pk) == "A pledge of mutual assistance."
