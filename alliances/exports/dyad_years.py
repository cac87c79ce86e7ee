"""Dyad-years, ATOP / Correlates of War style, from the Party rule (see bonds.py).

Non-directed (default): one row per pair of countries per year in which both are bound by at
least one common agreement; the lower COW code first (by iso3 where a code is missing).
Directed: one row per obligor -> beneficiary pair per year, from the clauses' obligors and
beneficiaries (empty means every party to every other, both ways; an agreement without
clauses counts as mutual). Provision flags are 1 when a clause of that type applies to the pair.
Only years in which the dyad exists appear: nothing is 0-filled, there is no -9.

    csv_response(dyad_years.stream(agreements=Agreement.objects.published(), ...), "dyad-years.csv")
"""

from collections import defaultdict
from collections.abc import Iterator
from itertools import combinations, permutations

from django.db.models import QuerySet

from .bonds import (
    Bonds,
    Cell,
    ProvisionColumn,
    current_year,
    joined,
    load,
    resolve_country,
    resolve_provision,
)
from .columns import Column, FileSpec

# (COW code column, iso3 column, meaning) of each side of a dyad
SIDES = {
    False: (
        ("ccode1", "iso3_1", "the first country of the dyad (the lower COW code; by iso3 where a "
                             "code is missing)"),
        ("ccode2", "iso3_2", "the second country of the dyad"),
    ),
    True: (
        ("ccode_a", "iso3_a", "the obligor (country A, which makes the commitment)"),
        ("ccode_b", "iso3_b", "the beneficiary (country B, to which the commitment is made)"),
    ),
}


def spec(columns: list[ProvisionColumn], directed: bool = False) -> FileSpec:
    sides = SIDES[directed]
    return FileSpec(
        "dyad-years-directed" if directed else "dyad-years",
        "Directed dyad-years" if directed else "Dyad-years",
        "One row per obligor-beneficiary pair per year in which the obligor has a commitment to "
        "the beneficiary under a common agreement." if directed else
        "One row per pair of countries per year in which both are bound by at least one common "
        "agreement (a joining action in or before the year, no withdrawal before it, agreement "
        "not ended before it).",
        (
            *(Column(ccode, "integer", f"Correlates of War state code of {meaning}; empty when it has none.")
              for ccode, _, meaning in sides),
            *(Column(iso3, "string", f"ISO 3166-1 alpha-3 code of {meaning}.", pattern="[A-Z]{3}")
              for _, iso3, meaning in sides),
            Column("year", "integer", "The year (a country that joins or leaves during the year is "
                   "bound for the whole of it)."),
            *(Column(provision.name, "integer", provision.description, allowed=("0", "1"))
              for provision in columns),
            Column("n_agreements", "integer", "Number of agreements behind the row."),
            Column("agreement_ids", "string", "Ids of those agreements (agreements.csv), joined with ';'."),
            Column("source_ids", "string", "Ids of the sources (sources.csv) cited by those agreements, "
                   "the two countries' party actions and the clauses behind the flags, joined with ';'."),
        ),
    )


def records(*, agreements: QuerySet | None = None, parties: QuerySet | None = None,
            clauses: QuerySet | None = None, countries: QuerySet | None = None,
            directed: bool = False, country: str | None = None,
            year_from: int | None = None, year_to: int | None = None,
            provision: str | None = None) -> tuple[FileSpec, Iterator[dict]]:
    """The file's layout and its rows as dicts (for JSON). Filters are checked here, before the
    first row is produced (InvalidFilter for an unknown country or provision), so a caller can
    answer 400. Base querysets: pass `.published()` ones for anonymous readers."""
    bonds = load(agreements, parties, clauses)
    country_id = resolve_country(country, countries)
    provision_column = resolve_provision(provision, bonds.columns)
    cells = dyads(bonds, directed=directed, country=country_id, year_from=year_from,
                  year_to=year_to or current_year(), provision=provision_column)
    return spec(bonds.columns, directed), rows(bonds, cells, directed)


def stream(**filters) -> Iterator[list]:
    """Header and rows of the dyad-year file, for csv_response(); filters as records()."""
    file, found = records(**filters)
    return file.render(found)


def dyads(bonds: Bonds, *, directed: bool, country: int | None, year_from: int | None, year_to: int,
          provision: str | None) -> dict[tuple[int, int, int], Cell]:
    cells: dict[tuple[int, int, int], Cell] = defaultdict(Cell)
    pairs = permutations if directed else combinations
    for agreement_id, spells in bonds.spells.items():
        clauses = bonds.clauses.get(agreement_id, [])
        agreement_sources = bonds.sources_of("agreement", [agreement_id])
        spans = [(spell, bonds.years(spell, year_from, year_to)) for spell in spells]
        for (one, years_one), (two, years_two) in pairs([span for span in spans if span[1]], 2):
            if one.country_id == two.country_id:
                continue  # two spells of one country that left and joined again
            if country is not None and country not in (one.country_id, two.country_id):
                continue
            years = range(max(years_one.start, years_two.start), min(years_one.stop, years_two.stop))
            if not years:
                continue
            if directed:
                a, b = one.country_id, two.country_id
                applying = [clause for clause in clauses if clause.applies(a, b)]
                if clauses and not applying:
                    continue
            else:
                a, b = bonds.ordered(one.country_id, two.country_id)
                applying = [clause for clause in clauses if clause.applies(a, b) or clause.applies(b, a)]
            flags = set().union(*(clause.provisions for clause in applying))
            if provision is not None and provision not in flags:
                continue
            sources = frozenset(
                agreement_sources
                | bonds.sources_of("clause", [clause.id for clause in applying])
                | bonds.sources_of("party", one.party_ids + two.party_ids)
            )
            for year in years:
                cell = cells[a, b, year]
                cell.agreements.add(agreement_id)
                cell.flags |= flags
                cell.sources.add(sources)  # shared by every year of the span, not copied
    return cells


def rows(bonds: Bonds, cells: dict, directed: bool) -> Iterator[dict]:
    (ccode_a, iso3_a, _), (ccode_b, iso3_b, _) = SIDES[directed]
    for a, b, year in sorted(cells, key=lambda key: (bonds.country_key(key[0]),
                                                     bonds.country_key(key[1]), key[2])):
        cell = cells[a, b, year]
        row = {
            iso3_a: bonds.countries[a][0], ccode_a: bonds.countries[a][1],
            iso3_b: bonds.countries[b][0], ccode_b: bonds.countries[b][1], "year": year,
            "n_agreements": len(cell.agreements), "agreement_ids": joined(cell.agreements),
            "source_ids": joined(cell.source_ids()),
        }
        row.update({column.name: int(column.name in cell.flags) for column in bonds.columns})
        yield row
