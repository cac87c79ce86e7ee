"""Build a synthetic register: every row derived from one seeded random generator.

Rows are dicts of column values, written in batches by ``rows.TableWriter`` with explicit ids
(foreign keys are known before the referenced row is written), inside the caller's
transaction. Like ``bulk_create`` this sends no signals, so no history rows are written: the
synthetic data has no edit history, which is what a fresh import would show.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

import pycountry
from django.contrib.contenttypes.models import ContentType
from django.db import models

from alliances.models import (
    Agreement,
    Claim,
    Clause,
    Country,
    Membership,
    Organisation,
    Party,
    Person,
    ProvisionType,
)
from sources.models import Citation, Source, text_sha256
from sources.partial_dates import Precision, truncate

from .rows import TableWriter
from .scale import Scale
from .text import Names, source_text

# A reserved top-level domain (RFC 2606): these URLs can never point at a real document, and
# they are how a database is recognised as holding synthetic data.
SYNTHETIC_URL = "https://synthetic.invalid/"

SOURCES_PER_CHUNK = 1_000  # sources (and their citations) built at a time

FIRST_DAY = datetime.date(1992, 1, 1)
LAST_DAY = datetime.date(2025, 12, 31)

FIRST_NAMES = (
    "Aida", "Akmal", "Alisher", "Amina", "Anna", "Aziz", "Bakhtiyor", "Carlos", "Chen", "Dana",
    "David", "Elif", "Emil", "Farida", "Gulnara", "Hana", "Ilham", "Ivan", "Jamal", "Kemal",
    "Lars", "Leila", "Maria", "Mehmet", "Nadia", "Nurlan", "Olga", "Omar", "Pedro", "Rustam",
    "Sabina", "Sanjar", "Sara", "Timur", "Yusuf", "Zarina",
)
LAST_NAMES = (
    "Abdullayev", "Akhmedova", "Aliyev", "Bekova", "Demir", "Ergashev", "Garcia", "Hansen",
    "Ibragimov", "Ismoilov", "Jensen", "Karimova", "Kaya", "Kim", "Kowalski", "Mammadov",
    "Nazarov", "Novak", "Okafor", "Petrov", "Rahimov", "Rossi", "Sato", "Suleimenov", "Tashkentov",
    "Umarov", "Yilmaz", "Yusupova", "Zhang", "Zhou",
)
OFFICES = (
    "Minister of Foreign Affairs", "President", "Prime Minister", "Minister of Defence",
    "Ambassador", "Deputy Foreign Minister", "Spokesperson of the Foreign Ministry",
)
ORG_WORDS = (
    ("Council", "Organisation", "Community", "Union", "Forum", "Conference", "Alliance", "Pact"),
    ("Eurasian", "Caspian", "Turkic", "Black Sea", "Danube", "Andean", "Sahel", "Mekong",
     "Baltic", "Nordic", "Pacific", "Atlantic", "Arctic", "Gulf", "Alpine", "Steppe"),
    ("Security", "Economic", "Defence", "Transport", "Trade", "Energy", "Cultural", "Border"),
)
ORG_KINDS = [
    (Organisation.Kind.MILITARY_ALLIANCE, 1), (Organisation.Kind.SECURITY_ORGANISATION, 2),
    (Organisation.Kind.ECONOMIC_UNION, 2), (Organisation.Kind.REGIONAL_FORUM, 3),
    (Organisation.Kind.POLITICAL_UNION, 1), (Organisation.Kind.INTERNATIONAL_ORGANISATION, 1),
]
AGREEMENT_KINDS = [
    (Agreement.Kind.TREATY, 20), (Agreement.Kind.DECLARATION, 15), (Agreement.Kind.AGREEMENT, 25),
    (Agreement.Kind.MEMORANDUM, 20), (Agreement.Kind.FRAMEWORK_AGREEMENT, 5),
    (Agreement.Kind.PLAN, 5), (Agreement.Kind.PROGRAMME, 4), (Agreement.Kind.PROTOCOL, 4),
    (Agreement.Kind.DECREE, 1), (Agreement.Kind.LAW, 1),
]
RATIFIED_KINDS = {Agreement.Kind.TREATY, Agreement.Kind.AGREEMENT, Agreement.Kind.PROTOCOL}
LEGAL_STATUSES = [
    (Agreement.LegalStatus.PROPOSED, 4), (Agreement.LegalStatus.SIGNED, 30),
    (Agreement.LegalStatus.IN_FORCE, 50), (Agreement.LegalStatus.EXPIRED, 8),
    (Agreement.LegalStatus.TERMINATED, 8),
]
SUBJECTS = (
    "Strategic Partnership", "Allied Relations", "Military Cooperation", "Mutual Assistance",
    "Border Security", "Trade and Transit", "Defence-Industrial Cooperation", "Joint Exercises",
    "Visa-Free Travel", "Energy Cooperation", "Friendship and Cooperation", "Non-Aggression",
)
CLAUSE_TEXTS = {
    "defense": "Each Party shall assist the other, including militarily, if it is attacked.",
    "offense": "The Parties shall act together against a state that threatens either of them.",
    "neutrality": "Neither Party shall support a state at war with the other.",
    "nonaggression": "The Parties shall refrain from the threat or use of force against each other.",
    "consultation": "The Parties shall consult each other without delay in a crisis.",
    "military_aid": "The Parties shall assist each other in training and equipping their forces.",
    "defense_industry": "The Parties shall develop and produce defence equipment together.",
    "joint_exercises": "The Parties shall hold joint military exercises every year.",
    "intelligence_sharing": "The Parties shall exchange intelligence on common threats.",
    "bases": "Each Party may use the other's military facilities as agreed.",
    "integrated_command": "The Parties shall set up a joint command for their forces.",
    "arms_supply": "The Parties shall supply each other with weapons on preferential terms.",
    "economic": "The Parties shall remove barriers to trade and investment between them.",
    "transport": "The Parties shall develop transit corridors across their territories.",
    "humanitarian_cultural": "The Parties shall promote educational and cultural exchanges.",
    "mobility": "Citizens of one Party may enter the other with a national identity card.",
}
CONDITIONS = {
    "defense": "in case of aggression by a third state",
    "consultation": "when the security of either Party is threatened",
}
CLAIM_KINDS = [
    (Claim.Kind.FACT, 40), (Claim.Kind.FIGURE, 25), (Claim.Kind.ASSESSMENT, 15),
    (Claim.Kind.FORECAST, 10), (Claim.Kind.COMMITMENT, 10),
]
UNITS = ("USD", "percent", "troops", "exercises", "tonnes")
PUBLISHERS = ("Synthetic Wire", "Example Gazette", "Placeholder Times", "Sample News Agency")


@dataclass
class Report:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def weighted(rng: random.Random, choices: list[tuple]) -> object:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def partial(rng: random.Random, day: datetime.date, weights=(70, 20, 10)) -> tuple[datetime.date, str]:
    """A partial date for the true day `day`: day, month or year precision."""
    precision = rng.choices((Precision.DAY, Precision.MONTH, Precision.YEAR), weights=weights)[0]
    return truncate(day, precision), precision.value


def random_day(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randint(0, max(0, (last - first).days)))


class Generator:
    """Writes one synthetic data set; `progress(n)` is told of every n rows written."""

    def __init__(self, scale: Scale, seed: int, progress: Callable[[int], None] = lambda n: None):
        self.scale = scale
        self.seed = seed
        self.rng = random.Random(seed)
        self.progress = progress
        self.counts: dict[str, int] = defaultdict(int)
        # (content type id, object id, field a citation may support) of every published record
        # that needs provenance.
        self.cited: list[tuple[int, int, str]] = []
        self.writers: dict[type[models.Model], TableWriter] = {}

    # --- plumbing ---------------------------------------------------------------

    def next_id(self, model: type[models.Model]) -> int:
        last = model.objects.aggregate(last=models.Max("pk"))["last"]
        return (last or 0) + 1

    def insert(self, model: type[models.Model], rows: list[dict], label: str = "") -> None:
        writer = self.writers.get(model)
        if writer is None:
            # Through tables of many-to-many fields number their rows themselves.
            writer = self.writers[model] = TableWriter(model, explicit_pk=not model._meta.auto_created)
        writer.write(rows)
        self.counts[label or str(model._meta.verbose_name_plural)] += len(rows)
        self.progress(len(rows))

    def cite_later(self, model: type[models.Model], ids: Iterable[int], field: str = "") -> None:
        content_type = ContentType.objects.get_for_model(model).pk
        self.cited.extend((content_type, pk, field) for pk in ids)

    # --- the data set -----------------------------------------------------------

    def run(self) -> dict[str, int]:
        self.countries()
        self.organisations()
        self.memberships()
        self.persons()
        self.agreements()
        self.clauses()
        self.claims()
        self.sources_and_citations()
        return dict(self.counts)

    def countries(self) -> None:
        existing = dict(Country.objects.values_list("iso3", "pk"))
        chosen = self.rng.sample(sorted(pycountry.countries, key=lambda c: c.alpha_3), self.scale.countries)
        pk = self.next_id(Country)
        new = []
        for iso in chosen:
            if iso.alpha_3 in existing:
                continue
            name = getattr(iso, "common_name", None) or iso.name
            official = getattr(iso, "official_name", None)
            new.append({
                "id": pk, "name": name, "iso2": iso.alpha_2, "iso3": iso.alpha_3,
                "aliases": [official] if official and official != name else [], "status": "published",
            })
            existing[iso.alpha_3] = pk
            pk += 1
        self.insert(Country, new)
        self.country_ids = [existing[iso.alpha_3] for iso in chosen]
        self.country_names = dict(Country.objects.filter(pk__in=self.country_ids).values_list("pk", "name"))

    def organisations(self) -> None:
        rng = self.rng
        taken = set(Organisation.objects.values_list("name", flat=True))
        heads, regions, domains = ORG_WORDS
        combos = [(h, r, d) for r in regions for d in domains for h in heads]
        pk = self.next_id(Organisation)
        self.organisation_ids, self.organisation_names, new = [], [], []
        while len(new) < self.scale.organisations:
            head, region, domain = combos[rng.randrange(len(combos))]
            name = f"{region} {domain} {head}"
            if name in taken:
                name = f"{name} {len(new) + 1}"
            if name in taken:
                continue
            taken.add(name)
            founded, precision = partial(rng, random_day(rng, datetime.date(1950, 1, 1), FIRST_DAY))
            new.append({
                "id": pk, "name": name, "acronym": "".join(w[0] for w in name.split() if w[0].isupper()),
                "kind": weighted(rng, ORG_KINDS), "founded_on": founded, "founded_on_precision": precision,
                "status": "published",
            })
            self.organisation_ids.append(pk)
            self.organisation_names.append(name)
            pk += 1
        self.insert(Organisation, new)

    def memberships(self) -> None:
        rng, pk = self.rng, self.next_id(Membership)
        roles = [(Membership.Role.MEMBER, 80), (Membership.Role.OBSERVER, 10),
                 (Membership.Role.PARTNER, 7), (Membership.Role.CANDIDATE, 3)]
        new, seen = [], set()
        while len(new) < self.scale.memberships:
            org, country = rng.choice(self.organisation_ids), rng.choice(self.country_ids)
            if (org, country) in seen:
                continue
            seen.add((org, country))
            joined_day = random_day(rng, FIRST_DAY, LAST_DAY)
            row = {"id": pk, "organisation_id": org, "country_id": country, "role": weighted(rng, roles),
                   "status": "published"}
            row["joined_on"], row["joined_on_precision"] = partial(rng, joined_day)
            if rng.random() < 0.1 and joined_day < LAST_DAY - datetime.timedelta(days=800):
                left = random_day(rng, joined_day + datetime.timedelta(days=400), LAST_DAY)
                row["left_on"], row["left_on_precision"] = partial(rng, left)
            new.append(row)
            pk += 1
        self.insert(Membership, new)
        self.cite_later(Membership, (m["id"] for m in new), "")

    def persons(self) -> None:
        rng, pk = self.rng, self.next_id(Person)
        self.person_ids, self.person_names = [], []
        self.persons_of: dict[int, list[int]] = defaultdict(list)
        new = []
        for _ in range(self.scale.persons):
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice('ABDEFGHKLMNRST')}. {rng.choice(LAST_NAMES)}"
            country = rng.choice(self.country_ids)
            row = {"id": pk, "name": name, "country_id": country, "status": "published"}
            if rng.random() < 0.08:
                row["organisation_id"] = rng.choice(self.organisation_ids)
                row["affiliation"] = "Secretary General"
            else:
                row["affiliation"] = f"{rng.choice(OFFICES)} of {self.country_names[country]}"
            new.append(row)
            self.person_ids.append(pk)
            self.person_names.append(name)
            self.persons_of[country].append(pk)
            pk += 1
        self.insert(Person, new)

    # --- agreements and the Party rule ----------------------------------------

    def agreements(self) -> None:
        pk, party_pk = self.next_id(Agreement), self.next_id(Party)
        self.agreement_parties: dict[int, list[int]] = {}
        agreements, parties = [], []
        for _ in range(self.scale.agreements):
            agreement, actions = self.agreement(pk, party_pk)
            agreements.append(agreement)
            parties.extend(actions)
            party_pk += len(actions)
            pk += 1
        self.agreement_ids = [a["id"] for a in agreements]
        self.insert(Agreement, agreements)
        self.insert(Party, parties, "party actions")
        self.cite_later(Agreement, (a["id"] for a in agreements if "signed_on" not in a), "")
        self.cite_later(Agreement, (a["id"] for a in agreements if "signed_on" in a), "signed_on")
        self.cite_later(Party, (p["id"] for p in parties), "date")

    def agreement(self, pk: int, party_pk: int) -> tuple[dict, list[dict]]:
        rng = self.rng
        kind = weighted(rng, AGREEMENT_KINDS)
        status = weighted(rng, LEGAL_STATUSES)
        k = rng.choices((2, 3, 4, 5, 6, 7, 8), weights=(80, 8, 3, 3, 2, 2, 2))[0]
        members = rng.sample(self.country_ids, min(k, len(self.country_ids)))
        names = [self.country_names[c] for c in members]
        title = f"{kind.label.capitalize()} on {rng.choice(SUBJECTS)} between " + (
            ", ".join(names[:-1]) + f" and {names[-1]}"
        )
        agreement = {
            "id": pk, "title": title, "kind": kind, "legal_status": status, "status": "published",
            "summary": f"Synthetic {kind.label} between {len(names)} states.",
        }
        if rng.random() < 0.15:
            agreement["organisation_id"] = rng.choice(self.organisation_ids)
        if kind == Agreement.Kind.PROTOCOL and self.agreement_parties and rng.random() < 0.5:
            agreement["parent_id"] = rng.randrange(pk - len(self.agreement_parties), pk)
        self.agreement_parties[pk] = members
        if status == Agreement.LegalStatus.PROPOSED:
            return agreement, []  # not signed: nobody is bound

        signed = random_day(rng, FIRST_DAY, datetime.date(2024, 6, 30))
        agreement["signed_on"], agreement["signed_on_precision"] = partial(rng, signed)
        agreement["signed_at"] = rng.choice(("Baku", "Tashkent", "Astana", "Ankara", "Geneva", ""))
        start, end = signed, LAST_DAY
        if status != Agreement.LegalStatus.SIGNED:
            delay = datetime.timedelta(days=rng.randint(30, 700))
            start = min(signed + delay, LAST_DAY)
            agreement["in_force_on"], agreement["in_force_on_precision"] = partial(rng, start, (85, 15, 0))
        if status in (Agreement.LegalStatus.EXPIRED, Agreement.LegalStatus.TERMINATED):
            end = min(LAST_DAY, start + datetime.timedelta(days=rng.randint(365, 3650)))
            agreement["ends_on"], agreement["ends_on_precision"] = partial(rng, end, (60, 25, 15))
        if rng.random() < 0.05:
            agreement["atopid"] = 1000 + pk  # a crosswalk id; synthetic, like everything here
        return agreement, self.party_actions(agreement, members, signed, start, end, party_pk)

    def party_actions(self, agreement: dict, members: list[int], signed: datetime.date,
                      start: datetime.date, end: datetime.date, pk: int) -> list[dict]:
        """Signatures on the signing day, ratifications after it, and mid-way accessions by
        new states and withdrawals by bound ones, all before the agreement ends."""
        rng = self.rng
        actions = []

        def act(country: int, action: str, date: datetime.date, precision: str) -> datetime.date:
            row = {"id": pk + len(actions), "agreement_id": agreement["id"], "country_id": country,
                   "action": action, "date": date, "date_precision": precision, "status": "published"}
            signatories = self.persons_of.get(country) if action == Party.Action.SIGNATURE else None
            if signatories and rng.random() < 0.4:
                row["signed_by_id"] = rng.choice(signatories)
            actions.append(row)
            return date

        joined = {}
        for country in members:
            joined[country] = act(country, Party.Action.SIGNATURE, agreement["signed_on"],
                                  agreement["signed_on_precision"])
        if agreement["kind"] in RATIFIED_KINDS and "in_force_on" in agreement:
            for country in members:
                if rng.random() < 0.6:
                    day = random_day(rng, signed + datetime.timedelta(days=20), start)
                    act(country, Party.Action.RATIFICATION, *partial(rng, day, (90, 10, 0)))
        roomy = (end - start).days > 900
        if roomy and rng.random() < 0.2:
            outsiders = [c for c in self.country_ids if c not in joined]
            for country in rng.sample(outsiders, min(len(outsiders), rng.choice((1, 1, 2)))):
                day = random_day(rng, start + datetime.timedelta(days=30), end - datetime.timedelta(days=450))
                joined[country] = act(country, Party.Action.ACCESSION, *partial(rng, day, (80, 15, 5)))
                members = [*members, country]
        if roomy and rng.random() < 0.12:
            country = rng.choice(members)
            # At least 400 days later, so even a year-precision date falls after the joining.
            first = joined[country] + datetime.timedelta(days=400)
            if first < end:
                action = rng.choice((Party.Action.WITHDRAWAL, Party.Action.DENUNCIATION))
                act(country, action, *partial(rng, random_day(rng, first, end), (80, 15, 5)))
        self.agreement_parties[agreement["id"]] = members
        return actions

    def clauses(self) -> None:
        rng = self.rng
        types = dict(ProvisionType.objects.values_list("slug", "pk"))
        slugs = [s for s in CLAUSE_TEXTS if s in types]
        weights = [5 if s in ("consultation", "economic", "humanitarian_cultural") else 1 for s in slugs]
        pk = self.next_id(Clause)
        clauses, provision_rows, obligor_rows, beneficiary_rows = [], [], [], []
        per_agreement = self.scale.clauses / max(1, len(self.agreement_ids))
        for n, agreement in enumerate(self.agreement_ids):
            # floor((n+1)r) - floor(nr) spreads the total exactly; +-1 varies it.
            count = int((n + 1) * per_agreement) - int(n * per_agreement)
            count = max(1, count + rng.choice((-1, 0, 0, 1))) if count > 1 else max(1, count)
            members = self.agreement_parties[agreement]
            for article in range(1, count + 1):
                chosen = list(dict.fromkeys(rng.choices(slugs, weights=weights, k=rng.choice((1, 1, 1, 2)))))
                clauses.append({
                    "id": pk, "agreement_id": agreement, "label": f"Article {article}",
                    "text": " ".join(CLAUSE_TEXTS[s] for s in chosen),
                    "conditions": CONDITIONS.get(chosen[0], ""),
                    "binding": Clause.Binding.BINDING if rng.random() < 0.85 else Clause.Binding.ASPIRATIONAL,
                    "status": "published",
                })
                provision_rows += [{"clause_id": pk, "provisiontype_id": types[s]} for s in chosen]
                if len(members) >= 2 and rng.random() < 0.08:  # a one-way pledge
                    obligor = rng.choice(members)
                    obligor_rows.append({"clause_id": pk, "country_id": obligor})
                    beneficiary_rows += [{"clause_id": pk, "country_id": c} for c in members if c != obligor]
                pk += 1
        self.insert(Clause, clauses)
        self.insert(Clause.provision_types.through, provision_rows, "clause provision types")
        self.insert(Clause.obligors.through, obligor_rows, "clause obligors")
        self.insert(Clause.beneficiaries.through, beneficiary_rows, "clause beneficiaries")
        self.cite_later(Clause, (c["id"] for c in clauses), "")

    def claims(self) -> None:
        rng = self.rng
        pk = first = self.next_id(Claim)
        claims, country_rows, organisation_rows, agreement_rows, contradiction_rows = [], [], [], [], []
        for _ in range(self.scale.claims):
            kind = weighted(rng, CLAIM_KINDS)
            subjects = rng.sample(self.country_ids, rng.choice((1, 2, 2)))
            names = " and ".join(self.country_names[c] for c in subjects)
            day = random_day(rng, FIRST_DAY, LAST_DAY)
            claim = {"id": pk, "kind": kind, "text": f"{kind.label.capitalize()} about {names} ({day.year}).",
                     "status": "published"}
            claim["claimed_on"], claim["claimed_on_precision"] = partial(rng, day, (75, 20, 5))
            if rng.random() < 0.6:
                claim["claimant_id"] = rng.choice(self.person_ids)
            if kind == Claim.Kind.FIGURE:
                claim.update(
                    quantity_value=Decimal(rng.randint(1, 5_000_000) * 1000), quantity_unit=rng.choice(UNITS),
                    period_start=datetime.date(day.year, 1, 1), period_start_precision="year",
                    period_end=datetime.date(day.year, 12, 31), period_end_precision="day",
                )
            rank = rng.random()
            if rank < 0.03:
                claim["rank"], claim["rank_reason"] = Claim.Rank.DEPRECATED, "Superseded by a later figure."
            elif rank < 0.1:
                claim["rank"], claim["rank_reason"] = Claim.Rank.PREFERRED, "Official figure."
            claims.append(claim)
            country_rows += [{"claim_id": pk, "country_id": c} for c in subjects]
            if rng.random() < 0.1:
                organisation = rng.choice(self.organisation_ids)
                organisation_rows.append({"claim_id": pk, "organisation_id": organisation})
            if rng.random() < 0.3:
                agreement_rows.append({"claim_id": pk, "agreement_id": rng.choice(self.agreement_ids)})
            if pk > first and rng.random() < 0.01:
                other = rng.randrange(first, pk)  # symmetrical: both directions are stored
                contradiction_rows += [{"from_claim_id": pk, "to_claim_id": other},
                                       {"from_claim_id": other, "to_claim_id": pk}]
            pk += 1
        self.insert(Claim, claims)
        self.insert(Claim.subject_countries.through, country_rows, "claim subject countries")
        self.insert(Claim.subject_organisations.through, organisation_rows, "claim subject organisations")
        self.insert(Claim.subject_agreements.through, agreement_rows, "claim subject agreements")
        self.insert(Claim.contradicts.through, contradiction_rows, "claim contradictions")
        self.cite_later(Claim, (c["id"] for c in claims), "claimed_on")

    # --- sources and citations ----------------------------------------------------

    def citation_targets(self) -> list[tuple[int, int, str]]:
        """Every record needing provenance once, the rest drawn among them, shuffled."""
        rng = self.rng
        extra = self.scale.citations - len(self.cited)
        if extra < 0:
            raise ValueError(f"{self.scale.citations} citations cannot cite {len(self.cited)} records")
        targets = self.cited + [
            (ct, pk, "" if rng.random() < 0.5 else fld) for ct, pk, fld in rng.choices(self.cited, k=extra)
        ]
        rng.shuffle(targets)
        return targets

    def sources_and_citations(self) -> None:
        targets = self.citation_targets()
        self.cited = []
        # How many citations each source gets: a random composition of the total.
        cuts = sorted(self.rng.sample(range(1, len(targets)), self.scale.sources - 1))
        bounds = [0, *cuts, len(targets)]
        names = Names(
            countries=tuple(self.country_names.values()), persons=tuple(self.person_names),
            organisations=tuple(self.organisation_names),
        )
        self.source_pk, self.citation_pk = self.next_id(Source), self.next_id(Citation)
        for first in range(0, self.scale.sources, SOURCES_PER_CHUNK):
            sources, citations = [], []
            for j in range(first, min(first + SOURCES_PER_CHUNK, self.scale.sources)):
                source, cites = self.source(j, names, targets[bounds[j] : bounds[j + 1]])
                sources.append(source)
                citations.extend(cites)
            self.insert(Source, sources)
            self.insert(Citation, citations)

    def source(self, j: int, names: Names, targets: list[tuple[int, int, str]]) -> tuple[dict, list[dict]]:
        rng = self.rng
        pk = self.source_pk + j
        day = random_day(rng, FIRST_DAY, LAST_DAY)
        publisher = rng.choice(PUBLISHERS)
        dateline = f"{rng.choice(('BAKU', 'TASHKENT', 'ASTANA', 'GENEVA'))}, {day:%d %B %Y} ({publisher})"
        body = source_text(rng, names, dateline, sentences=10 + len(targets) // 2)
        sha = text_sha256(body.text)
        source = {
            "id": pk, "title": f"{publisher}: {rng.choice(SUBJECTS)} ({self.seed}-{j + 1})",
            "publisher": publisher, "url": f"{SYNTHETIC_URL}{self.seed}/{j + 1}", "language": "en",
            "retrieved_on": day + datetime.timedelta(days=rng.randint(0, 30)),
            "kind": rng.choice(list(Source.Kind)), "text": body.text, "sha256": sha,
        }
        source["published_on"], source["published_on_precision"] = partial(rng, day, (95, 5, 0))
        citations = []
        last_sentence = len(body.spans) - 1
        for content_type, object_id, field_name in targets:
            first = rng.randint(0, last_sentence)
            anchor = body.quote(first, min(last_sentence, first + rng.choices((0, 1, 2), (70, 25, 5))[0]))
            citations.append({
                "id": self.citation_pk, "source_id": pk, "content_type_id": content_type,
                "object_id": object_id, "field": field_name, "quote": anchor.exact, "start": anchor.start,
                "end": anchor.end, "prefix": anchor.prefix, "suffix": anchor.suffix, "match": anchor.match,
                "anchored_sha256": sha,
            })
            self.citation_pk += 1
        return source, citations
