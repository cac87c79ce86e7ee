"""The API's `search` parameter: the same cases, with the same answers, on SQLite (substring
lookups) and on PostgreSQL (full-text search over GIN-indexed documents)."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection, transaction
from rest_framework.test import APIClient

from alliances.api import search
from alliances.models import Country
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


def test_indexes_follow_the_documents():
    indexed = {apps.get_model(app, model): fields for app, model, _, fields in migration.SEARCH_INDEXES}
    unindexed = {model: fields for model, fields in search.DOCUMENTS.items() if model not in indexed}
    assert {**indexed, **unindexed} == search.DOCUMENTS
    assert [model._meta.model_name for model in unindexed] == ["provisiontype"]


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
    for _, _, name, _ in migration.SEARCH_INDEXES:
        assert "to_tsvector('simple'::regconfig" in indexes[name]


@on_postgresql
@pytest.mark.parametrize("index", migration.SEARCH_INDEXES, ids=lambda index: index[2])
def test_queries_use_the_gin_indexes(index):
    """The query builds the very expression of the index: the planner can use it."""
    app, model_name, name, _ = index
    model = apps.get_model(app, model_name)
    with transaction.atomic(), connection.cursor() as cursor:
        # Left only bitmap scans, a query can scan no other index than a GIN index on its document.
        cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off")
        matching = model.objects.filter(search.matches(model, "shusha relations", "postgresql"))
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
