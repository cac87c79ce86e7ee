"""The agreement-level file, as ATOP ships it: one row per agreement that can bind (proposed ones
cannot), with its members, the span of its membership and ATOP-style 0/1 provision flags.

A flag is 1 when any clause of the agreement has a provision type of that kind, whoever it
obliges (the dyad-year and state-year files say towards whom).
"""

from collections.abc import Iterator

from django.db.models import QuerySet

from sources.partial_dates import Precision, format_partial

from .bonds import Bonds, ProvisionColumn, joined, load, resolve_provision
from .columns import PARTIAL_DATE_NOTE, PARTIAL_DATE_PATTERN, Column, FileSpec


def spec(columns: list[ProvisionColumn]) -> FileSpec:
    precision = tuple(Precision.values)
    return FileSpec(
        "agreement-level", "Agreement level",
        "One row per agreement that can bind (not proposed): members, membership span and provision "
        "flags, as ATOP's alliance-level file. Everything else about the agreement is in agreements.csv.",
        (
            Column("agreement_id", "integer", "Id of the agreement (agreements.csv)."),
            Column("atopid", "integer", "ATOP alliance id, for crosswalks; empty when none is recorded."),
            Column("cow_id", "integer", "Correlates of War alliance id, for crosswalks; empty when none."),
            Column("begin", "string", "Earliest dated joining action of any member. "
                   f"{PARTIAL_DATE_NOTE} Empty when none is dated.", pattern=PARTIAL_DATE_PATTERN),
            Column("begin_precision", "string", "Precision of begin: year, month or day.", allowed=precision),
            Column("end", "string", f"Date the agreement ends or ended. {PARTIAL_DATE_NOTE} "
                   "Empty when no end is recorded.", pattern=PARTIAL_DATE_PATTERN),
            Column("end_precision", "string", "Precision of end: year, month or day.", allowed=precision),
            Column("n_members", "integer", "Number of countries with a joining action on the agreement."),
            Column("members", "string", "ISO alpha-3 codes of those countries, joined with ';'."),
            *(Column(provision.name, "integer",
                     provision.description.replace(
                         "an agreement behind the row has a clause", "the agreement has a clause"
                     ).replace(" applying to the row's countries", ""),
                     allowed=("0", "1"))
              for provision in columns),
            Column("clause_ids", "string", "Ids of the agreement's clauses (clauses.csv), joined with ';'."),
            Column("source_ids", "string", "Ids of the sources (sources.csv) cited by the agreement and "
                   "its clauses, joined with ';'."),
        ),
    )


def records(*, agreements: QuerySet | None = None, parties: QuerySet | None = None,
            clauses: QuerySet | None = None, provision: str | None = None) -> tuple[FileSpec, Iterator[dict]]:
    """The file's layout and its rows as dicts; the provision filter checked before the first row."""
    bonds = load(agreements, parties, clauses)
    return spec(bonds.columns), rows(bonds, resolve_provision(provision, bonds.columns))


def stream(**filters) -> Iterator[list]:
    """Header and rows of the agreement-level file, for csv_response(); filters as records()."""
    file, found = records(**filters)
    return file.render(found)


def rows(bonds: Bonds, provision: str | None = None) -> Iterator[dict]:
    for agreement_id, info in bonds.agreements.items():
        clauses = bonds.clauses.get(agreement_id, [])
        flags = set().union(*(clause.provisions for clause in clauses))
        if provision is not None and provision not in flags:
            continue
        spells = sorted(bonds.spells.get(agreement_id, []),
                        key=lambda spell: bonds.country_key(spell.country_id))
        entries = [spell.entry for spell in spells if spell.entry]
        begin = min(entries) if entries else (None, None)
        members = list(dict.fromkeys(spell.country_id for spell in spells))  # a rejoin is one member
        end = info.ends or (None, None)
        clause_ids = [clause.id for clause in clauses]
        row = {
            "agreement_id": agreement_id, "atopid": info.atopid, "cow_id": info.cow_id,
            "begin": format_partial(*begin), "begin_precision": begin[1],
            "end": format_partial(*end), "end_precision": end[1],
            "n_members": len(members), "members": ";".join(bonds.countries[pk][0] for pk in members),
            "clause_ids": joined(clause_ids),
            "source_ids": joined(bonds.sources_of("agreement", [agreement_id])
                                 | bonds.sources_of("clause", clause_ids)),
        }
        row.update({column.name: int(column.name in flags) for column in bonds.columns})
        yield row
