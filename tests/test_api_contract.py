"""The v1 contract, resource by resource: shape, filters, ordering, pagination, errors, schema."""

import csv
import io
import re

import pytest
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from alliances.models import ProvisionType
from tests.conftest import (
    cite,
    make_agreement,
    make_claim,
    make_clause,
    make_country,
    make_membership,
    make_organisation,
    make_party,
    make_person,
    make_source,
    make_user,
    publish,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"
RESOURCES = [
    "countries", "organisations", "memberships", "persons", "agreements", "parties", "clauses",
    "provision-types", "claims", "sources", "citations",
]


def world() -> dict:
    """A small published register around the Shusha Declaration, and one draft agreement."""
    aze, tur, uzb = make_country("AZE"), make_country("TUR", aliases=["Türkiye"]), make_country("UZB")
    source = make_source(title="Shusha report", published_on="2021-06")
    ots = publish(
        make_organisation(name="Organization of Turkic States", acronym="OTS", founded_on="2009-10-03"),
        source,
    )
    membership = publish(make_membership(organisation=ots, country=aze, joined_on="2009"), source)
    shusha = make_agreement(
        title="Shusha Declaration on Allied Relations", short_name="Shusha Declaration",
        signed_on="2021-06-15", organisation=ots,
    )
    publish(shusha, source, "Shusha Declaration on Allied Relations")  # before its parts (visibility)
    parties = [
        publish(make_party(agreement=shusha, country=country, date="2021-06-15"), source)
        for country in (aze, tur)
    ]
    defense = ProvisionType.objects.get(slug="defense")
    clause = publish(make_clause(agreement=shusha, label="Article 3", provision_types=[defense]), source)
    speaker = make_person(name="Ilham Aliyev", country=aze, status="published")
    claim = publish(
        make_claim(text="Trade reached $1 billion", kind="figure", claimant=speaker, claimed_on="2023"),
        source, "$1 billion",
    )
    claim.subject_countries.set([aze, uzb])
    claim.subject_agreements.set([shusha])
    draft = make_agreement(title="Secret Draft Pact", signed_on="2022")
    cite(draft, source, "mutual assistance")
    return locals()


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def ids(response) -> list[int]:
    return [row["id"] for row in results(response)]


# Shape --------------------------------------------------------------------------------------


@pytest.mark.parametrize("resource", RESOURCES)
def test_every_resource_lists_and_details_records_with_id_and_url(anon, resource):
    world()
    body = anon.get(f"{API}/{resource}/").json()
    assert set(body) == {"next", "previous", "results"}
    assert body["results"], resource
    first = body["results"][0]
    assert isinstance(first["id"], int)
    assert first["url"] == f"http://testserver{API}/{resource}/{first['id']}/"
    detail = anon.get(first["url"])
    assert detail.status_code == 200
    assert detail.json()["id"] == first["id"]
    assert detail["ETag"]


def test_agreement_embeds_parties_clauses_and_citations(anon):
    w = world()
    body = anon.get(f"{API}/agreements/{w['shusha'].pk}/").json()
    assert body["signed_on"] == "2021-06-15" and body["signed_on_precision"] == "day"
    assert body["in_force_on"] is None and body["in_force_on_precision"] == ""
    assert body["organisation"] == w["ots"].pk
    assert [(p["country"], p["action"], p["date"]) for p in body["parties"]] == [
        ("AZE", "signature", "2021-06-15"), ("TUR", "signature", "2021-06-15"),
    ]
    assert body["clauses"][0]["label"] == "Article 3"
    assert body["clauses"][0]["provision_types"] == ["defense"]
    [citation] = body["citations"]
    assert set(citation) == {"id", "source", "source_title", "quote", "start", "end", "field", "verified"}
    assert citation["source_title"] == "Shusha report" and citation["verified"] is True
    text = anon.get(f"{API}/sources/{citation['source']}/").json()["text"]
    assert text[citation["start"]:citation["end"]] == citation["quote"]


def test_partial_dates_keep_their_precision(anon):
    w = world()
    membership = anon.get(f"{API}/memberships/{w['membership'].pk}/").json()
    assert (membership["joined_on"], membership["joined_on_precision"]) == ("2009", "year")
    assert membership["country"] == "AZE"
    source = anon.get(f"{API}/sources/{w['source'].pk}/").json()
    assert (source["published_on"], source["published_on_precision"]) == ("2021-06", "month")


def test_claim_embeds_claimant_and_subjects(anon):
    w = world()
    body = anon.get(f"{API}/claims/{w['claim'].pk}/").json()
    assert body["claimant"]["name"] == "Ilham Aliyev"
    assert body["claimant"]["url"].endswith(f"/persons/{w['speaker'].pk}/")
    assert body["claimed_on"] == "2023"
    assert body["subjects"] == {
        "countries": ["AZE", "UZB"], "organisations": [], "agreements": [w["shusha"].pk]
    }
    assert body["citations"][0]["quote"] == "$1 billion"


def test_a_claimant_not_published_is_shown_to_editors_only(anon):
    w = world()
    w["speaker"].status = "review"
    w["speaker"].save()
    assert anon.get(f"{API}/claims/{w['claim'].pk}/").json()["claimant"] is None
    body = b"".join(anon.get(f"{API}/claims/", {"format": "csv"}).streaming_content).decode()
    (row,) = csv.DictReader(io.StringIO(body))
    assert row["claimant"] == ""
    editor = APIClient()
    editor.force_authenticate(make_user("editor", "editors"))
    assert editor.get(f"{API}/claims/{w['claim'].pk}/").json()["claimant"]["name"] == "Ilham Aliyev"


def test_source_detail_carries_text_and_sha256_and_the_list_does_not(anon):
    w = world()
    listed = results(anon.get(f"{API}/sources/"))[0]
    assert "text" not in listed and listed["sha256"] == w["source"].sha256
    detail = anon.get(listed["url"]).json()
    assert detail["text"] == w["source"].text and detail["sha256"] == w["source"].sha256
    assert "document_url" in detail


def test_citation_names_its_record(anon):
    w = world()
    [citation] = results(anon.get(f"{API}/citations/", {"record_type": "claim"}))
    assert citation["record_id"] == w["claim"].pk
    assert citation["record_url"] == f"http://testserver{API}/claims/{w['claim'].pk}/"
    assert citation["match"] == "exact" and citation["verified"] is True


def test_drafts_and_their_citations_are_hidden_from_anonymous_callers(anon):
    w = world()
    assert w["draft"].pk not in ids(anon.get(f"{API}/agreements/"))
    assert anon.get(f"{API}/agreements/{w['draft'].pk}/").status_code == 404
    quotes = [c["quote"] for c in results(anon.get(f"{API}/citations/"))]
    assert "mutual assistance" not in quotes


# Filters ------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["AZ", "az", "AZE", "aze"])
def test_country_filter_takes_iso2_or_iso3_in_any_case(anon, code):
    w = world()
    assert ids(anon.get(f"{API}/memberships/", {"country": code})) == [w["membership"].pk]
    assert ids(anon.get(f"{API}/agreements/", {"country": code})) == [w["shusha"].pk]
    assert ids(anon.get(f"{API}/organisations/", {"country": code})) == [w["ots"].pk]
    assert ids(anon.get(f"{API}/claims/", {"country": code})) == [w["claim"].pk]
    assert ids(anon.get(f"{API}/persons/", {"country": code})) == [w["speaker"].pk]


def test_country_filter_refuses_what_is_not_a_code(anon):
    response = anon.get(f"{API}/agreements/", {"country": "Azerbaijan"})
    assert response.status_code == 400
    assert "country" in response.json()


def test_filters_by_organisation_kind_status_claimant_and_source(anon):
    w = world()
    assert ids(anon.get(f"{API}/agreements/", {"organisation": w["ots"].pk})) == [w["shusha"].pk]
    assert ids(anon.get(f"{API}/agreements/", {"kind": "declaration", "status": "published"})) == [
        w["shusha"].pk
    ]
    assert ids(anon.get(f"{API}/agreements/", {"kind": "treaty"})) == []
    assert ids(anon.get(f"{API}/claims/", {"claimant": w["speaker"].pk})) == [w["claim"].pk]
    assert ids(anon.get(f"{API}/claims/", {"agreement": w["shusha"].pk})) == [w["claim"].pk]
    assert ids(anon.get(f"{API}/claims/", {"organisation": w["ots"].pk})) == []
    assert ids(anon.get(f"{API}/clauses/", {"source": w["source"].pk})) == [w["clause"].pk]
    assert ids(anon.get(f"{API}/citations/", {"source": w["source"].pk, "record_type": "clause"})) == [
        w["clause"].citations.get().pk
    ]
    assert anon.get(f"{API}/agreements/", {"organisation": 999999}).status_code == 400


@pytest.mark.parametrize(
    ("resource", "text", "expected"),
    [
        ("countries", "türkiye", "tur"),
        ("agreements", "allied relations", "shusha"),
        ("organisations", "ots", "ots"),
        ("claims", "1 billion", "claim"),
        ("clauses", "consult", "clause"),
        ("persons", "aliyev", "speaker"),
        ("sources", "shusha report", "source"),
    ],
)
def test_search(anon, resource, text, expected):
    w = world()
    assert ids(anon.get(f"{API}/{resource}/", {"search": text})) == [w[expected].pk]


def test_search_finds_citation_quotes(anon):
    w = world()
    rows = results(anon.get(f"{API}/citations/", {"search": "$1 billion"}))
    assert [row["record_id"] for row in rows] == [w["claim"].pk]


def test_as_of_uses_the_domain_rules(anon):
    w = world()
    assert ids(anon.get(f"{API}/agreements/", {"as_of": "2021-06-15"})) == [w["shusha"].pk]
    assert ids(anon.get(f"{API}/agreements/", {"as_of": "2021-06-14"})) == []
    assert ids(anon.get(f"{API}/memberships/", {"as_of": "2010-01-01"})) == [w["membership"].pk]
    assert ids(anon.get(f"{API}/memberships/", {"as_of": "2008-12-31"})) == []
    assert anon.get(f"{API}/agreements/", {"as_of": "2021-13-01"}).status_code == 400


def test_provision_filter_on_clauses_and_agreements(anon):
    w = world()
    assert ids(anon.get(f"{API}/agreements/", {"provision": "defense"})) == [w["shusha"].pk]
    assert ids(anon.get(f"{API}/clauses/", {"provision": "defense"})) == [w["clause"].pk]
    assert ids(anon.get(f"{API}/clauses/", {"provision": "offense"})) == []
    misspelled = anon.get(f"{API}/agreements/", {"provision": "defence"})
    assert misspelled.status_code == 400 and "provision" in misspelled.json()


def test_date_ranges(anon):
    w = world()
    assert ids(anon.get(f"{API}/agreements/", {"signed_after": "2021-06-01"})) == [w["shusha"].pk]
    assert ids(anon.get(f"{API}/agreements/", {"signed_before": "2021-06-14"})) == []
    in_2023 = {"claimed_after": "2023-01-01", "claimed_before": "2023-12-31"}
    assert ids(anon.get(f"{API}/claims/", in_2023)) == [w["claim"].pk]
    assert ids(anon.get(f"{API}/sources/", {"published_after": "2021-07-01"})) == []


# Unknown parameters -------------------------------------------------------------------------


def test_a_misspelled_filter_is_refused_with_the_accepted_ones(anon):
    world()
    response = anon.get(f"{API}/agreements/", {"contry": "AZ"})
    assert response.status_code == 400
    message = response.json()["contry"][0]
    for accepted in ("country", "ordering", "cursor", "page_size", "format", "as_of", "search"):
        assert accepted in message


def test_a_detail_accepts_no_filters(anon):
    w = world()
    assert anon.get(f"{API}/agreements/{w['shusha'].pk}/", {"status": "draft"}).status_code == 400
    assert anon.get(f"{API}/agreements/{w['shusha'].pk}/", {"format": "json"}).status_code == 200


# Ordering and pagination --------------------------------------------------------------------


def test_ordering_whitelist(anon):
    w = world()
    older = publish(make_agreement(title="Older pact", signed_on="1992"))
    assert ids(anon.get(f"{API}/agreements/", {"ordering": "-signed_on"})) == [w["shusha"].pk, older.pk]
    assert ids(anon.get(f"{API}/agreements/", {"ordering": "title"})) == [older.pk, w["shusha"].pk]
    refused = anon.get(f"{API}/agreements/", {"ordering": "summary"})
    assert refused.status_code == 400 and "ordering" in refused.json()


def walk(client, url, params) -> tuple[list[int], list[int]]:
    """Every page forwards, then back again from the last page; ids in list order."""
    forwards, page = [], client.get(url, params).json()
    pages = [page]
    while True:
        forwards += [row["id"] for row in page["results"]]
        if not page["next"]:
            break
        page = client.get(page["next"]).json()
        pages.append(page)
    backwards = [row["id"] for row in page["results"]]
    while page["previous"]:
        page = client.get(page["previous"]).json()
        backwards = [row["id"] for row in page["results"]] + backwards
    return forwards, backwards


@pytest.mark.parametrize("ordering", [None, "signed_on", "-signed_on", "title,-signed_on", "-id"])
def test_cursor_pages_cover_every_row_once_in_order_with_nulls_and_ties(anon, ordering):
    dates = ["2001", None, "2001", "1999-05", None, "2010-01-02", "2001", None]
    made = [
        publish(make_agreement(title=f"Pact {i % 3}", signed_on=date)) for i, date in enumerate(dates)
    ]
    params = {"page_size": 3, **({"ordering": ordering} if ordering else {})}
    everything = ids(anon.get(f"{API}/agreements/", {**params, "page_size": 100}))
    assert sorted(everything) == sorted(a.pk for a in made)
    forwards, backwards = walk(anon, f"{API}/agreements/", params)
    assert forwards == everything
    assert backwards == everything


def test_page_size_and_cursor_are_checked(anon):
    world()
    assert len(results(anon.get(f"{API}/countries/", {"page_size": 1}))) == 1
    for size in ("0", "1001", "ten"):
        response = anon.get(f"{API}/countries/", {"page_size": size})
        assert response.status_code == 400 and "page_size" in response.json()
    response = anon.get(f"{API}/countries/", {"cursor": "not-a-cursor"})
    assert response.status_code == 400 and "cursor" in response.json()
    page = anon.get(f"{API}/countries/", {"page_size": 1}).json()
    cursor = re.search(r"cursor=([^&]+)", page["next"])[1]
    other_order = anon.get(f"{API}/countries/", {"cursor": cursor, "ordering": "-iso3"})
    assert other_order.status_code == 400


# Errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", [f"{API}/agreements/999999/", f"{API}/nothing/", "/api/v2/agreements/", f"{API}/agreements/abc/"]
)
def test_unknown_urls_answer_json_404(anon, path):
    response = anon.get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


def test_a_missing_trailing_slash_redirects(anon):
    response = anon.get(f"{API}/agreements", {"kind": "treaty"})
    assert response.status_code == 301
    assert response["Location"] == f"{API}/agreements/?kind=treaty"


def test_wrong_method_and_bad_body_answer_json(superuser):
    w = world()
    root = APIClient()
    root.force_authenticate(superuser)
    response = root.post(f"{API}/agreements/{w['shusha'].pk}/", {})
    assert response.status_code == 405 and response.json()["detail"]
    response = root.post(f"{API}/agreements/", "{not json", content_type="application/json")
    assert response.status_code == 400 and response.json()["detail"]


# Schema and docs ----------------------------------------------------------------------------


def test_the_schema_is_valid_openapi_3(anon):
    response = anon.get(f"{API}/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    for resource in RESOURCES:
        assert f"{API}/{resource}/" in schema["paths"]
        assert f"{API}/{resource}/{{id}}/" in schema["paths"]
        assert f"{API}/{resource}/{{id}}/history/" in schema["paths"]


def test_the_docs_work_offline(anon):
    response = anon.get(f"{API}/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    urls += re.findall(r"""["'](https?://[^"']+)["']""", html)
    assert urls
    for url in urls:
        assert not re.match(r"^(https?:)?//", url) or url.startswith("http://testserver/"), url
    assert "/static/drf_spectacular_sidecar/" in html
