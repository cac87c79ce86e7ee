"""The Shusha Declaration's admin page, edited and saved in Chromium with the curated data loaded:
an alias added and a clause's conditions changed in one save; nothing else changes (its citations'
anchors least of all, whose stored context holds line breaks a one-line input would drop)."""

from io import StringIO

from django.core.management import call_command
from django.urls import reverse

from alliances.models import Agreement
from sources.models import Citation
from tests.conftest import make_user
from tests.test_browser import PASSWORD, log_in
from tests.test_browser import pytestmark as browser_marks
from tests.test_curated import needs_seeds

pytestmark = [*browser_marks, needs_seeds]


def anchors() -> list[tuple]:
    columns = ("pk", "quote", "start", "end", "prefix", "suffix")
    return list(Citation.objects.order_by("pk").values_list(*columns))


def test_the_shusha_declaration_saves_with_its_inlines(page, live_server):
    call_command("load_curated", stdout=StringIO())
    # A reviewer: an editor's edit of a published record would wait for review (test_pending_changes).
    make_user("editor", "reviewers", password=PASSWORD)
    shusha = Agreement.objects.get(short_name="Shusha Declaration")
    before = anchors()
    log_in(page, live_server.url, "editor")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + reverse("admin:alliances_agreement_change", args=[shusha.pk]))
    page.fill("#id_aliases", "\n".join([*shusha.aliases, "Şuşa Bəyannaməsi"]))
    page.fill("#id_clauses-0-conditions", "if either party is threatened by a third state")
    clause = shusha.clauses.get(pk=page.input_value("#id_clauses-0-id"))
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    assert not page.locator(".errornote, .errorlist").count()
    shusha.refresh_from_db()
    clause.refresh_from_db()
    assert shusha.aliases[-1] == "Şuşa Bəyannaməsi"
    assert clause.conditions == "if either party is threatened by a third state"
    assert anchors() == before
