"""The Party rule (alliances.domain.binding): its SQL form and its spell form give one answer,
and every interface that asks "who is bound on day D" asks it of the visible actions only."""

import datetime

import pytest
from django.urls import reverse

from alliances.domain import binding
from alliances.exports import bonds, members
from alliances.models import Agreement, Party
from alliances.network import network_on
from tests.conftest import make_agreement, make_country, make_party, publish

pytestmark = pytest.mark.django_db

day = datetime.date

# (case, agreement fields, [(action, date)], {day: bound?})
CASES = [
    ("join", {}, [("signature", "2020-03-01")],
     {day(2020, 2, 29): False, day(2020, 3, 1): True, day(2030, 1, 1): True}),
    ("join then ratify", {}, [("signature", "2020-03-01"), ("ratification", "2021-01-01")],
     {day(2020, 6, 1): True, day(2022, 1, 1): True}),
    ("leave", {}, [("signature", "2020-03-01"), ("withdrawal", "2022-05-01")],
     {day(2022, 4, 30): True, day(2022, 5, 1): False, day(2030, 1, 1): False}),
    ("rejoin", {}, [("signature", "2020-03-01"), ("denunciation", "2022-05-01"), ("accession", "2024")],
     {day(2021, 1, 1): True, day(2023, 1, 1): False, day(2024, 1, 1): True, day(2030, 1, 1): True}),
    ("leave twice", {}, [("signature", "2020"), ("withdrawal", "2021"), ("denunciation", "2022")],
     {day(2020, 6, 1): True, day(2021, 6, 1): False, day(2023, 1, 1): False}),
    ("leave before joining", {}, [("withdrawal", "2019"), ("signature", "2020")],
     {day(2019, 6, 1): False, day(2020, 6, 1): True}),
    ("same-day withdrawal", {}, [("signature", "2020-03-01"), ("withdrawal", "2020-03-01")],
     {day(2020, 3, 1): False, day(2021, 1, 1): False}),
    ("undated", {}, [("signature", None)], {day(2020, 1, 1): False, day(2030, 1, 1): False}),
    ("ended", {"ends_on": "2023-06-30", "legal_status": "expired"}, [("signature", "2020-03-01")],
     {day(2023, 6, 29): True, day(2023, 6, 30): False}),
    ("proposed", {"legal_status": "proposed"}, [("signature", "2020-03-01")],
     {day(2021, 1, 1): False}),
]


def spell_answer(agreement, country, on: datetime.date) -> bool:
    parties = Party.objects.filter(agreement=agreement, country=country)
    ends = {} if agreement.legal_status == "proposed" else {
        agreement.pk: (agreement.ends_on, agreement.ends_on_precision) if agreement.ends_on else None
    }
    found = binding.spells(binding.read_actions(parties), ends)
    return any(spell.bound_on(on) for spell in found.get(agreement.pk, []))


@pytest.mark.parametrize(("case", "fields", "actions", "answers"), CASES, ids=[case[0] for case in CASES])
def test_sql_and_spells_agree(case, fields, actions, answers):
    country = make_country("AZE")
    agreement = make_agreement(signed_on="2019-01-01", **fields)
    for action, date in actions:
        make_party(agreement=agreement, country=country, action=action, date=date)
    for on, expected in answers.items():
        by_sql = Party.objects.bound_on(on).filter(country=country).exists()
        assert (by_sql, spell_answer(agreement, country, on)) == (expected, expected), (case, on)
        assert Agreement.objects.binding_on(on).exists() == expected, (case, on)


def test_a_rejoin_is_two_spells_and_two_member_rows():
    country = make_country("AZE")
    agreement = make_agreement(signed_on="2019-01-01")
    for action, date in [("signature", "2020-03-01"), ("denunciation", "2022-05"), ("accession", "2024")]:
        make_party(agreement=agreement, country=country, action=action, date=date)
    found = binding.spells(binding.read_actions(Party.objects.all()), {agreement.pk: None})[agreement.pk]
    assert [(spell.entry[0], spell.exit and spell.exit[0], spell.exit_by) for spell in found] == [
        (day(2020, 3, 1), day(2022, 5, 1), "denunciation"), (day(2024, 1, 1), None, ""),
    ]
    assert [spell.years(last=2025) for spell in found] == [range(2020, 2023), range(2024, 2026)]
    rows = list(members.rows(bonds.load()))
    assert [(row["entry"], row["exit"]) for row in rows] == [("2020-03-01", "2022-05"), ("2024", None)]


def published_pact(*countries, signed="2021-06-15"):
    agreement = publish(make_agreement(signed_on=signed, legal_status="in_force"))
    for country in countries:
        publish(make_party(agreement=agreement, country=country, date=signed))
    return agreement


def test_a_draft_withdrawal_changes_no_public_answer(anon):
    aze, tur = make_country("AZE"), make_country("TUR")
    pact = published_pact(aze, tur)
    make_party(agreement=pact, country=tur, action="withdrawal", date="2022-01-01")  # a draft
    on = day(2023, 1, 1)
    assert [edge.agreement_id for edge in network_on(on).edges] == [pact.pk]
    assert network_on(on, published_only=False).edges == []
    public = anon.get("/api/v1/agreements/", {"as_of": on.isoformat(), "country": "TUR"}).json()
    assert [item["id"] for item in public["results"]] == [pact.pk]
    dyads = anon.get("/api/v1/dyad-years/", {"year_from": 2023, "year_to": 2023}).json()["results"]
    assert [(row["year"], row["n_agreements"]) for row in dyads] == [(2023, 1)]


def test_a_draft_signature_adds_nothing_public(anon):
    aze, tur, uzb = make_country("AZE"), make_country("TUR"), make_country("UZB")
    pact = published_pact(aze, tur)
    make_party(agreement=pact, country=uzb, action="accession", date="2022-01-01")  # a draft
    on = day(2023, 1, 1)
    public = anon.get("/api/v1/agreements/", {"as_of": on.isoformat(), "country": "UZB"}).json()
    assert public["results"] == []
    assert {node.iso3 for node in network_on(on).nodes} == {"AZE", "TUR"}


def test_as_of_with_country_means_binding_that_country_that_day(anon):
    aze, tur, uzb = make_country("AZE"), make_country("TUR"), make_country("UZB")
    pact = published_pact(aze, tur)
    publish(make_party(agreement=pact, country=uzb, action="accession", date="2025-02"))

    def found(**params):
        return [item["id"] for item in anon.get("/api/v1/agreements/", params).json()["results"]]

    assert found(as_of="2021-07-01", country="UZB") == []
    assert found(as_of="2021-07-01", country="AZE") == [pact.pk]
    assert found(as_of="2025-03-01", country="uz") == [pact.pk]
    assert found(as_of="2021-07-01") == [pact.pk]


def test_the_timeline_answers_as_the_spells_after_a_rejoin(client, editor):
    country = make_country("GEO")
    agreement = make_agreement(signed_on="2019-01-01", legal_status="in_force")
    for action, date in [("signature", "2020-03-01"), ("denunciation", "2022-05-01"), ("accession", "2024")]:
        make_party(agreement=agreement, country=country, action=action, date=date)
    client.force_login(editor)
    response = client.get(reverse("admin:alliances_country_timeline", args=[country.pk]))
    periods = [(bond.start, bond.stop) for bond in response.context["bonds"]]
    assert periods == [(day(2020, 3, 1), day(2022, 5, 1)), (day(2024, 1, 1), None)]
    assert response.context["bound_today"] == [agreement]
    assert Party.objects.bound_on(response.context["today"]).filter(country=country).exists()
