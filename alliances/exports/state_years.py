"""State-years, as ATOP ships them: one row per country per year in which it is bound by at
least one agreement (the Party rule, see bonds.py), with 0/1 provision flags.

A flag is 1 when an agreement binding the state that year has a clause of that type that
concerns it: as an obligor or beneficiary, or through a mutual clause (no obligors or no
beneficiaries named).
"""

from collections import defaultdict
from collections.abc import Iterator

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


def spec(columns: list[ProvisionColumn]) -> FileSpec:
    return FileSpec(
        "state-years", "State-years",
        "One row per country per year in which it is bound by at least one agreement.",
        (
            Column("ccode", "integer", "Correlates of War state code; empty when the country has none."),
            Column("iso3", "string", "ISO 3166-1 alpha-3 code of the country.", pattern="[A-Z]{3}"),
            Column("year", "integer", "The year (joining or leaving during it counts for the whole year)."),
            *(Column(provision.name, "integer",
                     provision.description.replace("the row's countries", "the country"), allowed=("0", "1"))
              for provision in columns),
            Column("n_agreements", "integer", "Number of agreements binding the country that year."),
            Column("agreement_ids", "string", "Ids of those agreements (agreements.csv), joined with ';'."),
            Column("source_ids", "string", "Ids of the sources (sources.csv) cited by those agreements, "
                   "the country's party actions and the clauses behind the flags, joined with ';'."),
        ),
    )


def records(*, agreements: QuerySet | None = None, parties: QuerySet | None = None,
            clauses: QuerySet | None = None, countries: QuerySet | None = None,
            country: str | None = None, year_from: int | None = None,
            year_to: int | None = None, provision: str | None = None) -> tuple[FileSpec, Iterator[dict]]:
    """The file's layout and its rows as dicts; filters checked before the first row."""
    bonds = load(agreements, parties, clauses)
    country_id = resolve_country(country, countries)
    provision_column = resolve_provision(provision, bonds.columns)
    cells = state_years(bonds, country=country_id, year_from=year_from,
                        year_to=year_to or current_year(), provision=provision_column)
    return spec(bonds.columns), rows(bonds, cells)


def stream(**filters) -> Iterator[list]:
    """Header and rows of the state-year file, for csv_response(); filters as records()."""
    file, found = records(**filters)
    return file.render(found)


def state_years(bonds: Bonds, *, country: int | None, year_from: int | None, year_to: int,
                provision: str | None) -> dict[tuple[int, int], Cell]:
    cells: dict[tuple[int, int], Cell] = defaultdict(Cell)
    for agreement_id, spells in bonds.spells.items():
        clauses = bonds.clauses.get(agreement_id, [])
        for spell in spells:
            if country is not None and spell.country_id != country:
                continue
            concerning = [clause for clause in clauses if clause.concerns(spell.country_id)]
            flags = set().union(*(clause.provisions for clause in concerning))
            if provision is not None and provision not in flags:
                continue
            sources = frozenset(
                bonds.sources_of("agreement", [agreement_id])
                | bonds.sources_of("clause", [clause.id for clause in concerning])
                | bonds.sources_of("party", spell.party_ids)
            )
            for year in bonds.years(spell, year_from, year_to):
                cell = cells[spell.country_id, year]
                cell.agreements.add(agreement_id)
                cell.flags |= flags
                cell.sources.add(sources)  # shared by every year of the span, not copied
    return cells


def rows(bonds: Bonds, cells: dict) -> Iterator[dict]:
    for country_id, year in sorted(cells, key=lambda key: (bonds.country_key(key[0]), key[1])):
        cell = cells[country_id, year]
        iso3, ccode = bonds.countries[country_id]
        row = {
            "ccode": ccode, "iso3": iso3, "year": year, "n_agreements": len(cell.agreements),
            "agreement_ids": joined(cell.agreements), "source_ids": joined(cell.source_ids()),
        }
        row.update({column.name: int(column.name in cell.flags) for column in bonds.columns})
        yield row
