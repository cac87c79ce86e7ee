"""The Party rule, once: who is bound by an agreement, and when.

A country's dated actions on an agreement, taken in date order, make spells: a joining action
(signature, ratification, accession, entry into force) opens one unless one is open, and a
withdrawal or denunciation closes the open one, so a country that denounces and signs again has
two spells. On the same day a leaving action comes after a joining one: a signature withdrawn
the day it was made binds on no day. A spell ends at the latest when its agreement ends;
proposed agreements bind nobody, and undated actions cannot be placed in time.

A country is bound on day D by a spell that entered on or before D and has not exited on or
before D. Only the actions the caller may see take part: pass the visible actions (a draft
withdrawal must not end a public spell, nor a draft signature open one).

Two forms of the same rule: `spells()` in Python, for the derived files and the pictures, which
need every period, and `bound_on()` in SQL, for the API's filters, which need one day. A test
holds them to the same answers.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet

JOINING = ("signature", "ratification", "accession", "entry_into_force")
LEAVING = ("withdrawal", "denunciation")
PROPOSED = "proposed"

PartialDate = tuple[datetime.date, str]  # (first day of the period, precision)


@dataclass(frozen=True)
class Action:
    """A party action as the rule reads it (a row of Party)."""

    pk: int
    agreement_id: int
    country_id: int
    action: str
    date: datetime.date | None
    precision: str = "day"

    @property
    def joins(self) -> bool:
        return self.action in JOINING


@dataclass
class Spell:
    """One continuous period in which a country is bound by an agreement."""

    agreement_id: int
    country_id: int
    entry: PartialDate | None  # None: joined by undated actions only, never placed in time
    exit: PartialDate | None = None  # None: lasts
    exit_by: str = ""  # withdrawal, denunciation or agreement_end
    party_ids: list[int] = field(default_factory=list)  # the actions behind it, undated ones included

    def bound_on(self, day: datetime.date) -> bool:
        return self.entry is not None and self.entry[0] <= day and (self.exit is None or day < self.exit[0])

    def years(self, first: int | None = None, last: int | None = None) -> range:
        """The years with a day of the spell, within [first, last]. An exit dated only to its
        year or month, or in the middle of a year, leaves that year in: it was bound for part of it."""
        if self.entry is None:
            return range(0)
        end = self.exit[0].year if self.exit else last
        if end is None:
            raise ValueError("an open spell needs the last year to project onto")
        end = end if last is None else min(end, last)
        return range(max(self.entry[0].year, first or self.entry[0].year), end + 1)


def _order(action: Action):
    return (action.date, not action.joins, action.pk)


def member_spells(actions: list[Action], ends: PartialDate | None) -> list[Spell]:
    """The spells of one country on one agreement, from all its (visible) actions."""
    agreement_id, country_id = actions[0].agreement_id, actions[0].country_id
    undated = [action.pk for action in actions if action.date is None]
    spells: list[Spell] = []
    current: Spell | None = None
    for action in sorted((action for action in actions if action.date is not None), key=_order):
        if current is None and action.joins:
            current = Spell(agreement_id, country_id, (action.date, action.precision))
            spells.append(current)
        if current is None:
            continue  # a withdrawal while not bound changes nothing
        current.party_ids.append(action.pk)
        if not action.joins:
            current.exit, current.exit_by = (action.date, action.precision), action.action
            current = None
    if ends is not None:
        for spell in spells:
            if spell.exit is None or ends[0] < spell.exit[0]:
                spell.exit, spell.exit_by = ends, "agreement_end"
    spells = [spell for spell in spells if spell.exit is None or spell.entry[0] < spell.exit[0]]
    if not spells and any(action.joins for action in actions if action.date is None):
        spells = [Spell(agreement_id, country_id, None)]
    for spell in spells:
        spell.party_ids = sorted(spell.party_ids + undated)
    return spells


def spells(actions: Iterable[Action], agreements: dict[int, PartialDate | None]) -> dict[int, list[Spell]]:
    """Agreement id -> the spells of its members, in (country, entry) order.

    `agreements`: the agreements that can bind (not proposed), each with its end or None;
    actions on any other agreement are left out.
    """
    by_member: dict[tuple[int, int], list[Action]] = defaultdict(list)
    for action in actions:
        if action.agreement_id in agreements:
            by_member[action.agreement_id, action.country_id].append(action)
    found: dict[int, list[Spell]] = defaultdict(list)
    for (agreement_id, _), member in sorted(by_member.items()):
        found[agreement_id] += member_spells(member, agreements[agreement_id])
    return found


def read_actions(parties: QuerySet) -> list[Action]:
    """The rule's view of a queryset of party actions (one query)."""
    return [
        Action(*row) for row in parties.order_by().values_list(
            "pk", "agreement_id", "country_id", "action", "date", "date_precision"
        )
    ]


def bound_on(parties: QuerySet, day: datetime.date) -> QuerySet:
    """The joining actions among `parties` (the visible ones) whose spell is open on `day`:
    dated on or before it, with no leaving action among `parties` from that date up to `day`,
    on an agreement that is not proposed and has not ended by `day`."""
    left = parties.filter(
        agreement=OuterRef("agreement"), country=OuterRef("country"), action__in=LEAVING,
        date__gte=OuterRef("date"), date__lte=day,
    )
    return (
        parties.filter(action__in=JOINING, date__lte=day)
        .exclude(agreement__legal_status=PROPOSED)
        .filter(Q(agreement__ends_on__isnull=True) | Q(agreement__ends_on__gt=day), ~Exists(left))
    )
