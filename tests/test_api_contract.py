"""The v1 contract, resource by resource: shape, filters, ordering, pagination, errors."""

import pytest
from rest_framework.test import APIClient

from alliances.models import ProvisionType
from tests.conftest import (
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


@pytest.fixture
def anon():
    return APIClient()


def world() -> dict:
    """A small published register: three countries, the OTS, the Shusha Declaration."""
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
    parties = [
        publish(make_party(agreement=shusha, country=c, date="2021-06-15"), source) for c in (aze, tur)
    ]
    defense = ProvisionType.objects.get(slug="defense")
    clause = publish(make_clause(agreement=shusha, label="Article 3", provision_types=[defense]), source)
    publish(shusha, source, "Shusha Declaration on Allied Relations")
    speaker = make_person(name="Ilham Aliyev", country=aze, status="published")
    claim = publish(
        make_claim(text="Trade reached $1 billion", kind="figure", claimant=speaker, claimed_on="2023"),
        source, "$1 billion",
    )
    claim.subject_countries.set([aze, uzb])
    claim.subject_agreements.set([shusha])
    draft = make_agreement(title="Secret Draft Pact", signed_on="2022")
    return locals()


def test_agreement_detail_shape(anon):
    w = world()
    response = anon.get(f"{API}/agreements/{w['shusha'].pk}/")
    assert response.status_code == 200, response.content
    body = response.json()
    print(body)
    assert body["signed_on"] == "2021-06-15"
