"""Visibility across every interface (alliances.domain.visibility): one world of draft, review,
published and retracted records of every kind, referring to each other; an anonymous reader
finds no trace of a hidden record (id, name, text, iso3) in the JSON, the CSV, the derived
files, the network picture, the history or the published dataset, and a hidden id answers as a
missing one. An editor sees everything."""

import json
from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from alliances.models import Agreement, Claim, Clause, Country, Membership, Party
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
    publish,
    saved,
    token_client,
)

API = "/api/v1"
MISSING = 987654321
# Marks of hidden records: none of these may reach an anonymous reader.
SECRETS = ("TKM", "Turkmenistan", "TJK", "Tajikistan", "Xyzzy", "Plugh", "Frobozz", "Qwerty", "Zorkmid")
RESOURCES = ("countries", "organisations", "memberships", "persons", "agreements", "parties",
             "clauses", "claims", "citations")
DERIVED = ("dyad-years", "state-years", "members", "agreement-level")


@dataclass
class World:
    pact: Agreement
    hidden: dict[str, list[int]]  # resource -> ids of its hidden records
    secret_person: int
    secret_org: int
    secret_agreement: int


def raw_publish(record):
    """Publish around validation: a state the rules refuse (as a raw import could leave it),
    to show that reading stays safe even then."""
    type(record).objects.filter(pk=record.pk).update(status="published")


@pytest.fixture
def world(db) -> World:
    aze, uzb = make_country("AZE"), make_country("UZB")
    tkm = make_country("TKM", status="draft")
    tjk = make_country("TJK", status="retracted")
    ots = make_organisation(name="Organisation of Turkic States", acronym="OTS", status="published")
    secret_org = make_organisation(name="Zorkmid Council", status="review")
    person = make_person(name="Public Person", status="published")
    secret_person = make_person(name="Secret Person Qwerty", country=tkm, organisation=secret_org)
    secret_agreement = make_agreement(title="Secret Pact Xyzzy")
    pact = make_agreement(title="Shusha Declaration", signed_on="2021-06-15", legal_status="in_force",
                          parent=secret_agreement, organisation=secret_org)
    publish(pact)
    for country in (aze, uzb):
        publish(make_party(agreement=pact, country=country, date="2021-06-15", signed_by=secret_person))
    tkm_party = make_party(agreement=pact, country=tkm, date="2021-06-15")
    cite(tkm_party)
    raw_publish(tkm_party)  # published, but its country is a draft
    review_party = make_party(agreement=pact, country=uzb, action="withdrawal", date="2022-01-01")
    review_party.status = "review"
    saved(review_party)
    secret_party = make_party(agreement=secret_agreement, country=aze, date="2020")
    defense = publish(make_clause(agreement=pact, label="Article 1", text="Mutual assistance."))
    defense.obligors.set([aze, tkm])
    secret_clause = make_clause(agreement=pact, label="Article 9", text="Plugh wording.")
    cite(secret_clause)
    member = publish(make_membership(organisation=ots, country=aze, joined_on="2009"))
    tkm_member = make_membership(organisation=ots, country=tkm, joined_on="2021")
    cite(tkm_member)
    raw_publish(tkm_member)
    secret_member = make_membership(organisation=secret_org, country=aze, role="observer")
    claim = make_claim(text="Trade grew.", claimant=secret_person)
    publish(claim)
    claim.subject_countries.set([aze, tkm])
    claim.subject_organisations.set([ots, secret_org])
    claim.subject_agreements.set([pact, secret_agreement])
    retracted = publish(make_claim(text="Frobozz figure."))
    retracted.status = "retracted"
    saved(retracted)
    hidden_citations = [c.pk for c in cite(secret_clause).source.citations.all()]
    hidden = {
        "countries": [tkm.pk, tjk.pk], "organisations": [secret_org.pk], "persons": [secret_person.pk],
        "agreements": [secret_agreement.pk], "parties": [tkm_party.pk, review_party.pk, secret_party.pk],
        "clauses": [secret_clause.pk], "memberships": [tkm_member.pk, secret_member.pk],
        "claims": [retracted.pk], "citations": hidden_citations,
    }
    assert member.pk and person.pk
    return World(pact, hidden, secret_person.pk, secret_org.pk, secret_agreement.pk)


def text(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def assert_no_secret(body: str, where: str):
    for secret in SECRETS:
        assert secret not in body, f"{secret} in {where}"


def ok(response) -> str:
    assert response.status_code == 200, response.status_code
    return text(response)


def public_bodies(anon, world):
    """Every public answer, by where it came from."""
    for resource in RESOURCES:
        yield f"{resource} JSON", ok(anon.get(f"{API}/{resource}/"))
        yield f"{resource} CSV", ok(anon.get(f"{API}/{resource}/", {"format": "csv"}))
    for name in DERIVED:
        for fmt in ("json", "csv"):
            yield f"{name} {fmt}", ok(anon.get(f"{API}/{name}/", {"format": fmt}))
    yield "network", ok(anon.get(f"{API}/network.svg", {"as_of": "2021-07-01"}))
    yield "pact", ok(anon.get(f"{API}/agreements/{world.pact.pk}/"))
    yield "history", ok(anon.get(f"{API}/agreements/{world.pact.pk}/history/"))


def test_an_anonymous_reader_finds_no_trace_of_hidden_records(anon, world):
    for where, body in public_bodies(anon, world):
        assert_no_secret(body, where)
    for resource, ids in world.hidden.items():
        listed = {row["id"] for row in anon.get(f"{API}/{resource}/", {"page_size": 999}).json()["results"]}
        assert not listed & set(ids), resource
        missing = anon.get(f"{API}/{resource}/{MISSING}/")
        for pk in ids:
            response = anon.get(f"{API}/{resource}/{pk}/")
            assert (response.status_code, response.json()) == (missing.status_code, missing.json()) == (
                404, missing.json()), (resource, pk)


def test_references_to_hidden_records_are_null_or_left_out(anon, world):
    pact = anon.get(f"{API}/agreements/{world.pact.pk}/").json()
    assert pact["parent"] is None and pact["organisation"] is None
    assert sorted(party["country"] for party in pact["parties"]) == ["AZE", "UZB"]
    assert [clause["obligors"] for clause in pact["clauses"]] == [["AZE"]]
    parties = anon.get(f"{API}/parties/").json()["results"]
    assert [party["signed_by"] for party in parties] == [None, None]
    (claim,) = anon.get(f"{API}/claims/").json()["results"]
    assert claim["claimant"] is None
    assert claim["subjects"]["countries"] == ["AZE"]
    assert world.secret_org not in claim["subjects"]["organisations"]
    assert claim["subjects"]["agreements"] == [world.pact.pk]
    members = anon.get(f"{API}/members/").json()["results"]
    assert {row["country"] if "country" in row else row.get("iso3") for row in members} <= {"AZE", "UZB"}


def test_an_editor_sees_every_record_and_reference(editor, world):
    client = token_client(editor)
    for resource, ids in world.hidden.items():
        page = client.get(f"{API}/{resource}/", {"page_size": 999}).json()["results"]
        listed = {row["id"] for row in page}
        assert set(ids) <= listed, resource
    pact = client.get(f"{API}/agreements/{world.pact.pk}/").json()
    assert (pact["parent"], pact["organisation"]) == (world.secret_agreement, world.secret_org)
    assert "TKM" in text(client.get(f"{API}/parties/", {"format": "csv"}))
    history = client.get(f"{API}/agreements/{world.pact.pk}/history/").json()
    assert len(history) > 1


FILTERS = [
    ("parties", "agreement", "secret_agreement"),
    ("agreements", "parent", "secret_agreement"),
    ("agreements", "organisation", "secret_org"),
    ("persons", "organisation", "secret_org"),
    ("memberships", "organisation", "secret_org"),
    ("claims", "claimant", "secret_person"),
    ("claims", "organisation", "secret_org"),
    ("claims", "agreement", "secret_agreement"),
]


@pytest.mark.parametrize(("resource", "name", "attribute"), FILTERS)
def test_a_filter_on_a_hidden_id_answers_as_on_a_missing_one(anon, world, resource, name, attribute):
    hidden = anon.get(f"{API}/{resource}/", {name: getattr(world, attribute)})
    missing = anon.get(f"{API}/{resource}/", {name: MISSING})
    assert hidden.status_code == missing.status_code == 400
    assert json.dumps(hidden.json()).replace(str(getattr(world, attribute)), "X") == json.dumps(
        missing.json()).replace(str(MISSING), "X")


@pytest.mark.parametrize("path", ["parties/", "claims/", "clauses/", "agreements/", "memberships/",
                                  "persons/", "organisations/", "members/", "state-years/", "dyad-years/"])
def test_a_hidden_country_answers_as_a_missing_one(anon, world, path):
    hidden, missing = (anon.get(f"{API}/{path}", {"country": code}) for code in ("TKM", "ZZZ"))
    assert hidden.status_code == missing.status_code
    assert text(hidden).replace("TKM", "X") == text(missing).replace("ZZZ", "X")


def test_public_history_has_published_versions_only_and_no_staff_names(anon, editor, world):
    pact = Agreement.objects.get(pk=world.pact.pk)
    pact.summary = "Zorkmid draft summary."  # changed and published again, by a named editor
    pact._history_user = editor
    pact._change_reason = "Qwerty internal note"
    saved(pact)
    body = anon.get(f"{API}/agreements/{pact.pk}/history/")
    assert body.status_code == 200
    versions = body.json()
    assert versions
    assert all(v["history_user"] is None and v["history_change_reason"] is None for v in versions)
    published_ids = set(pact.history.filter(status="published").values_list("history_id", flat=True))
    assert {v["history_id"] for v in versions} == published_ids
    staff = token_client(editor).get(f"{API}/agreements/{pact.pk}/history/").json()
    assert "editor" in {v["history_user"] for v in staff}
    assert len(staff) > len(versions)


def test_the_published_dataset_leaves_no_trace(tmp_path, world):
    call_command("export_dataset", str(tmp_path), "--published-only", verbosity=0)
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert_no_secret(path.read_text(encoding="utf-8"), path.name)


# Publishing and retracting keep published records referring to published ones --------------


def test_publishing_needs_the_required_references_published(world):
    tkm = Country.objects.get(iso3="TKM")
    party = make_party(agreement=world.pact, country=tkm, action="ratification", date="2022")
    cite(party)
    party.status = "published"
    with pytest.raises(ValidationError) as refused:
        saved(party)
    assert "Publish the country “Turkmenistan” first" in str(refused.value)
    clause = make_clause(agreement=Agreement.objects.get(pk=world.secret_agreement))
    cite(clause)
    clause.status = "published"
    with pytest.raises(ValidationError, match="needs a published agreement"):
        saved(clause)
    membership = Membership(organisation_id=world.secret_org, country=Country.objects.get(iso3="AZE"),
                            role="member")
    membership.status = "published"
    with pytest.raises(ValidationError, match="needs a published organisation"):
        saved(membership)


def test_retracting_a_record_published_ones_need_is_refused_naming_them(world):
    aze = Country.objects.get(iso3="AZE")
    aze.status = "retracted"
    with pytest.raises(ValidationError) as refused:
        saved(aze)
    assert "Published records need this country" in str(refused.value)
    assert "Shusha Declaration" in str(refused.value)
    pact = Agreement.objects.get(pk=world.pact.pk)
    pact.status = "review"
    with pytest.raises(ValidationError, match="party action"):
        saved(pact)


def test_optional_references_may_stay_hidden(world):
    """A published claim whose claimant is a draft, a published agreement with a draft parent:
    allowed, and shown as null to the public (above)."""
    claim = Claim.objects.get(claimant_id=world.secret_person)
    claim.full_clean()
    Agreement.objects.get(pk=world.pact.pk).full_clean()
    assert not Party.objects.published().filter(country__iso3="TKM").exists()
    assert not Clause.objects.published().filter(agreement_id=world.secret_agreement).exists()
