"""Query budgets: a list request costs the same number of queries for 5 rows as for 500."""

import datetime
import itertools
import string

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from alliances.models import (
    Agreement,
    Claim,
    Clause,
    Country,
    Membership,
    Organisation,
    Party,
    Person,
    ProvisionType,
)
from sources.models import Citation, Source
from tests.conftest import token_client

pytestmark = pytest.mark.django_db

API = "/api/v1"
PUBLISHED = {"status": "published"}
_codes = ("".join(letters) for letters in itertools.product(string.ascii_uppercase, repeat=3))


def countries(n: int) -> list[Country]:
    codes = [next(_codes) for _ in range(n)]
    return Country.objects.bulk_create(
        Country(name=f"Country {code}", iso2=code[1:], iso3=code, **PUBLISHED) for code in codes
    )


def cited(records: list) -> list:
    """Two verified citations for each record, from a source of their own."""
    code = next(_codes)
    source = Source.objects.create(title=f"Source {code}", text=f"A quoted passage ({code}).")
    content_type = ContentType.objects.get_for_model(type(records[0]))
    Citation.objects.bulk_create(
        Citation(
            source=source, content_type=content_type, object_id=record.pk, quote="quoted",
            start=2, end=8, match="exact",
        )
        for record in records for _ in range(2)
    )
    return records


def organisations(n):
    return cited(Organisation.objects.bulk_create(
        Organisation(name=f"Organisation {next(_codes)}", **PUBLISHED) for _ in range(n)
    ))


def agreements(n):
    made = cited(Agreement.objects.bulk_create(
        Agreement(title=f"Agreement {i}", kind="treaty", legal_status="signed", **PUBLISHED) for i in range(n)
    ))
    a, b = countries(2)
    day = datetime.date(2021, 6, 15)
    Party.objects.bulk_create(
        Party(agreement=agreement, country=country, action="signature", date=day, date_precision="day",
              **PUBLISHED)
        for agreement in made for country in (a, b)
    )
    clauses_of(made, a, b)
    return made


def clauses_of(agreements_, obligor, beneficiary) -> list[Clause]:
    made = Clause.objects.bulk_create(
        Clause(agreement=agreement, label=f"Article {i}", text="Text.", **PUBLISHED)
        for i, agreement in enumerate(agreements_)
    )
    defense = ProvisionType.objects.get(slug="defense")
    Clause.provision_types.through.objects.bulk_create(
        Clause.provision_types.through(clause=clause, provisiontype=defense) for clause in made
    )
    Clause.obligors.through.objects.bulk_create(
        Clause.obligors.through(clause=clause, country=obligor) for clause in made
    )
    Clause.beneficiaries.through.objects.bulk_create(
        Clause.beneficiaries.through(clause=clause, country=beneficiary) for clause in made
    )
    return made


def clauses(n):
    agreement = Agreement.objects.create(title="Host", kind="treaty", legal_status="signed", **PUBLISHED)
    return cited(clauses_of([agreement] * n, *countries(2)))


def parties(n):
    agreement = Agreement.objects.create(title="Host", kind="treaty", legal_status="signed", **PUBLISHED)
    return cited(Party.objects.bulk_create(
        Party(agreement=agreement, country=country, action="signature", **PUBLISHED)
        for country in countries(n)
    ))


def memberships(n):
    organisation = Organisation.objects.create(name=f"Host {next(_codes)}", **PUBLISHED)
    return cited(Membership.objects.bulk_create(
        Membership(organisation=organisation, country=country, **PUBLISHED) for country in countries(n)
    ))


def persons(n):
    [country] = countries(1)
    return cited(Person.objects.bulk_create(
        Person(name=f"Person {i}", country=country, **PUBLISHED) for i in range(n)
    ))


def claims(n):
    speaker = Person.objects.create(name="Speaker", **PUBLISHED)
    made = cited(Claim.objects.bulk_create(
        Claim(text=f"Claim {i}", kind="fact", claimant=speaker, **PUBLISHED) for i in range(n)
    ))
    [country] = countries(1)
    agreement = Agreement.objects.create(title="Subject", kind="treaty", legal_status="signed", **PUBLISHED)
    organisation = Organisation.objects.create(name=f"Subject {next(_codes)}", **PUBLISHED)
    for relation, target, column in (
        (Claim.subject_countries, country, "country"),
        (Claim.subject_agreements, agreement, "agreement"),
        (Claim.subject_organisations, organisation, "organisation"),
    ):
        relation.through.objects.bulk_create(
            relation.through(claim=claim, **{column: target}) for claim in made
        )
    Claim.contradicts.through.objects.bulk_create(
        Claim.contradicts.through(from_claim=claim, to_claim=made[0]) for claim in made[1:]
    )
    return made


def provision_types(n):
    return ProvisionType.objects.bulk_create(
        ProvisionType(slug=f"type-{next(_codes).lower()}", name=f"Type {next(_codes)}") for _ in range(n)
    )


def sources(n):
    return Source.objects.bulk_create(
        Source(title=f"Source {i}", text=f"Text number {i}.") for i in range(n)
    )


def citations(n):
    return organisations(n // 2 + 1)


GROW = {
    "countries": countries, "organisations": organisations, "memberships": memberships,
    "persons": persons, "agreements": agreements, "parties": parties, "clauses": clauses,
    "provision-types": provision_types, "claims": claims, "sources": sources, "citations": citations,
}


def list_queries(client, resource: str, expected_rows: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{API}/{resource}/", {"page_size": 1000})
    assert response.status_code == 200, response.content
    assert len(response.json()["results"]) >= expected_rows
    return len(queries)


@pytest.fixture(params=["anonymous", "editor"])
def client(request):
    if request.param == "editor":
        return token_client(request.getfixturevalue("editor"))
    return APIClient()


@pytest.mark.parametrize("resource", GROW)
def test_a_list_costs_the_same_queries_for_5_and_500_rows(client, resource):
    GROW[resource](5)
    few = list_queries(client, resource, 5)
    GROW[resource](495)
    many = list_queries(client, resource, 500)
    print(f"{resource}: {few} queries for 5 rows, {many} for 500")
    assert many == few
