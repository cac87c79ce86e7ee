"""The member-level file, as ATOP ships it: one row per spell of a country on an agreement (its
membership from joining to leaving; one that left and joined again has two), with the dates it
begins and ends (partial dates with their precision)."""

from collections.abc import Iterator

from django.db.models import QuerySet

from sources.partial_dates import Precision, format_partial

from .bonds import Bonds, joined, load, resolve_country
from .columns import PARTIAL_DATE_NOTE, PARTIAL_DATE_PATTERN, Column, FileSpec

EXIT_BY = ("withdrawal", "denunciation", "agreement_end")


def spec() -> FileSpec:
    precision = tuple(Precision.values)
    return FileSpec(
        "members", "Members",
        "One row per spell of a country on an agreement: from the joining action (signature, "
        "ratification, accession or entry into force) that opened it to the withdrawal, denunciation "
        "or end of the agreement that closed it. A country that left and joined again has a row per "
        "spell; proposed agreements have no members.",
        (
            Column("agreement_id", "integer", "Id of the agreement (agreements.csv)."),
            Column("iso3", "string", "ISO 3166-1 alpha-3 code of the member.", pattern="[A-Z]{3}"),
            Column("ccode", "integer", "Correlates of War state code of the member; empty when it has none."),
            Column("entry", "string", "Date of the joining action that opened the spell. "
                   f"{PARTIAL_DATE_NOTE} Empty when no joining action is dated.",
                   pattern=PARTIAL_DATE_PATTERN),
            Column("entry_precision", "string", "Precision of entry: year, month or day.", allowed=precision),
            Column("exit", "string", "Date the spell ended: the withdrawal or denunciation that "
                   f"closed it, or the agreement's end if earlier. {PARTIAL_DATE_NOTE} "
                   "Empty while it lasts.", pattern=PARTIAL_DATE_PATTERN),
            Column("exit_precision", "string", "Precision of exit: year, month or day.", allowed=precision),
            Column("exit_by", "string", "What ended the membership.", allowed=EXIT_BY),
            Column("party_ids", "string", "Ids of the country's actions in the spell (parties.csv; "
                   "undated ones in every spell), joined with ';'."),
            Column("source_ids", "string", "Ids of the sources (sources.csv) cited by those actions, "
                   "joined with ';'."),
        ),
    )


def records(*, agreements: QuerySet | None = None, parties: QuerySet | None = None,
            countries: QuerySet | None = None, country: str | None = None) -> tuple[FileSpec, Iterator[dict]]:
    """The file's layout and its rows as dicts; the country filter checked before the first row."""
    bonds = load(agreements, parties)
    return spec(), rows(bonds, resolve_country(country, countries))


def stream(**filters) -> Iterator[list]:
    """Header and rows of the member file, for csv_response(); filters as records()."""
    file, found = records(**filters)
    return file.render(found)


def rows(bonds: Bonds, country: int | None = None) -> Iterator[dict]:
    for agreement_id in sorted(bonds.spells):
        spells = sorted(bonds.spells[agreement_id], key=lambda spell: bonds.country_key(spell.country_id))
        for spell in spells:
            if country is not None and spell.country_id != country:
                continue
            iso3, ccode = bonds.countries[spell.country_id]
            entry, exit_ = spell.entry or (None, None), spell.exit or (None, None)
            yield {
                "agreement_id": agreement_id, "iso3": iso3, "ccode": ccode,
                "entry": format_partial(*entry), "entry_precision": entry[1],
                "exit": format_partial(*exit_), "exit_precision": exit_[1], "exit_by": spell.exit_by or None,
                "party_ids": joined(spell.party_ids),
                "source_ids": joined(bonds.sources_of("party", spell.party_ids)),
            }
