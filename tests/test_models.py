"""Constraints and validation of the domain model: each refusal a clear field error."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from alliances.models import Agreement, Country, Membership, Party
from tests.conftest import (
    cite,
    make_agreement,
    make_country,
    make_membership,
    make_organisation,
    make_party,
    make_source,
    publish,
)

pytestmark = pytest.mark.django_db


def test_unknown_iso_code_is_refused_on_the_field():
    with pytest.raises(ValidationError) as error:
        make_country("XXX", iso2="XX", name="Nowhere")
    assert "not an ISO 3166-1 alpha-3" in str(error.value.message_dict["iso3"])
    assert "iso2" in error.value.message_dict


def test_iso3_must_belong_to_iso2():
    with pytest.raises(ValidationError) as error:
        make_country("UZB", iso2="AZ")
    assert "AZ is Azerbaijan" in error.value.message_dict["iso3"][0]


def test_iso_codes_are_unique_in_the_database():
    make_country("UZB")
    with pytest.raises(IntegrityError), transaction.atomic():
        Country.objects.create(name="Again", iso2="UZ", iso3="UZB")


def test_membership_ending_before_it_starts_is_refused():
    org = make_organisation(name="Organization of Turkic States")
    with pytest.raises(ValidationError) as error:
        make_membership(organisation=org, country=make_country(), joined_on="2019-10-15",
                        left_on="2018")
    assert "cannot be before" in error.value.message_dict["left_on"][0]


def test_database_refuses_day_precise_end_before_start():
    org = make_organisation()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            organisation=org, country=make_country(), joined_on=datetime.date(2020, 5, 1),
            joined_on_precision="day", left_on=datetime.date(2020, 4, 1), left_on_precision="day",
        )


def test_coarse_end_in_the_same_period_is_accepted():
    membership = make_membership(
        organisation=make_organisation(), country=make_country(), joined_on="2021-06-15",
        left_on="2021",
    )
    assert membership.left_on == datetime.date(2021, 1, 1)
    assert membership.left_on_precision == "year"


def test_status_outside_the_vocabulary_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        Agreement.objects.create(title="T", kind="treaty", legal_status="signed", status="secret")


def test_partial_date_is_stored_as_the_first_day_of_its_period():
    agreement = make_agreement(signed_on="2022-02")
    agreement.refresh_from_db()
    assert (agreement.signed_on, agreement.signed_on_precision) == (datetime.date(2022, 2, 1), "month")


def test_publishing_without_verified_citation_is_refused():
    agreement = make_agreement()
    agreement.status = "published"
    with pytest.raises(ValidationError) as error:
        agreement.full_clean()
    assert "verified citation" in error.value.message_dict["status"][0]


def test_publishing_with_only_an_unverified_citation_is_refused():
    agreement = make_agreement()
    cite(agreement, make_source(text=""), quote="words from a paper copy")
    agreement.status = "published"
    with pytest.raises(ValidationError):
        agreement.full_clean()


def test_publishing_with_a_verified_citation_succeeds():
    agreement = publish(make_agreement())
    assert agreement.status == "published"


def test_countries_publish_without_citations():
    assert make_country("TUR", status="published").status == "published"


def test_binding_on_follows_the_party_rule():
    aze, tur, uzb = make_country("AZE"), make_country("TUR"), make_country("UZB")
    shusha = make_agreement(signed_on="2021-06-15", legal_status="in_force")
    make_party(agreement=shusha, country=aze, date="2021-06-15")
    make_party(agreement=shusha, country=tur, date="2021-06-15")
    make_party(agreement=shusha, country=uzb, action="accession", date="2024-11")
    make_party(agreement=shusha, country=tur, action="withdrawal", date="2030")
    day = datetime.date
    assert not Agreement.objects.binding_on(day(2021, 6, 14)).exists()
    assert Agreement.objects.binding_on(day(2021, 6, 15)).get() == shusha
    bound = Party.objects.bound_on(day(2025, 1, 1)).values_list("country__iso3", flat=True)
    assert sorted(bound) == ["AZE", "TUR", "UZB"]
    bound = Party.objects.bound_on(day(2030, 6, 1)).values_list("country__iso3", flat=True)
    assert sorted(bound) == ["AZE", "UZB"]


def test_the_registry_lists_every_curated_model_once():
    from django.apps import apps

    from alliances.domain import registry
    from alliances.models import CuratedRecord

    models = apps.get_app_config("alliances").get_models()
    curated = {model for model in models if issubclass(model, CuratedRecord)}
    assert len(registry.CURATED) == len(set(registry.CURATED)) and set(registry.CURATED) == curated
