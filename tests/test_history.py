"""Edit history through the admin: who changed what, and nothing lost on delete."""

import pytest
from django.urls import reverse

from alliances.models import Agreement, Clause, Country, Party
from sources.models import Citation
from tests.conftest import cite, make_agreement, make_clause, make_country, make_party, make_source
from tests.test_publishing import add_agreement, agreement_form, page_data, with_citations

pytestmark = pytest.mark.django_db


def test_change_through_the_admin_records_the_editor(client, editor):
    client.force_login(editor)
    agreement = make_agreement(title="Shusha Declaration")
    url = reverse("admin:alliances_agreement_change", args=[agreement.pk])
    changes = {"short_name": "Shusha", "aliases": "Şuşa Bəyannaməsi", "change_reason": "Azertac names it"}
    response = client.post(url, page_data(client.get(url)) | changes)
    assert response.status_code == 302
    latest = agreement.history.first()
    assert (latest.history_user, latest.history_type) == (editor, "~")
    assert latest.history_change_reason == "Azertac names it"
    assert (latest.short_name, latest.aliases) == ("Shusha", ["Şuşa Bəyannaməsi"])
    assert latest.prev_record.short_name == ""
    assert "short_name" in [change.field for change in latest.diff_against(latest.prev_record).changes]
    page = client.get(reverse("admin:alliances_agreement_history", args=[agreement.pk])).content.decode()
    assert "editor" in page and "Azertac names it" in page


def test_record_added_with_citations_records_the_user_on_both(client, editor):
    client.force_login(editor)
    response = add_agreement(client, with_citations(agreement_form(status="review"), {
        "source": make_source().pk, "quote": "Shusha Declaration",
    }))
    assert response.status_code == 302
    agreement = Agreement.objects.get()
    assert agreement.history.get().history_user == editor
    assert Citation.history.get().history_user == editor


def test_delete_through_the_admin_keeps_the_history(client, reviewer):
    client.force_login(reviewer)
    agreement = make_agreement(title="Shusha Declaration")
    party = make_party(agreement=agreement, country=make_country())
    clause = make_clause(agreement=agreement)
    citation = cite(agreement)
    url = reverse("admin:alliances_agreement_delete", args=[agreement.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Agreement.objects.exists()
    for model, pk in ((Agreement, agreement.pk), (Party, party.pk), (Clause, clause.pk),
                      (Citation, citation.pk)):
        rows = model.history.filter(id=pk).order_by("history_date")
        assert [row.history_type for row in rows] == ["+", "-"], model
    deleted = Agreement.history.filter(id=agreement.pk).latest("history_date")
    assert (deleted.title, deleted.history_user) == ("Shusha Declaration", reviewer)
    # The history page of the deleted record still answers, from its historical rows.
    history = client.get(reverse("admin:alliances_agreement_history", args=[agreement.pk]))
    assert history.status_code == 200


def test_editors_cannot_delete(client, editor):
    client.force_login(editor)
    country = make_country()
    response = client.post(reverse("admin:alliances_country_delete", args=[country.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Country.objects.filter(pk=country.pk).exists()


def test_publish_action_records_the_reviewer_and_a_reason(client, reviewer):
    client.force_login(reviewer)
    agreement = make_agreement()
    cite(agreement)
    client.post(reverse("admin:alliances_agreement_changelist"), {
        "action": "publish_selected", "_selected_action": [agreement.pk],
    })
    latest = agreement.history.first()
    assert (latest.status, latest.history_user, latest.history_change_reason) == (
        "published", reviewer, "Published (list action)"
    )



def revert(client, record, version):
    url = reverse("admin:alliances_agreement_simple_history", args=[record.pk, version.history_id])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    return client.post(url, data)


def test_reverting_to_a_published_version_needs_the_permission_and_a_citation(client, editor, reviewer):
    agreement = make_agreement()
    citation = cite(agreement)
    agreement.status = "published"
    agreement.save()
    published = agreement.history.first()
    agreement.status = "retracted"
    agreement.save()

    client.force_login(editor)
    response = revert(client, agreement, published)
    assert "Only reviewers may publish" in response.context["adminform"].form.errors["status"][0]

    citation.delete()
    client.force_login(reviewer)
    response = revert(client, agreement, published)
    assert "cannot be published without" in response.context["adminform"].form.errors["status"][0]
    agreement.refresh_from_db()
    assert agreement.status == "retracted"

    cite(agreement)
    assert revert(client, agreement, published).status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == "published"
