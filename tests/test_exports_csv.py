"""Streaming CSV of the tables: header, lists, partial dates, provenance, formula cells, UTF-8."""

import csv
import io
from decimal import Decimal

import pytest

from alliances.exports.csv_stream import csv_response, neutralise, stream_csv, unneutralise
from alliances.exports.tables import TABLES, table_csv_response
from alliances.models import Agreement, Clause, Country, ProvisionType
from tests.conftest import (
    cite,
    make_agreement,
    make_claim,
    make_clause,
    make_country,
    make_party,
    make_source,
    publish,
)


def read(blocks) -> list[dict]:
    return list(csv.DictReader(io.StringIO(b"".join(blocks).decode("utf-8"))))


def test_formula_cells_are_neutralised_and_numbers_are_not():
    cells = ["=1+2", "+x", "-x", "@SUM(A1)", "\tx", "\rx", "\nx", "'quoted", "plain", "Türkiye"]
    assert [neutralise(cell) for cell in cells] == [
        "'=1+2", "'+x", "'-x", "'@SUM(A1)", "'\tx", "'\rx", "'\nx", "''quoted", "plain", "Türkiye",
    ]
    assert neutralise(-5) == -5 and neutralise(Decimal("-1.5")) == Decimal("-1.5")
    assert all(unneutralise(neutralise(cell)) == cell for cell in cells)
    body = b"".join(stream_csv([["a", "b", "c"], [-5, "-5", None]])).decode()
    assert body == "a,b,c\r\n-5,'-5,\r\n"


def test_stream_yields_blocks_without_holding_every_row():
    rows = (["row", index] for index in range(1000))
    blocks = stream_csv(rows)
    first = next(blocks)
    assert first.count(b"\r\n") == 200  # one block, the rest not produced yet
    assert sum(block.count(b"\r\n") for block in blocks) == 800


def test_csv_response_is_an_attachment_in_utf8():
    response = csv_response(iter([["name"], ["Türkiye"]]), "countries.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="countries.csv"'
    assert b"".join(response.streaming_content).decode("utf-8") == "name\r\nTürkiye\r\n"


@pytest.mark.django_db
def test_agreement_row_has_partial_dates_lists_and_provenance():
    source = make_source()
    agreement = make_agreement(
        title="=HYPERLINK(\"http://evil\")", short_name="Shusha Declaration",
        aliases=["Şuşa Bəyannaməsi", "Shusha"], signed_on="2021-06", in_force_on="2022",
    )
    first = cite(agreement, source)
    second = cite(agreement, source, quote="mutual assistance")
    rows = read(stream_csv(TABLES["agreements"].stream(Agreement.objects.all())))
    assert rows == [rows[0]] and rows[0]["id"] == str(agreement.pk)
    row = rows[0]
    assert row["title"] == "'=HYPERLINK(\"http://evil\")"
    assert row["aliases"] == "Şuşa Bəyannaməsi;Shusha"
    assert (row["signed_on"], row["signed_on_precision"]) == ("2021-06", "month")
    assert (row["in_force_on"], row["in_force_on_precision"]) == ("2022", "year")
    assert (row["ends_on"], row["ends_on_precision"]) == ("", "")
    assert row["citation_ids"] == f"{first.pk};{second.pk}"
    assert row["source_ids"] == str(source.pk)


@pytest.mark.django_db
def test_clause_lists_provision_slugs_and_countries_by_iso3():
    aze, tur = make_country("AZE"), make_country("TUR")
    clause = make_clause(
        agreement=make_agreement(),
        provision_types=ProvisionType.objects.filter(slug__in=["defense", "bases"]),
    )
    clause.obligors.set([tur])
    clause.beneficiaries.set([aze, tur])
    row = read(stream_csv(TABLES["clauses"].stream(Clause.objects.all())))[0]
    assert row["provision_types"] == "defense;bases"
    assert row["obligors"] == "TUR"
    assert row["beneficiaries"] == "AZE;TUR"
    assert row["citation_ids"] == row["source_ids"] == ""


@pytest.mark.django_db
def test_tables_use_a_fixed_number_of_queries_per_chunk(django_assert_max_num_queries):
    countries = [make_country(iso3) for iso3 in ("AZE", "TUR", "UZB", "KAZ", "KGZ")]
    for country in countries:
        publish(make_party(agreement=publish(make_agreement()), country=country, date="2021"))
    make_claim(quantity_value=Decimal("1500000000"), quantity_unit="USD").subject_countries.set(countries)
    for name, table in TABLES.items():
        queryset = table.model.objects.all()
        chunks = -(-queryset.count() // 2)
        per_chunk = len([column for column in table.columns if column.m2m]) + table.cited
        with django_assert_max_num_queries(1 + chunks * per_chunk):
            rows = list(table.stream(queryset, chunk_size=2))
        assert rows[0] == table.header and len(rows) == queryset.count() + 1, name
    claim = read(stream_csv(TABLES["claims"].stream(TABLES["claims"].model.objects.all())))[0]
    assert claim["quantity_value"] == "1500000000"
    assert claim["subject_countries"] == ";".join(c.iso3 for c in sorted(countries, key=lambda c: c.pk))


@pytest.mark.django_db
def test_citations_name_the_cited_file():
    country = make_country("UZB")
    citation = cite(country, quote="Uzbekistan")
    row = read(stream_csv(TABLES["citations"].stream(TABLES["citations"].model.objects.all())))[0]
    assert (row["record_type"], row["record_id"]) == ("countries", str(country.pk))
    assert row["verified"] == "true"
    assert row["quote"] == "Uzbekistan"
    assert int(row["start"]) == citation.start
    countries = read(stream_csv(TABLES["countries"].stream(Country.objects.all())))
    assert countries[0]["citation_ids"] == str(citation.pk)


@pytest.mark.django_db
def test_table_csv_response_streams_the_whole_queryset():
    for iso3 in ("AZE", "TUR"):
        make_country(iso3)
    response = table_csv_response("countries", Country.objects.published())
    assert response.streaming and response["Content-Disposition"] == 'attachment; filename="countries.csv"'
    rows = read(response.streaming_content)
    assert [row["iso3"] for row in rows] == ["AZE", "TUR"]


@pytest.mark.django_db
def test_stream_can_keep_the_callers_ordering():
    for iso3 in ("TUR", "AZE", "UZB"):
        make_country(iso3)
    table = TABLES["countries"]
    by_name = list(table.stream(Country.objects.order_by("-iso3"), order_by=None))
    assert [row[table.header.index("iso3")] for row in by_name[1:]] == ["UZB", "TUR", "AZE"]
    by_id = list(table.stream(Country.objects.order_by("-iso3").prefetch_related("party_actions")))
    assert [row[table.header.index("iso3")] for row in by_id[1:]] == ["TUR", "AZE", "UZB"]
