"""Dyad-years, state-years and members on a small hand-built set of agreements."""

import pytest

from alliances.exports import agreement_level, dyad_years, members, state_years
from alliances.exports.bonds import InvalidFilter
from alliances.models import Agreement, Clause, Party, ProvisionType
from tests.conftest import cite, make_agreement, make_clause, make_country, make_party, make_source, publish

pytestmark = pytest.mark.django_db

YEAR_TO = 2025


def provisions(*slugs):
    return ProvisionType.objects.filter(slug__in=slugs)


@pytest.fixture
def world():
    """A: AZE and TUR sign a mutual defence declaration in mid-2021; UZB accedes in July 2023;
    TUR withdraws in March 2024. B: proposed, binds nobody. C: KAZ and UZB, 2020, ended 2022,
    a one-way mobility pledge of UZB to KAZ. PSE has no COW code."""
    aze, tur = make_country("AZE", cow_code=373), make_country("TUR", cow_code=640)
    uzb, kaz = make_country("UZB", cow_code=704), make_country("KAZ", cow_code=705)
    pse = make_country("PSE")
    source = make_source()
    a = make_agreement(title="Shusha Declaration", signed_on="2021-06-15")
    cite(a, source)
    for country in (aze, tur):
        cite(make_party(agreement=a, country=country, date="2021-06-15"), source)
    make_party(agreement=a, country=uzb, action="accession", date="2023-07")
    make_party(agreement=a, country=tur, action="withdrawal", date="2024-03-01")
    make_party(agreement=a, country=pse, action="accession", date="2025")
    defence = make_clause(agreement=a, provision_types=provisions("defense"))
    cite(defence, source, quote="mutual assistance")
    b = make_agreement(legal_status="proposed", signed_on="2022")
    for country in (aze, uzb):
        make_party(agreement=b, country=country, date="2022")
    c = make_agreement(signed_on="2020", ends_on="2022-05")
    for country in (kaz, uzb):
        make_party(agreement=c, country=country, date="2020")
    mobility = make_clause(agreement=c, provision_types=provisions("mobility"))
    mobility.obligors.set([uzb])
    mobility.beneficiaries.set([kaz])
    return {"a": a, "b": b, "c": c, "source": source}


def table(rows):
    rows = list(rows)
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def dyads(**filters):
    filters.setdefault("year_to", YEAR_TO)
    return [
        (row.get("iso3_1") or row["iso3_a"], row.get("iso3_2") or row["iso3_b"], row["year"])
        for row in table(dyad_years.stream(**filters))
    ]


def test_non_directed_dyads_follow_the_party_rule(world):
    assert dyads() == [
        ("AZE", "TUR", 2021), ("AZE", "TUR", 2022), ("AZE", "TUR", 2023), ("AZE", "TUR", 2024),
        ("AZE", "UZB", 2023), ("AZE", "UZB", 2024), ("AZE", "UZB", 2025),
        ("AZE", "PSE", 2025),
        ("TUR", "UZB", 2023), ("TUR", "UZB", 2024),  # accession mid-2023, withdrawal in 2024
        ("UZB", "KAZ", 2020), ("UZB", "KAZ", 2021), ("UZB", "KAZ", 2022),  # C ended in 2022
        ("PSE", "UZB", 2025),  # no COW code: ordered by iso3, listed after the coded dyads
    ]


def test_lower_cow_code_first_and_provision_flags(world):
    rows = {(row["iso3_1"], row["iso3_2"], row["year"]): row
            for row in table(dyad_years.stream(year_to=YEAR_TO))}
    aze_tur = rows["AZE", "TUR", 2021]
    assert (aze_tur["ccode1"], aze_tur["ccode2"]) == (373, 640)
    assert (aze_tur["defense"], aze_tur["offense"], aze_tur["mobility"]) == (1, 0, 0)
    assert aze_tur["n_agreements"] == 1 and aze_tur["agreement_ids"] == str(world["a"].pk)
    assert aze_tur["source_ids"] == str(world["source"].pk)
    assert rows["AZE", "PSE", 2025]["ccode2"] is None
    uzb_kaz = rows["UZB", "KAZ", 2021]
    assert (uzb_kaz["ccode1"], uzb_kaz["ccode2"]) == (704, 705)
    assert (uzb_kaz["mobility"], uzb_kaz["defense"]) == (1, 0)
    assert uzb_kaz["source_ids"] == ""


def test_directed_dyads_go_from_obligor_to_beneficiary(world):
    directed = dyads(directed=True)
    assert ("AZE", "TUR", 2021) in directed and ("TUR", "AZE", 2021) in directed  # mutual
    assert ("UZB", "KAZ", 2020) in directed and ("KAZ", "UZB", 2020) not in directed  # one way
    header = next(iter(dyad_years.stream(directed=True, year_to=YEAR_TO)))
    assert header[:4] == ["ccode_a", "ccode_b", "iso3_a", "iso3_b"]


def test_no_rows_outside_coverage_and_filters(world):
    assert all(2020 <= year <= YEAR_TO for _, _, year in dyads())
    assert dyads(year_from=2024, year_to=2024) == [
        ("AZE", "TUR", 2024), ("AZE", "UZB", 2024), ("TUR", "UZB", 2024),
    ]
    assert {dyad[:2] for dyad in dyads(country="KZ")} == {("UZB", "KAZ")}
    assert {dyad[:2] for dyad in dyads(provision="mobility")} == {("UZB", "KAZ")}
    assert {dyad[:2] for dyad in dyads(provision="defense")} == {
        ("AZE", "TUR"), ("AZE", "UZB"), ("AZE", "PSE"), ("TUR", "UZB"), ("PSE", "UZB"),
    }
    with pytest.raises(InvalidFilter):
        dyad_years.stream(country="XX")
    with pytest.raises(InvalidFilter):
        dyad_years.stream(provision="alliance")


def test_published_base_querysets_show_published_records_only(world):
    published = {"agreements": Agreement.objects.published(), "parties": Party.objects.published(),
                  "clauses": Clause.objects.published()}
    assert dyads(**published) == []
    publish(world["a"])
    for party in world["a"].parties.filter(country__iso3__in=["AZE", "TUR"]):
        publish(party)
    assert dyads(**published) == [("AZE", "TUR", year) for year in range(2021, 2025)]
    assert all(row["defense"] == 0 for row in table(dyad_years.stream(year_to=YEAR_TO, **published)))


def test_queries_do_not_grow_with_dyads(world, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        list(dyad_years.stream(year_to=YEAR_TO))


def test_state_years(world):
    rows = table(state_years.stream(year_to=YEAR_TO))
    years = {(row["iso3"], row["year"]): row for row in rows}
    assert sorted(year for iso3, year in years if iso3 == "TUR") == [2021, 2022, 2023, 2024]
    assert sorted(year for iso3, year in years if iso3 == "UZB") == [2020, 2021, 2022, 2023, 2024, 2025]
    assert years["UZB", 2022]["mobility"] == 1 and years["UZB", 2022]["n_agreements"] == 1
    assert years["UZB", 2023]["defense"] == 1 and years["UZB", 2023]["mobility"] == 0
    assert years["KAZ", 2021]["mobility"] == 1  # the beneficiary


def test_members(world):
    rows = table(members.stream())
    a = [row for row in rows if row["agreement_id"] == world["a"].pk]
    fields = ("iso3", "entry", "entry_precision", "exit", "exit_by")
    assert [tuple(row[name] for name in fields) for row in a] == [
        ("AZE", "2021-06-15", "day", None, None),
        ("TUR", "2021-06-15", "day", "2024-03-01", "withdrawal"),
        ("UZB", "2023-07", "month", None, None),
        ("PSE", "2025", "year", None, None),
    ]
    c = [row for row in rows if row["agreement_id"] == world["c"].pk]
    assert {(row["exit"], row["exit_precision"], row["exit_by"]) for row in c} == {
        ("2022-05", "month", "agreement_end")
    }
    assert not [row for row in rows if row["agreement_id"] == world["b"].pk]  # proposed
    assert a[0]["source_ids"] == str(world["source"].pk)


def test_agreement_level(world):
    rows = {row["agreement_id"]: row for row in table(agreement_level.stream())}
    assert world["b"].pk not in rows  # proposed
    a, c = rows[world["a"].pk], rows[world["c"].pk]
    assert (a["begin"], a["begin_precision"], a["end"], a["n_members"]) == ("2021-06-15", "day", None, 4)
    assert a["members"] == "AZE;TUR;UZB;PSE"
    assert (a["defense"], a["mobility"], c["defense"], c["mobility"]) == (1, 0, 0, 1)
    assert (c["begin"], c["end"], c["end_precision"]) == ("2020", "2022-05", "month")
    assert a["source_ids"] == str(world["source"].pk)
    assert list(rows) == sorted(rows)
    assert {row["agreement_id"] for row in table(agreement_level.stream(provision="mobility"))} == {
        world["c"].pk
    }
