"""The researcher's dataset: export_dataset, Frictionless validation, the codebook, and the
round trip export -> empty database -> import_dataset -> export, byte for byte."""

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection
from frictionless import validate

from alliances.exports import agreement_level, codebook, dyad_years, members, state_years
from alliances.exports.tables import TABLES
from alliances.models import Agreement, Claim, Country, ProvisionType
from sources.models import Citation, Source
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

YEAR = "2025"
# A curators' note with what a CSV cell must carry: a line break, the list separator, quotes.
NOTE = 'Held for review: 002 says "set to attend";\njoined_on from general knowledge.'


def build_register():
    """A little of everything the exporter must carry: partial dates of every precision, aliases,
    lists, formula-like and non-ASCII text, statuses, provenance with and without stored text."""
    aze = make_country("AZE", cow_code=373, aliases=["Azərbaycan"])
    tur = make_country("TUR", cow_code=640, aliases=["Türkiye", "Turkey"], wikidata_qid="Q43")
    uzb = make_country("UZB", cow_code=704)
    ots = make_organisation(name="Organization of Turkic States", acronym="OTS", aliases=["Turkic Council"],
                            kind="regional_forum", founded_on="2009-10", status="published")
    source = make_source(title="Shusha", published_on="2021-06", language="en", kind="news")
    bare = make_source(title="No stored text", text="", url="https://example.org/a")
    publish(make_membership(organisation=ots, country=aze, joined_on="2009", role="member"), source)
    make_membership(organisation=ots, country=uzb, joined_on="2019-10-15", left_on="2030", note=NOTE)
    person = make_person(name="İlham Əliyev", country=aze, organisation=ots, aliases=["Ilham Aliyev"])
    shusha = make_agreement(
        title="Shusha Declaration on Allied Relations", short_name="Shusha Declaration",
        aliases=["Şuşa Bəyannaməsi"], kind="declaration", legal_status="in_force",
        signed_on="2021-06-15", signed_at="Shusha", in_force_on="2022-01", organisation=ots,
        summary="=1+1 is not a formula here; -5 neither.", atopid=123,
    )
    publish(shusha, source)
    protocol = make_agreement(title="- Protocol", parent=shusha, signed_on="2023", ends_on="2024-05")
    cite(protocol, source, text_fragment="Shusha Declaration,Allied Relations")
    for country in (aze, tur):
        publish(make_party(agreement=shusha, country=country, date="2021-06-15", signed_by=person), source)
    make_party(agreement=shusha, country=uzb, action="accession", date="2023-07")
    make_party(agreement=protocol, country=uzb, date="2023")
    make_party(agreement=protocol, country=tur, date="2023")
    clause = make_clause(agreement=shusha, label="Article 1", text="'Quoted' mutual assistance",
                         provision_types=ProvisionType.objects.filter(slug__in=["defense", "consultation"]))
    publish(clause, source, quote="mutual assistance")
    pledge = make_clause(agreement=protocol, provision_types=ProvisionType.objects.filter(slug="mobility"))
    pledge.obligors.set([uzb])
    pledge.beneficiaries.set([tur])
    first = make_claim(text="Trade reached $1 billion.", kind="figure", claimant=person, claimed_on="2023",
                       quantity_value=Decimal("1000000000"), quantity_unit="USD", period_start="2023")
    second = make_claim(text="@trade fell", rank="deprecated", rank_reason="superseded")
    first.subject_countries.set([uzb, aze])
    first.subject_agreements.set([shusha])
    first.subject_organisations.set([ots])
    first.contradicts.set([second])
    cite(first, source, quote="$1 billion in 2023")
    cite(aze, bare, quote="Azerbaijan")
    third = publish(make_claim(text="The protocol is a step.", claimant=person), source)
    third.subject_agreements.set([shusha, protocol])
    return {"shusha": shusha, "source": source}


def export(directory: Path) -> dict:
    call_command("export_dataset", str(directory), "--year-to", YEAR, verbosity=0)
    return json.loads((directory / "datapackage.json").read_text())


def header(path: Path) -> list[str]:
    with open(path, encoding="utf-8", newline="") as data:
        return next(csv.reader(data))


@pytest.fixture
def empty_the_database():
    """Flush the test database (content types get new ids); the test's rollback restores it,
    and the content type cache must forget the ids that the rollback discarded."""

    def flush():
        if connection.vendor == "postgresql":  # TRUNCATE waits for no deferred foreign-key check
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        call_command("flush", "--no-input", verbosity=0)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        ContentType.objects.clear_cache()

    yield flush
    ContentType.objects.clear_cache()


def test_export_validates_as_a_frictionless_package(tmp_path):
    build_register()
    descriptor = export(tmp_path)
    report = validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])
    resources = {resource["name"]: resource for resource in descriptor["resources"]}
    assert set(resources) == {*TABLES, "agreement-level", "members", "state-years", "dyad-years",
                              "dyad-years-directed", "codebook"}
    assert resources["countries"]["rows"] == 3 and resources["agreements"]["rows"] == 2
    assert resources["dyad-years"]["hash"].startswith("sha256:") and resources["dyad-years"]["bytes"] > 0
    assert descriptor["version"] and descriptor["created"].endswith("Z")
    fields = {field["name"]: field for field in resources["agreements"]["schema"]["fields"]}
    assert fields["signed_on"]["type"] == "string" and fields["signed_on_precision"]["constraints"]["enum"]
    assert fields["legal_status"]["description"] == "proposed, signed, in force, expired or terminated."
    assert (tmp_path / "codebook.md").read_text().startswith("# Alliance Register: codebook")


def test_every_exported_column_is_in_the_codebook(tmp_path):
    build_register()
    export(tmp_path)
    with open(tmp_path / "codebook.csv", encoding="utf-8", newline="") as data:
        documented = {(row["file"], row["column"]) for row in csv.DictReader(data)}
    for path in tmp_path.glob("*.csv"):
        assert {(path.name, column) for column in header(path)} <= documented, path.name
    # and the streams the API serves
    streams = {
        "agreement-level.csv": agreement_level.stream(),
        "members.csv": members.stream(), "state-years.csv": state_years.stream(),
        "dyad-years.csv": dyad_years.stream(), "dyad-years-directed.csv": dyad_years.stream(directed=True),
    }
    streams.update({table.filename: table.stream(table.model.objects.all()) for table in TABLES.values()})
    for filename, rows in streams.items():
        assert {(filename, column) for column in next(iter(rows))} <= documented, filename
    assert all(entry["description"] for entry in codebook.entries()), "a column without a meaning"


def test_the_curators_notes_are_exported_with_their_meaning(tmp_path):
    build_register()
    descriptor = export(tmp_path)
    memberships = next(resource for resource in descriptor["resources"] if resource["name"] == "memberships")
    [field] = [field for field in memberships["schema"]["fields"] if field["name"] == "note"]
    assert field["type"] == "string" and field["description"].startswith("The curators' note on the record")
    with open(tmp_path / "memberships.csv", encoding="utf-8", newline="") as data:
        assert [row["note"] for row in csv.DictReader(data)] == ["", NOTE]
    with open(tmp_path / "codebook.csv", encoding="utf-8", newline="") as data:
        noted = {row["file"] for row in csv.DictReader(data) if row["column"] == "note"}
    assert noted == {f"{name}.csv" for name, table in TABLES.items() if table.cited}


def test_round_trip_gives_byte_identical_files(tmp_path, empty_the_database):
    build_register()
    before = tmp_path / "before"
    descriptor = export(before)
    stamps = dict(Agreement.objects.values_list("id", "updated_at"))
    empty_the_database()
    assert not Country.objects.exists() and not ProvisionType.objects.exists()
    call_command("import_dataset", str(before), verbosity=0)
    after = tmp_path / "after"
    assert {**export(after), "created": None} == {**descriptor, "created": None}  # hashes, version
    files = sorted(path.name for path in before.iterdir() if path.name != "datapackage.json")
    assert files == sorted(path.name for path in after.iterdir() if path.name != "datapackage.json")
    for name in files:
        assert (before / name).read_bytes() == (after / name).read_bytes(), name
    assert dict(Agreement.objects.values_list("id", "updated_at")) == stamps
    citation = Citation.objects.filter(content_type__model="country").get()
    assert (citation.match, citation.verified, citation.start) == ("unverified", False, None)
    assert Claim.objects.get(rank="deprecated").contradicts.count() == 1
    assert Source.objects.filter(sha256="").count() == 1
    assert Agreement.history.filter(history_change_reason="import_dataset").count() == 2
    newest = max(Country.objects.values_list("id", flat=True))
    assert make_country("KAZ").pk > newest  # the id sequence continues after the imported ids


def test_import_without_history(tmp_path, empty_the_database):
    build_register()
    export(tmp_path)
    empty_the_database()
    call_command("import_dataset", str(tmp_path), "--without-history", verbosity=0)
    assert Agreement.objects.count() == 2 and not Agreement.history.exists()


def test_import_refuses_a_database_that_is_not_empty(tmp_path):
    build_register()
    export(tmp_path)
    with pytest.raises(CommandError, match=r"The database is not empty .*3 countries"):
        call_command("import_dataset", str(tmp_path), verbosity=0)


def test_import_refuses_a_changed_file(tmp_path, empty_the_database):
    build_register()
    export(tmp_path)
    empty_the_database()
    with open(tmp_path / "countries.csv", "a", encoding="utf-8") as data:
        data.write("99,Nowhere,NW,NWH,,,,draft,,,,\r\n")
    with pytest.raises(CommandError, match=r"countries\.csv does not match the SHA-256"):
        call_command("import_dataset", str(tmp_path), verbosity=0)
    assert not Country.objects.exists()


def test_published_only_export_leaves_drafts_out(tmp_path):
    register = build_register()
    call_command("export_dataset", str(tmp_path), "--published-only", "--year-to", YEAR, verbosity=0)
    with open(tmp_path / "agreements.csv", encoding="utf-8", newline="") as data:
        assert [row["id"] for row in csv.DictReader(data)] == [str(register["shusha"].pk)]
    with open(tmp_path / "sources.csv", encoding="utf-8", newline="") as data:
        sources = [row["title"] for row in csv.DictReader(data)]
    assert sources == ["Shusha", "No stored text"]  # the second is cited by a (published) country
    with open(tmp_path / "claims.csv", encoding="utf-8", newline="") as data:
        claims = {row["text"]: row for row in csv.DictReader(data)}
    # A published claim about the draft protocol, by a draft person, names only what the
    # package holds: the foreign keys of datapackage.json hold (validated below).
    assert claims["The protocol is a step."]["subject_agreements"] == str(register["shusha"].pk)
    assert claims["The protocol is a step."]["claimant"] == ""
    with open(tmp_path / "parties.csv", encoding="utf-8", newline="") as data:
        assert {row["signed_by"] for row in csv.DictReader(data)} == {""}
    report = validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])
    with open(tmp_path / "dyad-years.csv", encoding="utf-8", newline="") as data:
        rows = list(csv.DictReader(data))
    assert {(row["iso3_1"], row["iso3_2"]) for row in rows} == {("AZE", "TUR")}
    assert [row["year"] for row in rows] == [str(year) for year in range(2021, int(YEAR) + 1)]
