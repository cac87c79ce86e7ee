"""The curators' note on a record, and reasons for a change as long as a reviewer needs: edited in
the admin, shown in the review queue and the changelist, kept in history, served by the API.
(Loading notes from the data file: tests/test_curated.py; exporting them: tests/test_exports_*.)"""

import csv
import io

import pytest
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils.html import escape

from alliances.admin.forms import CuratedForm
from alliances.admin.review import DecisionForm
from tests.conftest import cite, make_country, make_membership, make_organisation, publish
from tests.test_publishing import page_data

pytestmark = pytest.mark.django_db

API = "/api/v1"
HELD = "Held for review: the only passage has the state “attend” a summit, which states no membership."
# A reviewer's reasoning, well past simple-history's default of 100 characters, with line breaks.
LONG_COMMENT = "\n".join(f"Point {i}: the passage implies the membership but does not state it."
                         for i in range(30))


def membership(**fields):
    organisation = make_organisation(name="Economic Cooperation Organization", acronym="ECO",
                                     status="published")
    return make_membership(organisation=organisation, country=make_country("UZB"), **fields)


def change_url(record):
    return reverse(f"admin:alliances_{record._meta.model_name}_change", args=[record.pk])


def test_the_note_is_edited_on_the_record_page_and_kept_in_history(client, editor):
    client.force_login(editor)
    record = membership(note=HELD)
    page = client.get(change_url(record))
    assert escape(HELD) in page.content.decode()
    assert 'name="note"' in page.content.decode()
    reason = "x" * 2000
    changes = {"note": "Held for review until a source states the membership.", "change_reason": reason}
    response = client.post(change_url(record), page_data(page) | changes)
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.note == changes["note"]
    latest = record.history.first()
    assert (latest.note, latest.history_change_reason) == (changes["note"], reason)
    assert latest.prev_record.note == HELD
    assert "note" in [change.field for change in latest.diff_against(latest.prev_record).changes]


def test_the_reason_for_a_change_is_a_textarea_without_a_limit():
    for field in (CuratedForm.base_fields["change_reason"], DecisionForm.base_fields["comment"]):
        assert field.max_length is None and isinstance(field.widget, forms.Textarea)


def test_the_changelist_marks_a_note_with_the_whole_of_it_on_hover(client, editor):
    client.force_login(editor)
    membership(note=HELD)
    page = client.get(reverse("admin:alliances_membership_changelist")).content.decode()
    assert f'title="{escape(HELD)}"' in page


def test_the_review_queue_shows_the_note(client, reviewer):
    client.force_login(reviewer)
    membership(note=HELD, status="review")
    page = client.get(reverse("alliances_admin:review-queue")).content.decode()
    assert "Curators' note" in page and escape(HELD) in page


def test_a_long_review_comment_is_kept_whole(client, reviewer):
    client.force_login(reviewer)
    record = membership(status="review")
    cite(record)
    data = {"content_type": ContentType.objects.get_for_model(record).pk, "object_id": record.pk,
            "decision": "draft", "comment": LONG_COMMENT}
    assert len(LONG_COMMENT) >= 2000
    client.post(reverse("alliances_admin:review-queue"), data)
    record.refresh_from_db()
    assert record.status == "draft"
    assert record.history.first().history_change_reason == LONG_COMMENT
    history = client.get(reverse("admin:alliances_membership_history", args=[record.pk])).content.decode()
    assert "Point 29: the passage implies the membership" in history


def test_the_queue_shows_the_last_reason_whole_with_its_line_breaks(client, reviewer):
    client.force_login(reviewer)
    record = membership()
    record.status, record._change_reason = "review", LONG_COMMENT
    record.save()
    page = client.get(reverse("alliances_admin:review-queue")).content.decode()
    assert escape(LONG_COMMENT).replace("\n", "<br>") in page


def test_the_api_serves_the_note_and_describes_it(anon):
    record = publish(membership(note=HELD))
    detail = anon.get(f"{API}/memberships/{record.pk}/").json()
    assert detail["note"] == HELD
    schema = anon.get(f"{API}/schema/", {"format": "json"}).json()
    note = schema["components"]["schemas"]["Membership"]["properties"]["note"]
    assert note["type"] == "string" and "curators' note" in note["description"]
    table = anon.get(f"{API}/memberships/", {"format": "csv"})
    [row] = csv.DictReader(io.StringIO(b"".join(table.streaming_content).decode("utf-8")))
    assert row["note"] == HELD
