"""Pending changes: an editor's edit of a published record waits for a reviewer, in the admin and
the API; and source snapshots that published records cite are immutable."""

import pytest
from django.urls import reverse

from alliances.models import Agreement, ProposedChange
from sources.models import Citation, Source
from tests.conftest import cite, make_agreement, make_source, publish, token_client
from tests.test_publishing import page_data

pytestmark = pytest.mark.django_db

API = "/api/v1"
QUEUE = "alliances_admin:review-queue"


@pytest.fixture
def as_editor(editor):
    return token_client(editor)


@pytest.fixture
def as_reviewer(reviewer):
    return token_client(reviewer)


def public_summary(anon, agreement) -> str:
    return anon.get(f"{API}/agreements/{agreement.pk}/").json()["summary"]


def propose_in_the_admin(client, agreement, **changes):
    url = reverse("admin:alliances_agreement_change", args=[agreement.pk])
    return client.post(url, page_data(client.get(url)) | changes)


# --- the admin ---------------------------------------------------------------------------------


def test_an_editors_edit_of_a_published_record_waits_and_a_reviewer_accepts(client, anon, editor, reviewer):
    agreement = publish(make_agreement(summary="A declaration."))
    client.force_login(editor)
    response = propose_in_the_admin(client, agreement, summary="A pledge of mutual assistance.",
                                    change_reason="The text says so")
    assert response.status_code == 302
    assert public_summary(anon, agreement) == "A declaration."
    change = ProposedChange.objects.get()
    page = client.get(reverse("admin:alliances_agreement_change", args=[agreement.pk])).content.decode()
    assert "1 proposed change to this agreement awaits review" in page
    assert (change.status, change.data, change.author, change.reason) == (
        "pending", {"summary": "A pledge of mutual assistance."}, editor, "The text says so",
    )

    client.force_login(reviewer)
    page = client.get(reverse(QUEUE)).content.decode()
    assert f'id="proposal-{change.pk}"' in page
    assert "A declaration." in page and "A pledge of mutual assistance." in page

    response = client.post(reverse(QUEUE), {"proposal": change.pk, "decision": "accept",
                                            "comment": "Checked"}, follow=True)
    assert f"Accepted change #{change.pk}" in response.content.decode()
    assert public_summary(anon, agreement) == "A pledge of mutual assistance."
    latest = agreement.history.first()
    assert latest.history_user == reviewer
    assert latest.history_change_reason == f"Accepted change #{change.pk} proposed by editor: Checked"
    change.refresh_from_db()
    assert (change.status, change.decided_by) == ("accepted", reviewer)


def test_a_reviewer_rejects_with_a_comment(client, anon, editor, reviewer):
    agreement = publish(make_agreement(summary="A declaration."))
    client.force_login(editor)
    propose_in_the_admin(client, agreement, summary="Wrong.", legal_status="in_force")
    change = ProposedChange.objects.get()
    assert set(change.data) == {"summary", "legal_status"}

    client.force_login(reviewer)
    comment = " ".join(["Nothing in the sources says it entered into force."] * 5)  # over 100
    client.post(reverse(QUEUE), {"proposal": change.pk, "decision": "reject", "comment": comment})
    change.refresh_from_db()
    assert (change.status, change.comment, change.decided_by) == ("rejected", comment, reviewer)
    agreement.refresh_from_db()
    assert (agreement.summary, agreement.legal_status) == ("A declaration.", "signed")
    assert f'id="proposal-{change.pk}"' not in client.get(reverse(QUEUE)).content.decode()


def test_an_editor_may_not_decide(client, editor):
    agreement = publish(make_agreement())
    client.force_login(editor)
    propose_in_the_admin(client, agreement, summary="New.")
    change = ProposedChange.objects.get()
    assert "Only reviewers may accept" in client.get(reverse(QUEUE)).content.decode()
    response = client.post(reverse(QUEUE), {"proposal": change.pk, "decision": "accept"}, follow=True)
    assert "Only reviewers may accept or reject" in response.content.decode()
    assert ProposedChange.objects.get().status == "pending"


def test_drafts_and_reviewers_edits_apply_at_once(client, editor, reviewer):
    draft = make_agreement()
    client.force_login(editor)
    assert propose_in_the_admin(client, draft, summary="Draft text.").status_code == 302
    draft.refresh_from_db()
    assert draft.summary == "Draft text."

    published = publish(make_agreement())
    client.force_login(reviewer)
    propose_in_the_admin(client, published, summary="Reviewed text.")
    published.refresh_from_db()
    assert published.summary == "Reviewed text."
    assert not ProposedChange.objects.exists()


def test_an_accepted_change_goes_through_the_models_validation(client, reviewer, editor):
    agreement = publish(make_agreement(signed_on="2021-06-15"))
    client.force_login(editor)
    propose_in_the_admin(client, agreement, in_force_on="2022")
    change = ProposedChange.objects.get()
    # Meanwhile a reviewer moves the signature after the proposed entry into force.
    agreement.signed_on, agreement.signed_on_precision = agreement.signed_on.replace(year=2023), "day"
    agreement.full_clean()
    agreement.save()
    client.force_login(reviewer)
    response = client.post(reverse(QUEUE), {"proposal": change.pk, "decision": "accept"}, follow=True)
    assert f"Change #{change.pk} not applied" in response.content.decode()
    assert ProposedChange.objects.get().status == "pending"
    agreement.refresh_from_db()
    assert agreement.in_force_on is None


# --- the API -----------------------------------------------------------------------------------


def test_the_api_answers_202_and_keeps_the_public_version(anon, editor, reviewer, as_editor, as_reviewer):
    agreement = publish(make_agreement(summary="A declaration."))
    before = anon.get(f"{API}/agreements/{agreement.pk}/")
    response = as_editor.patch(f"{API}/agreements/{agreement.pk}/", {"summary": "Changed."})
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "pending" and "awaits a reviewer" in body["detail"]
    assert response["Location"] == body["pending_change"]
    after = anon.get(f"{API}/agreements/{agreement.pk}/")
    assert (after.json(), after["ETag"]) == (before.json(), before["ETag"])

    seen = as_editor.get(body["pending_change"]).json()
    assert (seen["record_type"], seen["record_id"], seen["data"]) == ("agreement", agreement.pk,
                                                                       {"summary": "Changed."})
    assert anon.get(body["pending_change"]).status_code in (401, 403)
    assert as_editor.post(body["pending_change"] + "accept/").status_code == 403

    decided = as_reviewer.post(body["pending_change"] + "accept/", {"comment": "Fine"})
    assert (decided.status_code, decided.json()["status"]) == (200, "accepted")
    assert public_summary(anon, agreement) == "Changed."
    again = as_reviewer.post(body["pending_change"] + "reject/")
    assert again.status_code == 400 and "already accepted" in str(again.json())


def test_the_api_validates_a_proposal_as_a_write(editor, as_editor):
    agreement = publish(make_agreement(signed_on="2021-06-15"))
    response = as_editor.patch(f"{API}/agreements/{agreement.pk}/", {"ends_on": "2020"})
    assert response.status_code == 400 and "ends_on" in response.json()
    assert not ProposedChange.objects.exists()


def test_the_api_rejects_and_lists(anon, editor, reviewer, as_editor, as_reviewer):
    agreement = publish(make_agreement(summary="Kept."))
    url = as_editor.put(f"{API}/agreements/{agreement.pk}/", {
        "title": agreement.title, "kind": "treaty", "legal_status": "signed", "status": "published",
        "summary": "Kept.",
    }).json()["pending_change"]
    listed = as_reviewer.get(f"{API}/pending-changes/").json()["results"]
    assert [(item["url"], item["data"]) for item in listed] == [(url, {"kind": "treaty"})]
    assert as_reviewer.post(url + "reject/", {"comment": "A declaration."}).status_code == 200
    assert anon.get(f"{API}/agreements/{agreement.pk}/").json()["kind"] == "declaration"
    assert ProposedChange.objects.get().comment == "A declaration."


# --- source snapshots --------------------------------------------------------------------------

TEXT = "They signed the Shusha Declaration. It pledges mutual assistance."


def test_the_text_of_a_snapshot_that_published_records_cite_is_not_replaced(client, editor, as_editor):
    source = make_source(text=TEXT)
    agreement = publish(make_agreement(title="Shusha Declaration"), source)
    client.force_login(editor)
    url = reverse("admin:sources_source_change", args=[source.pk])
    response = client.post(url, page_data(client.get(url)) | {"text": "It pledges mutual assistance."})
    assert response.status_code == 200
    assert "cannot be replaced" in " ".join(response.context["adminform"].form.errors["text"])
    assert "Shusha Declaration" in " ".join(response.context["adminform"].form.errors["text"])

    api = as_editor.patch(f"{API}/sources/{source.pk}/", {"text": "Other text."})
    assert api.status_code == 400 and "new snapshot" in str(api.json()["text"])
    source.refresh_from_db()
    assert source.text == TEXT
    assert Citation.objects.for_record(agreement).get().verified
    # Its description may still be corrected.
    assert as_editor.patch(f"{API}/sources/{source.pk}/", {"publisher": "X"}).status_code == 200


def test_the_text_of_a_snapshot_only_drafts_cite_may_be_replaced(editor, as_editor):
    source = make_source(text=TEXT)
    cite(make_agreement(), source)
    response = as_editor.patch(f"{API}/sources/{source.pk}/", {"text": "Shusha Declaration."})
    assert response.status_code == 200


def test_a_new_snapshot_in_the_admin_shows_who_loses_support_then_moves_what_reanchors(client, editor):
    source = make_source(text=TEXT)
    kept = publish(make_agreement(title="Kept"), source, "mutual assistance")
    lost = publish(make_agreement(title="Lost"), source, "Shusha Declaration")
    client.force_login(editor)
    url = reverse("admin:sources_source_snapshot", args=[source.pk])
    corrected = "It pledges mutual assistance, they said."
    preview = client.post(url, {"text": corrected, "preview": "1"}).content.decode()
    assert "Published records that would lose support" in preview
    losing = preview.split('id="losing-support"')[1].split("</ul>")[0]
    assert "Lost" in losing and "Kept" not in losing
    assert Source.objects.count() == 1

    response = client.post(url, {"text": corrected, "confirm": "1"})
    new = Source.objects.exclude(pk=source.pk).get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{new.pk}/change/")
    assert (new.title, new.text) == (source.title, corrected)
    moved = Citation.objects.for_record(kept).get()
    assert (moved.source, moved.verified) == (new, True)
    assert corrected[moved.start:moved.end] == "mutual assistance"
    stayed = Citation.objects.for_record(lost).get()
    assert (stayed.source, stayed.verified) == (source, True)
    source.refresh_from_db()
    assert source.text == TEXT


def test_a_new_snapshot_through_the_api(editor, anon, as_editor):
    source = make_source(text=TEXT)
    lost = publish(make_agreement(title="Lost"), source, "Shusha Declaration")
    url = f"{API}/sources/{source.pk}/snapshot/"
    assert anon.post(url, {"text": "x"}).status_code in (401, 403)
    dry = as_editor.post(url, {"text": "Nothing of the kind."})
    assert dry.status_code == 200
    assert dry.json()["snapshot"] is None
    losing = [{"record_type": "agreement", "record_id": lost.pk, "label": "Lost"}]
    assert dry.json()["losing_support"] == losing
    done = as_editor.post(url, {"text": "They signed the Shusha Declaration.", "confirm": True})
    assert done.status_code == 201
    new = Source.objects.get(pk=done.json()["snapshot"]["id"])
    assert Citation.objects.for_record(lost).get().source == new
    assert done.json()["losing_support"] == []
    duplicate = as_editor.post(url, {"text": TEXT, "confirm": True})
    assert duplicate.status_code == 400
    assert Agreement.objects.get().status == "published"
