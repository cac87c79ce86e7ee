"""The editor's pages without a browser: citing a selection, partial dates typed as one value,
the review queue, the network picture (admin page and API image) and a country's timeline."""

import datetime
import json
import xml.etree.ElementTree as ET

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from alliances.models import Agreement, Membership, Party, ProvisionType
from alliances.network import network_on
from sources.forms import PartialDateField
from sources.models import Citation
from tests.conftest import (
    cite,
    make_agreement,
    make_clause,
    make_country,
    make_membership,
    make_organisation,
    make_party,
    make_source,
    publish,
)

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


# --- citing a selection on the Source page ---------------------------------------------------------


def cite_url(source):
    return reverse("admin:sources_source_cite", args=[source.pk])


def post_json(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def selection(source, quote, occurrence=0, **fields):
    start = -1
    for _ in range(occurrence + 1):
        start = source.text.index(quote, start + 1)
    return {"quote": quote, "start": start, "end": start + len(quote), **fields}


def test_selected_passage_becomes_a_verified_citation_at_its_offsets(client, editor):
    client.force_login(editor)
    source = make_source(text="The parties consult. Later the parties consult again, said Türkiye’s envoy.")
    agreement = make_agreement(title="Pact")
    chosen = selection(source, "parties consult", occurrence=1)  # the second one, by its offsets
    response = post_json(client, cite_url(source), {
        "content_type": ContentType.objects.get_for_model(Agreement).pk, "object_id": agreement.pk,
        "field": "title", **chosen,
    })
    assert response.status_code == 201, response.content
    citation = Citation.objects.get()
    assert (citation.record, citation.field, citation.match) == (agreement, "title", "exact")
    assert (citation.start, citation.end) == (chosen["start"], chosen["end"])
    body = response.json()
    assert body["citation"]["verified"] is True
    assert f'title="agreement #{agreement.pk}: Pact"' in body["html"]
    assert body["html"].count("<mark ") == 1


def test_every_occurrence_of_a_repeated_paragraph_is_cited_at_its_own_offsets(client, editor):
    client.force_login(editor)
    paragraph = "Ministers agreed on mutual military assistance against any aggression by a third state.\n"
    source = make_source(text="The council met.\n" + paragraph * 3)
    agreement = make_agreement()
    for occurrence in range(3):
        chosen = selection(source, "mutual military assistance", occurrence=occurrence)
        response = post_json(client, cite_url(source), {
            "content_type": ContentType.objects.get_for_model(Agreement).pk, "object_id": agreement.pk,
            **chosen,
        })
        assert response.status_code == 201, response.content
        citation = Citation.objects.latest("pk")
        assert (citation.start, citation.end) == (chosen["start"], chosen["end"])


def test_offsets_are_code_points_as_the_script_counts_them(client, editor):
    client.force_login(editor)
    source = make_source(text="😀 Emoji first, then the Shusha Declaration.")
    agreement = make_agreement()
    chosen = selection(source, "Shusha Declaration")
    assert chosen["start"] == 24  # one code point for the emoji (two UTF-16 units in the browser)
    response = post_json(client, cite_url(source), {
        "content_type": ContentType.objects.get_for_model(Agreement).pk, "object_id": agreement.pk, **chosen,
    })
    assert response.status_code == 201
    assert Citation.objects.get().start == 24


def test_quote_not_in_the_source_is_refused_with_its_name(client, editor):
    client.force_login(editor)
    source = make_source(title="Azertac")
    agreement = make_agreement()
    response = post_json(client, cite_url(source), {
        "content_type": ContentType.objects.get_for_model(Agreement).pk, "object_id": agreement.pk,
        "quote": "eternal friendship", "start": 0, "end": 18,
    })
    assert response.status_code == 400
    assert response.json()["errors"]["quote"] == [
        f'quote not found: "eternal friendship" in source #{source.pk} "Azertac".'
    ]
    assert not Citation.objects.exists()


def test_citing_refuses_unknown_records_fields_and_users_without_permission(client, editor, db):
    source, agreement = make_source(), make_agreement()
    agreement_type = ContentType.objects.get_for_model(Agreement).pk
    data = {"content_type": agreement_type, "object_id": agreement.pk, **selection(source, "Shusha")}
    client.force_login(editor)
    assert post_json(client, cite_url(source), data | {"object_id": 999999}).json()["errors"] == {
        "object_id": ["There is no agreement #999999."]
    }
    errors = post_json(client, cite_url(source), data | {"field": "colour"}).json()["errors"]
    assert errors == {"field": [
        "agreement has no citable field 'colour' (one of its own fields, or empty for the whole record)."
    ]}
    source_type = ContentType.objects.get_for_model(source).pk
    assert post_json(client, cite_url(source), data | {"content_type": source_type}).status_code == 400
    assert client.get(cite_url(source)).status_code == 405
    client.logout()
    assert post_json(client, cite_url(source), data).status_code == 302  # to the login page
    assert not Citation.objects.exists()


def test_records_are_found_by_title_alias_or_id(client, editor):
    client.force_login(editor)
    source = make_source()
    pact = make_agreement(title="Shusha Declaration on Allied Relations", aliases=["Şuşa Bəyannaməsi"])
    clause = make_clause(agreement=pact, label="Article 1")
    url = reverse("admin:sources_source_cite_records", args=[source.pk])
    found = client.get(url, {"term": "Şuşa"}).json()
    assert [(row["model"], row["object_id"]) for row in found["results"]] == [("agreement", pact.pk)]
    assert ["title", "title"] in found["fields"]["agreement"]
    names = [name for name, _ in found["fields"]["agreement"]]
    assert all(not name.endswith("_precision") and name != "status" for name in names)
    by_id = client.get(url, {"term": f"#{clause.pk}"}).json()["results"]
    assert ("clause", clause.pk) in [(row["model"], row["object_id"]) for row in by_id]


def test_source_page_carries_the_cite_panel_and_its_script(client, editor):
    client.force_login(editor)
    source = make_source()
    page = client.get(reverse("admin:sources_source_change", args=[source.pk])).content.decode()
    assert 'id="cite-panel"' in page
    assert f'data-cite-url="{cite_url(source)}"' in page
    assert "sources/cite-selection.js" in page


# --- partial dates as one value ----------------------------------------------------------------


@pytest.mark.parametrize(("typed", "expected"), [
    ("2021", (datetime.date(2021, 1, 1), "year")),
    ("2021-06", (datetime.date(2021, 6, 1), "month")),
    (" 2021-06-15 ", (datetime.date(2021, 6, 15), "day")),
    ("", None),
])
def test_partial_date_field_parses_every_precision(typed, expected):
    assert PartialDateField().clean(typed) == expected


@pytest.mark.parametrize("typed", ["June 2021", "2021-13", "2021-02-30", "21-06"])
def test_partial_date_field_refuses_what_it_cannot_read(typed):
    with pytest.raises(Exception) as error:
        PartialDateField().clean(typed)
    assert typed.strip() in " ".join(error.value.messages)


def agreement_post(**fields):
    data = {"title": "Pact", "kind": "treaty", "legal_status": "signed", "status": "draft"}
    for prefix in ("parties", "clauses", "sources-citation-content_type-object_id"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return data | fields


def test_agreement_dates_are_typed_at_their_precision(client, editor):
    client.force_login(editor)
    azerbaijan = make_country("AZE")
    data = agreement_post(signed_on="2021-06", in_force_on="2022", **{
        "parties-TOTAL_FORMS": "1", "parties-0-country": azerbaijan.pk, "parties-0-action": "signature",
        "parties-0-date": "2021-06-15", "parties-0-status": "draft",
    })
    response = client.post(reverse("admin:alliances_agreement_add"), data)
    assert response.status_code == 302, response.context["errors"]
    agreement = Agreement.objects.get()
    assert (agreement.signed_on, agreement.signed_on_precision) == (datetime.date(2021, 6, 1), "month")
    assert (agreement.in_force_on_precision, agreement.ends_on_precision) == ("year", "")
    party = Party.objects.get()
    assert (party.date, party.date_precision) == (datetime.date(2021, 6, 15), "day")
    page = client.get(reverse("admin:alliances_agreement_change", args=[agreement.pk]))
    form = page.context["adminform"].form
    assert form["signed_on"].value() == "2021-06"
    assert "signed_on_precision" not in form.fields


def test_date_errors_are_shown_next_to_their_field(client, editor):
    client.force_login(editor)
    url = reverse("admin:alliances_agreement_add")
    errors = client.post(url, agreement_post(signed_on="June 2021")).context["adminform"].form.errors
    assert list(errors) == ["signed_on"]
    assert "June 2021 is not a partial date" in errors["signed_on"][0]
    errors = client.post(url, agreement_post(signed_on="2021-06", ends_on="2021-05")).context[
        "adminform"].form.errors
    assert errors == {"ends_on": ["ends on cannot be before signed on."]}
    assert not Agreement.objects.exists()


# --- the review queue --------------------------------------------------------------------------------


QUEUE = "alliances_admin:review-queue"


def decision(record, choice, comment=""):
    return {"content_type": ContentType.objects.get_for_model(record).pk, "object_id": record.pk,
            "decision": choice, "comment": comment}


def test_queue_lists_records_awaiting_review_with_citations_and_changes(client, reviewer):
    client.force_login(reviewer)
    changed = publish(make_agreement(title="Old title"))
    changed.title, changed.status = "New title", "review"
    changed.save()
    fresh = make_agreement(title="Fresh", status="review")
    cite(fresh, make_source(title="Azertac"), quote="mutual assistance")
    make_agreement(title="Still a draft")
    response = client.get(reverse(QUEUE))
    page = response.content.decode()
    [group] = response.context["groups"]
    assert [item.record for item in group.items] == [changed, fresh]
    changes = {change.field: (change.old, change.new) for change in group.items[0].changes}
    assert changes == {"title": ("Old title", "New title"), "status": ("published", "awaiting review")}
    assert group.items[1].published is None and "Never published: a new record." in page
    assert "Still a draft" not in page
    assert "Azertac" in page and "<q>mutual assistance</q>" in page


def test_reviewer_publishes_from_the_queue_with_a_comment(client, reviewer):
    client.force_login(reviewer)
    agreement = make_agreement(status="review")
    cite(agreement)
    data = decision(agreement, "publish", "Checked against the text")
    response = client.post(reverse(QUEUE), data, follow=True)
    assert "Published: " in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.status == "published"
    latest = agreement.history.first()
    assert (latest.history_change_reason, latest.history_user) == ("Checked against the text", reviewer)


def test_publishing_rule_holds_in_the_queue(client, reviewer):
    client.force_login(reviewer)
    agreement = make_agreement(status="review")
    response = client.post(reverse(QUEUE), decision(agreement, "publish"), follow=True)
    assert "cannot be published without at least one verified citation" in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.status == "review"


def test_reviewer_sends_back_to_draft_with_the_reason_kept(client, reviewer):
    client.force_login(reviewer)
    agreement = make_agreement(status="review")
    client.post(reverse(QUEUE), decision(agreement, "draft", "Which article says so?"))
    agreement.refresh_from_db()
    assert agreement.status == "draft"
    assert agreement.history.first().history_change_reason == "Which article says so?"


def test_editors_see_the_queue_but_cannot_decide(client, editor):
    client.force_login(editor)
    agreement = make_agreement(status="review")
    cite(agreement)
    page = client.get(reverse(QUEUE)).content.decode()
    assert "Only reviewers may publish or send back." in page
    assert 'value="publish"' not in page
    assert client.post(reverse(QUEUE), decision(agreement, "publish")).status_code == 403
    agreement.refresh_from_db()
    assert agreement.status == "review"


def test_queue_makes_no_query_per_record(client, reviewer, django_assert_max_num_queries):
    client.force_login(reviewer)
    for i in range(12):
        record = publish(make_agreement(title=f"Pact {i}"))
        record.status = "review"
        record.save()
    with django_assert_max_num_queries(25):
        assert client.get(reverse(QUEUE)).status_code == 200


def test_queue_names_parties_and_clauses_without_a_query_each(client, reviewer):
    """A party's name reads its country and agreement, a clause's its agreement: the queue
    makes as many queries for 2 of them as for 10."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(reviewer)
    countries = [make_country(code) for code in ("AZE", "TUR", "UZB", "KAZ", "KGZ")]

    def add(n):
        for i in range(n):
            agreement = make_agreement(title=f"Pact {i} of {n}")
            make_party(agreement=agreement, country=countries[i % 5], date="2021", status="review")
            make_clause(agreement=agreement, status="review")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(QUEUE)).status_code == 200
        return len(captured)

    add(2)
    few = queries()
    add(8)
    assert queries() == few


# --- the network -------------------------------------------------------------------------------------


@pytest.fixture
def alliance(db):
    """AZE and TUR bound by a published defence pact from 2021; GEO signs in 2023 and withdraws
    in 2024; ARM only on a draft agreement."""
    aze, tur, geo, arm = (make_country(iso3) for iso3 in ("AZE", "TUR", "GEO", "ARM"))
    defense = ProvisionType.objects.get(slug="defense")
    pact = publish(make_agreement(title="Shusha Declaration", signed_on="2021-06-15"))
    economic = ProvisionType.objects.get(slug="economic")
    clause = make_clause(agreement=pact, provision_types=[defense, economic])
    publish(clause)
    for country, date in ((aze, "2021-06-15"), (tur, "2021-06-15"), (geo, "2023")):
        publish(make_party(agreement=pact, country=country, date=date))
    publish(make_party(agreement=pact, country=geo, action="withdrawal", date="2024-03"))
    draft = make_agreement(title="Draft <pact> & co")
    make_party(agreement=draft, country=arm, date="2020")
    make_party(agreement=draft, country=aze, date="2020")
    return pact, draft


def svg(client, **params):
    response = client.get(reverse("api:network-svg"), params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    return ET.fromstring(response.content)


def countries(root):
    return sorted(node.get("data-iso3") for node in root.iter(f"{SVG}a") if node.get("class") == "node")


def edges(root):
    return sorted(
        (edge.get("data-countries"), edge.get("data-agreement"))
        for edge in root.iter(f"{SVG}a") if edge.get("class") == "edge"
    )


def test_network_image_shows_who_is_bound_that_day(client, alliance):
    pact, _ = alliance
    assert countries(svg(client, as_of="2021-06-14")) == []
    root = svg(client, as_of="2022-01-01")
    assert countries(root) == ["AZE", "TUR"]
    assert edges(root) == [("AZE TUR", str(pact.pk))]
    assert countries(svg(client, as_of="2023-07-01")) == ["AZE", "GEO", "TUR"]
    assert len(edges(svg(client, as_of="2023-07-01"))) == 3
    assert countries(svg(client, as_of="2024-06-01")) == ["AZE", "TUR"]  # Georgia withdrew


def test_network_edges_take_the_strongest_provision_colour_and_link_the_api(client, alliance):
    pact, _ = alliance
    root = svg(client, as_of="2022-01-01")
    [edge] = [a for a in root.iter(f"{SVG}a") if a.get("class") == "edge"]
    assert edge.get("href") == f"http://testserver/api/v1/agreements/{pact.pk}/"
    assert [line.get("stroke") for line in edge.iter(f"{SVG}line")][-1] == "#c62828"  # defense
    assert edge.find(f"{SVG}title").text == "Azerbaijan – Türkiye: Shusha Declaration (Defense)"


def test_network_image_is_public_and_escapes_text(client, alliance, superuser):
    _, draft = alliance
    draft.title = "Draft <pact> & co"
    root_anonymous = svg(client, as_of="2021-01-01")
    assert countries(root_anonymous) == []  # the draft agreement is not public
    client.force_login(superuser)
    page = client.get(reverse("alliances_admin:network"), {"as_of": "2021-01-01"}).content.decode()
    assert "Draft &lt;pact&gt; &amp; co" in page and "<pact>" not in page
    assert 'data-iso3="ARM"' in page


def test_network_image_escapes_what_it_draws(client, db):
    tricky = 'Pact <script>alert("x")</script> & “friends”'
    pact = publish(make_agreement(title=tricky))
    for iso3 in ("AZE", "TUR"):
        publish(make_party(agreement=pact, country=make_country(iso3, name=f"{iso3} <b>&"), date="2020"))
    response = client.get(reverse("api:network-svg"), {"as_of": "2021-01-01"})
    assert b"<script>" not in response.content and b"<b>" not in response.content
    root = ET.fromstring(response.content)  # well-formed XML
    [edge] = [a for a in root.iter(f"{SVG}a") if a.get("class") == "edge"]
    assert edge.find(f"{SVG}title").text == f"AZE <b>& – TUR <b>&: {tricky} (no clause recorded)"
    assert {text.text for text in root.iter(f"{SVG}text")} >= {"AZE <b>&", "TUR <b>&"}


def test_citing_needs_the_csrf_token(editor, source_for_csrf):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    source, data = source_for_csrf
    assert post_json(client, cite_url(source), data).status_code == 403
    assert not Citation.objects.exists()


@pytest.fixture
def source_for_csrf(db):
    source, agreement = make_source(), make_agreement()
    data = {"content_type": ContentType.objects.get_for_model(Agreement).pk, "object_id": agreement.pk,
            **selection(source, "Shusha")}
    return source, data


def test_network_image_refuses_bad_parameters(client, db):
    url = reverse("api:network-svg")
    assert client.get(url, {"as_of": "2021-13-01"}).json() == {"as_of": ["Enter a valid date as YYYY-MM-DD."]}
    assert client.get(url, {"as_of": "20210101"}).status_code == 400
    assert list(client.get(url, {"asof": "2021-01-01"}).json()) == ["asof"]


def test_network_is_built_in_few_queries(alliance, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        network = network_on(datetime.date(2023, 7, 1))
    assert [node.iso3 for node in network.nodes] == ["AZE", "GEO", "TUR"]
    assert network.provisions == {"defense": "Defense"}


def test_network_page_links_countries_to_their_timeline(client, alliance, editor):
    client.force_login(editor)
    response = client.get(reverse("alliances_admin:network"), {"as_of": "2022-01-01"})
    page = response.content.decode()
    aze = response.context["network"].nodes[0]
    assert f'href="{reverse("admin:alliances_country_timeline", args=[aze.pk])}"' in page
    assert reverse("api:network-svg") + "?as_of=2022-01-01" in page


# --- a country's timeline ------------------------------------------------------------------------------


def test_country_timeline_lists_its_dated_records_in_order(client, alliance, editor):
    client.force_login(editor)
    pact, _ = alliance
    georgia = pact.parties.filter(country__iso3="GEO").first().country
    make_membership(organisation=make_organisation(name="GUAM", acronym="GUAM"), country=georgia,
                    joined_on="1997-10")
    url = reverse("admin:alliances_country_timeline", args=[georgia.pk])
    response = client.get(url)
    whats = [(event.when, event.what, event.note) for event in response.context["events"]]
    assert whats == [  # Georgia's own acts; the agreement's signature (2021) only as a note
        ("1997-10", "joins GUAM (GUAM) (member)", ""),
        ("2023", "Signature: Shusha Declaration", "agreement signed 2021-06-15"),
        ("2024-03", "Withdrawal: Shusha Declaration", "agreement signed 2021-06-15"),
    ]
    [bond] = response.context["bonds"]
    assert (bond.agreement, bond.start) == (pact, datetime.date(2023, 1, 1))
    assert bond.stop == datetime.date(2024, 3, 1)  # withdrew
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="bonds"' in response.content.decode()
    change_page = client.get(reverse("admin:alliances_country_change", args=[georgia.pk])).content.decode()
    assert f'href="{url}"' in change_page
    assert Membership.objects.count() == 1
