"""Who is bound by what, year by year: the one pass the dyad-year, state-year and member files share.

The Party rule (alliances.domain.binding) at the resolution of a year: a country is bound in
year Y by an agreement when one of its spells has a day in Y, so an accession or a withdrawal in
the middle of a year counts for that whole year. Proposed agreements bind nobody; undated actions
cannot be placed in time and bind in no year.

Everything is read in a fixed number of queries (agreements, parties, clauses, their provision
types, obligors and beneficiaries, countries, citations), whatever the number of dyads.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils import timezone

from alliances.domain import binding
from alliances.domain.binding import Spell
from alliances.models import Agreement, Clause, Country, Party, ProvisionType
from sources.models import Citation

ATOP_CORE = ("defense", "offense", "neutral", "nonagg", "consul")
ATOP_MEANING = {
    "defense": "active military support if a member is attacked",
    "offense": "active military support in a conflict the members initiate",
    "neutral": "neutrality: no support for an attacker of a member",
    "nonagg": "non-aggression: no military conflict with each other",
    "consul": "consultation in a crisis or on security matters",
}


class InvalidFilter(ValueError):
    """A filter value that names nothing (unknown country or provision): the API answers 400."""

    def __init__(self, name: str, message: str):
        super().__init__(message)
        self.name = name


@dataclass(frozen=True)
class ProvisionColumn:
    name: str  # the ATOP variable for the core types, the slug for the others
    description: str
    slugs: tuple[str, ...]


def provision_columns() -> list[ProvisionColumn]:
    """The 0/1 provision columns: ATOP's five core variables, then every other type by id."""
    types = list(ProvisionType.objects.order_by("id").values_list("slug", "atop_variable", "name",
                                                                    "description"))
    columns = [
        ProvisionColumn(
            variable,
            f"1 if an agreement behind the row has a clause of the ATOP {variable} type "
            f"({ATOP_MEANING[variable]}) applying to the row's countries, else 0.",
            tuple(slug for slug, atop, _, _ in types if atop == variable),
        )
        for variable in ATOP_CORE
    ]
    taken = set(ATOP_CORE)
    for slug, atop, name, description in types:
        if atop:
            continue
        column = slug if slug not in taken else f"{slug}_type"
        taken.add(column)
        columns.append(ProvisionColumn(
            column, f"1 if an agreement behind the row has a clause of type {name} "
            f"({description.rstrip('.')}) applying to the row's countries, else 0.", (slug,),
        ))
    return columns


@dataclass(frozen=True)
class ClauseInfo:
    id: int
    provisions: frozenset[str]  # provision column names
    obligors: frozenset[int]
    beneficiaries: frozenset[int]

    def applies(self, obligor: int, beneficiary: int) -> bool:
        """Empty obligors (beneficiaries) mean every party."""
        return (not self.obligors or obligor in self.obligors) and (
            not self.beneficiaries or beneficiary in self.beneficiaries
        )

    def concerns(self, country: int) -> bool:
        return (
            not self.obligors or not self.beneficiaries
            or country in self.obligors or country in self.beneficiaries
        )


@dataclass(frozen=True)
class AgreementInfo:
    atopid: int | None
    cow_id: int | None
    ends: tuple[datetime.date, str] | None  # (date, precision) when it ends or ended


@dataclass
class Bonds:
    countries: dict[int, tuple[str, int | None]]  # id -> (iso3, COW code)
    agreements: dict[int, AgreementInfo]  # the agreements that can bind (not proposed), by id
    spells: dict[int, list[Spell]]  # agreement id -> its members
    clauses: dict[int, list[ClauseInfo]]  # agreement id -> its clauses
    sources: dict[tuple[str, int], set[int]]  # ("agreement" | "party" | "clause", id) -> source ids
    columns: list[ProvisionColumn]

    def country_key(self, country_id: int) -> tuple:
        """Sort key: COW code order, countries without one after, by iso3."""
        iso3, ccode = self.countries[country_id]
        return (ccode is None, ccode or 0, iso3)

    def ordered(self, one: int, other: int) -> tuple[int, int]:
        """A non-directed dyad as COW writes it: lower COW code first; by iso3 where a code is missing."""
        (iso_one, code_one), (iso_other, code_other) = self.countries[one], self.countries[other]
        if code_one is not None and code_other is not None:
            return (one, other) if code_one < code_other else (other, one)
        return (one, other) if iso_one < iso_other else (other, one)

    def sources_of(self, kind: str, ids) -> set[int]:
        found = set()
        for pk in ids:
            found |= self.sources.get((kind, pk), set())
        return found

    def years(self, spell: Spell, year_from: int | None, year_to: int) -> range:
        return spell.years(year_from, year_to)


@dataclass
class Cell:
    """What a dyad-year or state-year row gathers: agreements, provision flags, sources."""

    agreements: set = field(default_factory=set)
    flags: set = field(default_factory=set)
    sources: set[frozenset] = field(default_factory=set)  # one set per contribution, shared across years

    def source_ids(self) -> set[int]:
        return set().union(*self.sources)


def resolve_country(value: str | None, countries: QuerySet | None = None) -> int | None:
    """The id of the country of this code among `countries` (those the caller may see: a hidden
    one answers as an unknown one)."""
    if not value:
        return None
    code = value.strip().upper()
    countries = countries if countries is not None else Country.objects.all()
    pk = countries.filter(Q(iso2=code) | Q(iso3=code)).values_list("id", flat=True).first()
    if pk is None:
        raise InvalidFilter("country", f"{value} is not the ISO alpha-2 or alpha-3 code of a known country.")
    return pk


def resolve_provision(value: str | None, columns: list[ProvisionColumn]) -> str | None:
    """A provision slug or ATOP variable name -> the column that carries it."""
    if not value:
        return None
    for column in columns:
        if value == column.name or value in column.slugs:
            return column.name
    raise InvalidFilter("provision", f"{value} is not a provision type slug or ATOP variable.")


def current_year() -> int:
    return timezone.now().year


def load(agreements: QuerySet | None = None, parties: QuerySet | None = None,
         clauses: QuerySet | None = None) -> Bonds:
    """Read the agreements, party actions and clauses the caller may see (base querysets: pass
    `.published()` ones for anonymous readers) in one pass."""
    agreements = (agreements if agreements is not None else Agreement.objects.all()).exclude(
        legal_status=Agreement.LegalStatus.PROPOSED
    )
    parties = (parties if parties is not None else Party.objects.all()).filter(agreement__in=agreements)
    clauses = (clauses if clauses is not None else Clause.objects.all()).filter(agreement__in=agreements)
    found = {
        pk: AgreementInfo(atopid, cow_id, (ends_on, precision) if ends_on else None)
        for pk, atopid, cow_id, ends_on, precision in agreements.order_by("id").values_list(
            "id", "atopid", "cow_id", "ends_on", "ends_on_precision"
        )
    }
    columns = provision_columns()
    return Bonds(
        countries={
            pk: (iso3, ccode) for pk, iso3, ccode in Country.objects.values_list("id", "iso3", "cow_code")
        },
        agreements=found,
        spells=_spells(parties, found),
        clauses=_clauses(clauses, columns),
        sources=_sources(agreements, parties, clauses),
        columns=columns,
    )


def _spells(parties: QuerySet, agreements: dict[int, AgreementInfo]) -> dict[int, list[Spell]]:
    return binding.spells(binding.read_actions(parties), {pk: info.ends for pk, info in agreements.items()})


def _clauses(clauses: QuerySet, columns: list[ProvisionColumn]) -> dict[int, list[ClauseInfo]]:
    column_of = {slug: column.name for column in columns for slug in column.slugs}
    ids = clauses.values("id")
    provisions, obligors, beneficiaries = defaultdict(set), defaultdict(set), defaultdict(set)
    for clause_id, slug in Clause.provision_types.through.objects.filter(clause_id__in=ids).values_list(
        "clause_id", "provisiontype__slug"
    ):
        provisions[clause_id].add(column_of[slug])
    for through, into in ((Clause.obligors.through, obligors), (Clause.beneficiaries.through, beneficiaries)):
        for clause_id, country_id in through.objects.filter(clause_id__in=ids).values_list(
            "clause_id", "country_id"
        ):
            into[clause_id].add(country_id)
    by_agreement = defaultdict(list)
    for clause_id, agreement_id in clauses.order_by("id").values_list("id", "agreement_id"):
        by_agreement[agreement_id].append(ClauseInfo(
            clause_id, frozenset(provisions[clause_id]), frozenset(obligors[clause_id]),
            frozenset(beneficiaries[clause_id]),
        ))
    return by_agreement


def _sources(agreements: QuerySet, parties: QuerySet, clauses: QuerySet) -> dict:
    kinds = {}
    condition = Q()
    for kind, model, queryset in (("agreement", Agreement, agreements), ("party", Party, parties),
                                  ("clause", Clause, clauses)):
        content_type = ContentType.objects.get_for_model(model)
        kinds[content_type.pk] = kind
        condition |= Q(content_type=content_type, object_id__in=queryset.values("id"))
    sources = defaultdict(set)
    for content_type_id, object_id, source_id in Citation.objects.filter(condition).values_list(
        "content_type_id", "object_id", "source_id"
    ):
        sources[kinds[content_type_id], object_id].add(source_id)
    return sources


def joined(ids) -> str:
    return ";".join(map(str, sorted(ids)))
