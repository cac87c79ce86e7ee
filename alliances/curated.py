"""The curated dataset (alliances/data/curated.yaml) into the database.

Every record goes through the validation the admin uses (`full_clean()` then `save()`), citations
through `Citation.full_clean()`, which anchors each quote or text fragment in its source's stored
text. Records are found again by natural key, and written only where a value differs, so loading
the same file twice writes nothing, not even a history row.

The file's format: top-level sections (SECTIONS below, loaded in that order), references between
records by their file-local `key`, countries by `iso3`, partial dates as "2021-06-15", "2021-06"
or "2021", vocabularies as the models' choices. A key the format does not know is an error, so a
typo in the data file cannot silently drop a value.
"""

from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pycountry
import yaml
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from alliances.domain import publishing
from sources import anchoring
from sources.ingest import SnapshotError, describe, partial_date, read_snapshot, source_fields
from sources.models import Citation, Source, text_sha256

from .models import (
    Agreement,
    Claim,
    Clause,
    Country,
    Membership,
    Organisation,
    Party,
    Person,
    ProvisionType,
    Status,
)

DEFAULT_FILE = Path(__file__).resolve().parent / "data" / "curated.yaml"
CHANGE_REASON = "load_curated"

# What every curated record's entry may carry besides its own fields.
CURATED = {"status", "note", "citations"}
SECTIONS = {
    "sources": {"key", "file", "title", "publisher", "author", "url", "published", "published_note",
                "language", "kind"},
    "countries": {"iso3", "name", "cow_code", "wikidata_qid", "aliases"} | CURATED,
    "organisations": {"key", "name", "acronym", "aliases", "kind", "founded_on", "wikidata_qid"} | CURATED,
    "persons": {"key", "name", "aliases", "affiliation", "country", "organisation", "wikidata_qid"} | CURATED,
    "agreements": {"key", "title", "short_name", "aliases", "kind", "legal_status", "signed_on",
                   "signed_at", "in_force_on", "ends_on", "parent", "organisation", "summary"} | CURATED,
    "memberships": {"organisation", "country", "role", "joined_on", "left_on"} | CURATED,
    "parties": {"agreement", "country", "action", "date", "signed_by"} | CURATED,
    "clauses": {"key", "agreement", "label", "text", "provision_types", "conditions", "binding",
                "obligors", "beneficiaries"} | CURATED,
    "claims": {"key", "text", "kind", "claimant", "claimed_on", "subjects", "quantity", "rank",
               "rank_reason", "contradicts"} | CURATED,
}
NESTED = {
    "citations": {"source", "quote", "fragment", "prefix", "suffix", "field"},
    "subjects": {"countries", "organisations", "agreements"},
    "quantity": {"value", "unit", "bound", "period_start", "period_end"},
}


class CuratedDataError(Exception):
    """The data file is wrong or does not validate; the message names the record."""


class EntryError(Exception):
    """A problem with one entry of the file; the loader adds which entry it is."""


@contextmanager
def naming(label: str):
    """Errors raised inside are the entry's: CuratedDataError messages start with its label."""
    try:
        yield
    except EntryError as exc:
        raise CuratedDataError(f"{label}: {exc}") from None
    except ValidationError as exc:
        raise CuratedDataError(f"{label}: {describe(exc)}") from None


def read_file(path: Path) -> dict:
    """The sections of a data file; the messages of the errors name no path (the caller does)."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise CuratedDataError(f"cannot be read ({exc.strerror})") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise CuratedDataError(f"not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise CuratedDataError(f"expected a mapping of sections ({', '.join(SECTIONS)})")
    if unknown := set(data) - set(SECTIONS):
        raise CuratedDataError(
            f"unknown section(s) {', '.join(sorted(unknown))}; the sections are {', '.join(SECTIONS)}"
        )
    for section, entries in data.items():
        if entries is not None and not isinstance(entries, list):
            raise CuratedDataError(f"section {section} must be a list of entries")
    return {section: data.get(section) or [] for section in SECTIONS}


def load(data: dict, seeds_dir: Path, advance: Callable[[], object] = lambda: None,
         overwrite: bool = False) -> "Loader":
    """Load the sections of a data file in one transaction; returns the loader with its tallies.

    overwrite: also write the file's values over records edited since the loader last wrote
    them (by default those are kept as the editors left them, and listed in `loader.edited`)."""
    loader = Loader(seeds_dir, advance, overwrite)
    with transaction.atomic():
        loader.run(data)
    return loader


class Loader:
    def __init__(self, seeds_dir: Path, advance: Callable[[], object], overwrite: bool = False):
        self.seeds_dir = Path(seeds_dir)
        self.overwrite = overwrite
        self.edited: list[str] = []  # records edited since loaded, kept as the editors left them
        self.texts_missing = not self.seeds_dir.is_dir()
        self.advance = advance
        self.outcomes: dict[str, dict[tuple, str]] = {}  # model name -> natural key -> outcome
        self.loaded: dict[type[models.Model], set[int]] = {}  # model -> ids of the file's records
        self.held_back: list[str] = []  # records the file publishes that load as review
        self.refs: dict[str, dict] = {section: {} for section in SECTIONS}  # section -> key -> record

    def run(self, data: dict) -> None:
        # The whole file is checked before anything is written: a typo fails at once.
        checked = {section: check_section(section, entries) for section, entries in data.items()}
        for section, entries in checked.items():
            build = getattr(self, section)
            for label, entry in entries:
                with naming(label):
                    record = build(label, entry)
                    ref = entry.get("key") or (record.iso3 if section == "countries" else None)
                    if ref is not None:
                        self.refs[section][ref] = record
                self.advance()
        self.contradictions(data["claims"])

    def summary(self) -> dict[str, Counter]:
        """created/updated/unchanged counts per model name (source, country, ..., citation), and
        how many records the database holds besides the file's (editors', or renamed in the file:
        the loader deletes nothing)."""
        summary = {name: Counter(outcomes.values()) for name, outcomes in self.outcomes.items()}
        for model, ids in self.loaded.items():
            summary[model._meta.model_name]["other"] = model.objects.exclude(pk__in=ids).count()
        return summary

    # --- one builder per section ---------------------------------------------------

    def sources(self, label: str, entry: dict) -> Source:
        fields = source_fields(
            title=text(entry, "title", required=True), published=entry.get("published"),
            kind=text(entry, "kind") or Source.Kind.NEWS,
            **{name: text(entry, name) for name in ("publisher", "author", "url", "language")},
        )
        if self.texts_missing or not entry.get("file"):
            key = ("source", "title", fields["title"])
            source = Source.objects.filter(title=fields["title"]).order_by("-sha256", "pk").first()
        else:
            try:
                fields["text"] = read_snapshot(self.seeds_dir / entry["file"])
            except SnapshotError as exc:
                raise EntryError(str(exc)) from None
            key = ("source", "sha256", text_sha256(fields["text"]))
            # A source stored by an earlier load without its text takes it now; saving it
            # anchors the citations that were unverified.
            source = Source.objects.filter(sha256=key[2]).first() or Source.objects.filter(
                title=fields["title"], sha256=""
            ).order_by("pk").first()
        return self.upsert(key, source or Source(), fields)

    def countries(self, label: str, entry: dict) -> Country:
        iso3 = text(entry, "iso3", required=True).upper()
        iso = pycountry.countries.get(alpha_3=iso3)
        fields = {
            "iso3": iso3, "iso2": iso.alpha_2 if iso else "", "name": text(entry, "name"),
            "cow_code": integer(entry, "cow_code"), "wikidata_qid": text(entry, "wikidata_qid"),
            "aliases": entry.get("aliases") or [],
        }
        return self.curated(label, entry, Country, ("iso3",), fields)

    def organisations(self, label: str, entry: dict) -> Organisation:
        fields = {
            "name": text(entry, "name", required=True), "acronym": text(entry, "acronym"),
            "aliases": entry.get("aliases") or [], "kind": text(entry, "kind") or Organisation.Kind.OTHER,
            "wikidata_qid": text(entry, "wikidata_qid"), **dates(entry, "founded_on"),
        }
        return self.curated(label, entry, Organisation, ("name",), fields)

    def persons(self, label: str, entry: dict) -> Person:
        fields = {
            "name": text(entry, "name", required=True), "aliases": entry.get("aliases") or [],
            "affiliation": text(entry, "affiliation"), "wikidata_qid": text(entry, "wikidata_qid"),
            "country_id": self.pk("countries", entry, "country"),
            "organisation_id": self.pk("organisations", entry, "organisation"),
        }
        return self.curated(label, entry, Person, ("name",), fields)

    def agreements(self, label: str, entry: dict) -> Agreement:
        fields = {
            "title": text(entry, "title", required=True), "short_name": text(entry, "short_name"),
            "aliases": entry.get("aliases") or [], "kind": text(entry, "kind"),
            "legal_status": text(entry, "legal_status"), "signed_at": text(entry, "signed_at"),
            "summary": text(entry, "summary"),
            "parent_id": self.pk("agreements", entry, "parent"),
            "organisation_id": self.pk("organisations", entry, "organisation"),
            **dates(entry, "signed_on", "in_force_on", "ends_on"),
        }
        return self.curated(label, entry, Agreement, ("title",), fields)

    def memberships(self, label: str, entry: dict) -> Membership:
        fields = {
            "organisation_id": self.pk("organisations", entry, "organisation", required=True),
            "country_id": self.pk("countries", entry, "country", required=True),
            "role": text(entry, "role") or Membership.Role.MEMBER, **dates(entry, "joined_on", "left_on"),
        }
        return self.curated(label, entry, Membership, ("organisation_id", "country_id", "role"), fields)

    def parties(self, label: str, entry: dict) -> Party:
        fields = {
            "agreement_id": self.pk("agreements", entry, "agreement", required=True),
            "country_id": self.pk("countries", entry, "country", required=True),
            "action": text(entry, "action", required=True),
            "signed_by_id": self.pk("persons", entry, "signed_by"), **dates(entry, "date"),
        }
        key = ("agreement_id", "country_id", "action", "date")
        return self.curated(label, entry, Party, key, fields)

    def clauses(self, label: str, entry: dict) -> Clause:
        fields = {
            "agreement_id": self.pk("agreements", entry, "agreement", required=True),
            "label": text(entry, "label", required=True), "text": text(entry, "text"),
            "conditions": text(entry, "conditions"),
            "binding": text(entry, "binding") or Clause.Binding.BINDING,
        }
        many = {
            "provision_types": provision_types(names(entry, "provision_types")),
            "obligors": self.records("countries", entry, "obligors"),
            "beneficiaries": self.records("countries", entry, "beneficiaries"),
        }
        return self.curated(label, entry, Clause, ("agreement_id", "label"), fields, many)

    def claims(self, label: str, entry: dict) -> Claim:
        quantity = entry.get("quantity") or {}
        subjects = entry.get("subjects") or {}
        fields = {
            "text": text(entry, "text", required=True), "kind": text(entry, "kind"),
            "claimant_id": self.pk("persons", entry, "claimant"),
            "quantity_value": decimal(quantity, "value"), "quantity_unit": text(quantity, "unit"),
            "quantity_bound": text(quantity, "bound") or Claim.Bound.EXACT,
            "rank": text(entry, "rank") or Claim.Rank.NORMAL, "rank_reason": text(entry, "rank_reason"),
            **dates(entry, "claimed_on"), **dates(quantity, "period_start", "period_end"),
        }
        many = {
            "subject_countries": self.records("countries", subjects, "countries"),
            "subject_organisations": self.records("organisations", subjects, "organisations"),
            "subject_agreements": self.records("agreements", subjects, "agreements"),
        }
        return self.curated(label, entry, Claim, ("text",), fields, many)

    def contradictions(self, entries: list[dict]) -> None:
        """Contradiction holds both ways: a claim's set is what it names plus what names it."""
        wanted: dict[Claim, set[Claim]] = {claim: set() for claim in self.refs["claims"].values()}
        for i, entry in enumerate(entries):
            with naming(entry_label("claims", i, entry)):
                others = self.records("claims", entry, "contradicts")
                claim = self.refs["claims"].get(entry.get("key"))
                if others and claim is None:
                    raise EntryError("a claim that contradicts others needs a key")
                if claim in others:
                    raise EntryError("a claim cannot contradict itself")
                for other in others:
                    wanted[claim].add(other)
                    wanted[other].add(claim)
        for claim, others in wanted.items():
            if self.outcomes["claim"].get(("claim", claim.text)) == "edited":
                continue
            if self.set_many(claim, "contradicts", others):
                self.tally(("claim", claim.text), "updated", replace="unchanged")

    # --- writing ---------------------------------------------------------------------

    def curated(self, label: str, entry: dict, model: type[models.Model], key: tuple[str, ...],
                fields: dict, many: dict | None = None):
        """Create or update a curated record, its citations and its M2M sets.

        Publishing needs a verified citation. As in the admin, where a record is saved together
        with its citations, the citations are anchored first and the record is validated knowing
        how many verified ones it will have; so a record the file publishes is stored once, as
        published. Without the source texts, such a record loads as review instead.
        """
        natural_key = (model._meta.model_name, *(fields[name] for name in key))
        record = model.objects.filter(**{name: fields[name] for name in key}).order_by("pk").first()
        if record is not None and not self.overwrite and edited_since_loaded(record):
            self.tally(natural_key, "edited")
            self.edited.append(label)
            self.keep(record)
            return record
        record = record or model()
        fields["note"] = text(entry, "note")
        citations, verified = self.anchored(record, entry.get("citations") or [])
        status = text(entry, "status")  # not given: the loader leaves it to the editors
        if status == Status.PUBLISHED and model.requires_provenance and not verified and self.texts_missing:
            status = Status.REVIEW
            self.held_back.append(label)
        if status:
            fields["status"] = status
        self.upsert(natural_key, record, fields, verified)
        for citation in citations:
            outcome = "updated" if citation.pk else "created"
            citation.object_id = record.pk
            store(citation)
            self.tally(("citation", citation.pk), outcome)
            self.keep(citation)
        changed = any([self.set_many(record, name, wanted) for name, wanted in (many or {}).items()])
        if changed or citations:
            self.tally(natural_key, "updated", replace="unchanged")
        return record

    def upsert(self, natural_key: tuple, record: models.Model, fields: dict, verified: int | None = None):
        """Save the record if it is new or a field differs; tally what happened.

        verified: for a curated record, how many verified citations it will have once saved."""
        if natural_key in self.outcomes.get(natural_key[0], {}):
            raise EntryError(f"the file holds this {record._meta.verbose_name} twice")
        differs = {name: value for name, value in fields.items() if getattr(record, name) != value}
        outcome = "unchanged" if record.pk and not differs else "updated" if record.pk else "created"
        if outcome != "unchanged":
            for name, value in differs.items():
                setattr(record, name, value)
            if verified is None:
                record.full_clean()
            else:
                record.defer_publishing_check = True
                record.full_clean()
                publishing.validate_publishable(record, verified_citations=verified)
            store(record)
        self.tally(natural_key, outcome)
        self.keep(record)
        return record

    def set_many(self, record: models.Model, name: str, wanted: set) -> bool:
        manager = getattr(record, name)
        if set(manager.values_list("pk", flat=True)) == {item.pk for item in wanted}:
            return False
        manager.set(wanted)
        return True

    def anchored(self, record: models.Model, entries: list[dict]) -> tuple[list[Citation], int]:
        """The citations to write, anchored and validated: those the record lacks, and stored ones
        that are not verified though their source now has its text. And how many verified
        citations the record will have. Citations that editors added are left alone."""
        stored = list(Citation.objects.for_record(record)) if record.pk else []
        unmatched = list(stored)  # the same passage cited twice (other context) matches in turn
        pending = []
        for entry in entries:
            source = self.ref("sources", entry["source"], "source")
            citation = next((c for c in unmatched if same_citation(c, source, entry)), None)
            if citation is not None:
                unmatched.remove(citation)
            if citation is not None and (citation.verified or not source.text):
                self.tally(("citation", citation.pk), "unchanged")
                self.keep(citation)
                continue
            citation = citation or Citation(
                source=source, content_type=ContentType.objects.get_for_model(record),
                quote=text(entry, "quote"), text_fragment=text(entry, "fragment"),
                prefix=text(entry, "prefix"), suffix=text(entry, "suffix"), field=text(entry, "field"),
            )
            try:
                if citation.pk is not None:
                    citation.anchor(strict=True)  # saved unchanged, full_clean() keeps its anchor
                citation.full_clean(exclude=["object_id"])  # the record may not be stored yet
            except ValidationError as exc:
                raise EntryError(f'citation of source "{source.title}": {describe(exc)}') from None
            pending.append(citation)
        new = [citation for citation in pending if citation.pk is None]
        return pending, sum(citation.verified for citation in [*stored, *new])

    def keep(self, record: models.Model) -> None:
        self.loaded.setdefault(type(record), set()).add(record.pk)

    def tally(self, natural_key: tuple, outcome: str, replace: str | None = None) -> None:
        outcomes = self.outcomes.setdefault(natural_key[0], {})
        if replace is None or outcomes.get(natural_key) == replace:
            outcomes[natural_key] = outcome

    # --- references --------------------------------------------------------------------

    def ref(self, section: str, key, what: str):
        lookup = key.upper() if section == "countries" and isinstance(key, str) else key
        try:
            return self.refs[section][lookup]
        except (KeyError, TypeError):
            where = "an iso3 of the countries section" if section == "countries" else f"a {section} key"
            raise EntryError(f"{what} {key!r} is not {where} of the file") from None

    def pk(self, section: str, entry: dict, name: str, required: bool = False) -> int | None:
        if entry.get(name) in (None, ""):
            if required:
                raise EntryError(f"{name} is required")
            return None
        return self.ref(section, entry[name], name).pk

    def records(self, section: str, entry: dict, name: str) -> set:
        return {self.ref(section, key, name) for key in names(entry, name)}


def edited_since_loaded(record: models.Model) -> bool:
    """Whether the record's latest version was written by someone else than this loader (an
    editor in the admin or the API): reloading the file must not undo their work."""
    latest = record.history.order_by("-history_date", "-history_id").first()
    return latest is not None and latest.history_change_reason != CHANGE_REASON


def store(record: models.Model) -> None:
    """Save a validated record; its history notes why."""
    record._change_reason = CHANGE_REASON
    try:
        record.save()  # no savepoint: the load's one transaction is rolled back on any error
    except IntegrityError as exc:  # only a concurrent writer can get past full_clean()
        raise EntryError(f"the database refused it: {exc}") from None


# --- reading entries -------------------------------------------------------------------


def entry_label(section: str, index: int, entry) -> str:
    """How messages name an entry: its key (iso3), else what identifies it, else its position."""
    if isinstance(entry, dict):
        key = entry.get("iso3") if section == "countries" else entry.get("key")
        parts = [key] if key else [entry.get(name) for name in {
            "memberships": ("organisation", "country", "role"),
            "parties": ("agreement", "country", "action", "date"),
            "clauses": ("agreement", "label"),
        }.get(section, ())]
        if named := " ".join(str(part) for part in parts if part):
            return f"{section}[{named}]"
    return f"{section} entry {index + 1}"


def check_section(section: str, entries: list) -> list[tuple[str, dict]]:
    """The section's entries with their labels, once checked, in the order to load them."""
    checked = [check_entry(section, i, entry) for i, entry in enumerate(entries)]
    name = "iso3" if section == "countries" else "key"
    keys = Counter(str(entry[name]).upper() if name == "iso3" else entry[name]
                   for _, entry in checked if entry.get(name))
    if repeated := sorted(str(key) for key, count in keys.items() if count > 1):
        raise CuratedDataError(f"{section}: {name} used more than once: {', '.join(repeated)}")
    return parents_first(checked) if section == "agreements" else checked


def check_entry(section: str, index: int, entry) -> tuple[str, dict]:
    """The entry's label and the entry, once its keys are known ones (nested ones too)."""
    label = entry_label(section, index, entry)
    with naming(label):
        check_keys(entry, SECTIONS[section], "")
        for name in ("subjects", "quantity"):
            if entry.get(name) is not None:
                check_keys(entry[name], NESTED[name], f"{name}: ")
        citations = entry.get("citations") or []
        if not isinstance(citations, list):
            raise EntryError("citations must be a list")
        seen: dict[tuple, int] = {}
        for n, citation in enumerate(citations, 1):
            check_keys(citation, NESTED["citations"], f"citation {n}: ")
            if "source" not in citation:
                raise EntryError(f"citation {n}: source is required")
            if bool(citation.get("quote")) == bool(citation.get("fragment")):
                raise EntryError(f"citation {n}: give either a quote or a fragment")
            passage = text(citation, "fragment") or anchoring.normalize(text(citation, "quote"))
            context = (text(citation, name) for name in ("prefix", "suffix", "field"))
            key = (citation["source"], passage, *context)
            if key in seen:
                raise EntryError(f"citation {n} repeats citation {seen[key]}")
            seen[key] = n
    return label, entry


def check_keys(entry, allowed: set[str], where: str) -> None:
    if not isinstance(entry, dict):
        raise EntryError(f"{where}expected a mapping of fields, got {entry!r}")
    if unknown := set(entry) - allowed:
        raise EntryError(
            f"{where}unknown key(s) {', '.join(sorted(map(str, unknown)))}; "
            f"the keys are {', '.join(sorted(allowed))}"
        )


def text(entry: dict, name: str, required: bool = False) -> str:
    value = entry.get(name)
    if isinstance(value, (list, dict)):
        raise EntryError(f"{name} must be text, got {value!r}")
    value = "" if value is None else str(value).strip()
    if required and not value:
        raise EntryError(f"{name} is required")
    return value


def integer(entry: dict, name: str) -> int | None:
    value = entry.get(name)
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise EntryError(f"{name} must be a whole number, got {value!r}") from None


def decimal(entry: dict, name: str) -> Decimal | None:
    value = entry.get(name)
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise EntryError(f"{name} must be a number, got {value!r}") from None


def names(entry: dict, name: str) -> list:
    value = entry.get(name) or []
    if not isinstance(value, list):
        raise EntryError(f"{name} must be a list, got {value!r}")
    return value


def dates(entry: dict, *names: str) -> dict:
    """The date and precision fields of partial dates given as "2021-06-15", "2021-06", "2021"."""
    fields = {}
    for name in names:
        fields |= partial_date(name, entry.get(name))
    return fields


def provision_types(slugs: list) -> set[ProvisionType]:
    found = {t.slug: t for t in ProvisionType.objects.filter(slug__in=slugs)}
    if unknown := [str(slug) for slug in slugs if slug not in found]:
        raise EntryError(
            f"unknown provision type(s) {', '.join(unknown)}; the types are "
            f"{', '.join(ProvisionType.objects.values_list('slug', flat=True))}"
        )
    return set(found.values())


def same_citation(citation: Citation, source: Source, entry: dict) -> bool:
    """A citation's natural key: source, passage (quote or fragment) and field."""
    if citation.source_id != source.pk or citation.field != text(entry, "field"):
        return False
    if entry.get("fragment"):
        return citation.text_fragment == text(entry, "fragment")
    return not citation.text_fragment and (
        anchoring.normalize(citation.quote) == anchoring.normalize(text(entry, "quote"))
    )


def parents_first(entries: Iterable[tuple[str, dict]]) -> list[tuple[str, dict]]:
    """Agreements ordered so that each parent is stored before the agreements pointing at it."""
    entries = list(entries)
    by_key = {entry.get("key"): (label, entry) for label, entry in entries}
    ordered: list[tuple[str, dict]] = []
    placed: set = set()

    def place(label: str, entry: dict, chain: tuple) -> None:
        key = entry.get("key")
        if key in placed:
            return
        if key in chain:
            raise CuratedDataError(f"{label}: its parent chain loops back to itself")
        if entry.get("parent") in by_key:
            place(*by_key[entry["parent"]], (*chain, key))
        placed.add(key)
        ordered.append((label, entry))

    for label, entry in entries:
        place(label, entry, ())
    return ordered
