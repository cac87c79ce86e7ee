"""The one search (alliances.domain.search): the same cases, with the same answers, on SQLite
(substring lookups) and on PostgreSQL (full-text search over GIN-indexed documents), through the
API's `search`, the admin's search box and the cite panel; folded for case and diacritics, and
built only from what the caller may see."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from alliances.models import Agreement, Claim, Country
from sources import search
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
    publish,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"
migration = importlib.import_module("alliances.migrations.0004_search")
documents = importlib.import_module("alliances.migrations.0006_search_documents")
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text search and its indexes are PostgreSQL's"
)


def world() -> dict:
    """A small published register; the draft agreement is cited for the same passage as `pact`."""
    aze, uzb = make_country("AZE"), make_country("UZB")
    tur = make_country("TUR", name="Turkey", aliases=["Türkiye", "Republic of Türkiye"])
    source = make_source(title="Shusha report")
    ots = publish(
        make_organisation(name="Organization of Turkic States", acronym="OTS", aliases=["Türk Keneşi"]),
        source,
    )
    membership = publish(make_membership(organisation=ots, country=uzb, joined_on="2019"), source)
    shusha = publish(
        make_agreement(title="Shusha Declaration on Allied Relations", short_name="Shusha Declaration"),
        source, "Shusha Declaration on Allied Relations",
    )
    pact = publish(make_agreement(title="Treaty of Eternal Friendship"), source, "mutual assistance")
    party = publish(make_party(agreement=shusha, country=tur, date="2021-06-15"), source)
    clause = publish(
        make_clause(agreement=shusha, label="Article 1", text="The parties consult on regional security."),
        source,
    )
    speaker = make_person(
        name="Ilham Aliyev", affiliation="President of Azerbaijan", country=aze, status="published"
    )
    claim = publish(
        make_claim(text="Uzbek–Azerbaijani trade turnover hit a record", kind="figure", claimant=speaker),
        source, "trade reached $1 billion",
    )
    quote = claim.citations.get()
    draft = make_agreement(title="Secret Draft Pact")
    cite(draft, source, "mutual assistance")
    return locals()


def found(resource: str, text: str) -> list[int]:
    response = APIClient().get(f"{API}/{resource}/", {"search": text})
    assert response.status_code == 200, response.content
    return sorted(row["id"] for row in response.json()["results"])


@pytest.mark.parametrize(
    ("resource", "text", "expected"),
    [
        # names, and aliases with non-ASCII letters
        ("countries", "Azerbaijan", ["aze"]),
        ("countries", "Türkiye", ["tur"]),
        ("countries", "republic of türkiye", ["tur"]),
        ("organisations", "Türk Keneşi", ["ots"]),
        ("persons", "president azerbaijan", ["speaker"]),
        # titles, texts
        ("agreements", "allied", ["shusha"]),
        ("clauses", "regional security", ["clause"]),
        ("claims", "turnover", ["claim"]),
        ("sources", "report shusha", ["source"]),
        # citation quotes: the pact's (the draft cited for the same passage stays hidden)
        ("agreements", "mutual assistance", ["pact"]),
        ("claims", "1 billion", ["claim"]),
        ("citations", "1 billion", ["quote"]),
        # through related records
        ("memberships", "OTS", ["membership"]),
        ("memberships", "Uzbekistan", ["membership"]),
        ("parties", "Türkiye", ["party"]),
        ("claims", "Aliyev", ["claim"]),
        # no match
        ("agreements", "Atlantis", []),
        ("countries", "Atlantis", []),
        # several words, as a web search box takes them
        ("agreements", "relations shusha", ["shusha"]),
        ("agreements", '"allied relations"', ["shusha"]),
        ("agreements", '"relations allied"', []),
        ("agreements", "treaty -shusha", ["pact"]),
        ("agreements", "declaration -allied", []),
        ("agreements", "atlantis or friendship", ["pact"]),
    ],
)
def test_search(resource, text, expected):
    w = world()
    assert found(resource, text) == sorted(w[name].pk for name in expected)


def test_aliases_are_stored_unescaped():
    make_country("TUR", name="Turkey", aliases=["Türkiye"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT aliases FROM alliances_country")
        assert "Türkiye" in str(cursor.fetchone()[0])


def test_migration_rewrites_escaped_aliases():
    turkey = make_country("TUR", name="Turkey")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE alliances_country SET aliases = %s WHERE id = %s", ['["T\\u00fcrkiye"]', turkey.pk]
        )
        migration.rewrite_aliases(apps, SimpleNamespace(connection=connection))  # all it uses
        cursor.execute("SELECT aliases FROM alliances_country")
        assert "Türkiye" in str(cursor.fetchone()[0])
    assert Country.objects.filter(aliases__icontains="Türk").get() == turkey


def test_the_migration_freezes_the_documents_as_the_models_name_them():
    frozen = {apps.get_model(app, model): fields for app, model, fields in documents.DOCUMENTS}
    searchable = {model: model.search_fields for model in apps.get_models()
                  if issubclass(model, search.SearchDocument)}
    assert frozen == searchable


def test_websearch_terms():
    assert search.websearch_terms('shusha "allied  relations" -treaty or "turk') == [
        [(False, "shusha"), (False, "allied relations"), (True, "treaty")],
        [(False, "turk")],
    ]
    assert search.websearch_terms("  or - ") == []


@on_postgresql
def test_gin_indexes_exist():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexdef LIKE '%USING gin%'")
        indexes = dict(cursor.fetchall())
    for _, model, _ in documents.DOCUMENTS:
        expression = "to_tsvector('simple'::regconfig, COALESCE(search_document"
        assert expression in indexes[documents.index_name(model)]
    assert not set(indexes) & set(documents.OLD_INDEXES)


@on_postgresql
@pytest.mark.parametrize("index", documents.DOCUMENTS, ids=lambda index: index[1])
def test_queries_use_the_gin_indexes(index):
    """The query builds the very expression of the index: the planner can use it."""
    app, model_name, _ = index
    model, name = apps.get_model(app, model_name), documents.index_name(model_name)
    with transaction.atomic(), connection.cursor() as cursor:
        # Left only bitmap scans, a query can scan no other index than a GIN index on its document.
        cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off")
        matching = model.objects.filter(search.matches("shusha relations", "postgresql"))
        plan = matching.order_by().explain()
    assert f"Bitmap Index Scan on {name}" in plan


@on_postgresql
def test_results_come_by_relevance_and_page_through_the_rank():
    """Without `ordering`, the record whose document holds the words most often comes first,
    and the cursor pages through the rank; an explicit `ordering` replaces it."""
    source = make_source()
    once = publish(make_agreement(title="Friendship accord"), source)
    often = publish(
        make_agreement(title="Friendship treaty", summary="Friendship, friendship and friendship."), source
    )
    never = publish(make_agreement(title="Trade accord"), source)
    client = APIClient()
    first = client.get(f"{API}/agreements/", {"search": "friendship", "page_size": 1}).json()
    assert [row["id"] for row in first["results"]] == [often.pk]
    second = client.get(first["next"]).json()
    assert [row["id"] for row in second["results"]] == [once.pk]
    assert second["next"] is None
    by_id = client.get(f"{API}/agreements/", {"search": "friendship", "ordering": "id"}).json()
    assert [row["id"] for row in by_id["results"]] == [once.pk, often.pk]
    assert never.pk not in [row["id"] for row in by_id["results"]]


def test_fold():
    for spelling in ("Şuşa", "şuşa", "ŞUŞA", "Susa", "SUSA"):
        assert search.fold(spelling) == "susa"
    assert search.fold("Türkiye") == search.fold("TURKIYE") == "turkiye"
    assert search.fold("İzmir") == search.fold("ızmir") == "izmir"
    assert search.fold("Łódź Ærø Straße") == "lodz aero strasse"


def shusha_world():
    source = make_source(title="Field notes", text="The Şuşa summit was held in June 2021 on the hills.")
    shusha = publish(make_agreement(title="Şuşa Declaration", aliases=["Shushi Declaration"]), source, "Şuşa")
    other = publish(make_agreement(title="Treaty of Kars"), source, "hills")
    return source, shusha, other


@pytest.mark.parametrize("text", ["Şuşa", "şuşa", "ŞUŞA", "Susa", "Shushi", "shushi declaration"])
def test_admin_api_and_cite_panel_find_the_same_records(client, editor, text):
    source, shusha, _ = shusha_world()
    assert found("agreements", text) == [shusha.pk]
    client.force_login(editor)
    changelist = client.get(reverse("admin:alliances_agreement_changelist"), {"q": text})
    assert [record.pk for record in changelist.context["cl"].result_list] == [shusha.pk]
    panel = client.get(reverse("admin:sources_source_cite_records", args=[source.pk]), {"term": text}).json()
    assert [(row["model"], row["object_id"]) for row in panel["results"]] == [("agreement", shusha.pk)]


def test_a_source_is_found_by_its_text(client, editor):
    source, _, _ = shusha_world()
    assert found("sources", "susa summit") == [source.pk]
    client.force_login(editor)
    changelist = client.get(reverse("admin:sources_source_changelist"), {"q": "ŞUŞA summit"})
    assert [record.pk for record in changelist.context["cl"].result_list] == [source.pk]


def test_a_hidden_claimant_is_not_searchable_through_a_published_claim(editor):
    draft = make_person(name="Zebulon Quartermain")  # a draft
    claim = publish(make_claim(text="Trade grew.", claimant=draft), make_source(), "Shusha Declaration")
    for prefix in ("Zeb", "Zebulon", "Zebulon Quartermain", "quartermain"):
        assert found("claims", prefix) == []
    as_editor = APIClient()
    as_editor.force_authenticate(editor)
    response = as_editor.get(f"{API}/claims/", {"search": "Quartermain"}).json()
    assert [row["id"] for row in response["results"]] == [claim.pk]


def test_bulk_paths_fill_the_documents():
    from tools.synthetic.rows import TableWriter

    TableWriter(Agreement, explicit_pk=False).write([{
        "title": "Ŝpecial Accord", "kind": "treaty", "legal_status": "signed", "aliases": ["Çağrı"],
    }])
    assert Agreement.objects.get().search_document == "special accord\ncagri"
    assert Agreement.objects.filter(search.matches("CAGRI", connection.vendor)).exists()
    assert not Claim.objects.exists()
