"""The table exports: one definition per model of its flat CSV columns, streamed by chunks.

    table = TABLES["agreements"]
    csv_response(table.stream(Agreement.objects.published()), table.filename)

A table reads `queryset.values_list(...).iterator(chunk_size)`: no model instances, and per
chunk one query per many-to-many field plus one for the citations, whatever the row count.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from operator import itemgetter

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connections, models
from django.db.models import Case, F, Q, When
from django.db.models.functions import Cast
from django.http import StreamingHttpResponse

from alliances.models import (
    Agreement,
    Claim,
    Clause,
    Country,
    CuratedRecord,
    Membership,
    Organisation,
    Party,
    Person,
    ProvisionType,
    Status,
)
from sources.models import Citation, Source

from .columns import (
    CITATION_IDS,
    SOURCE_IDS,
    Column,
    FileSpec,
    aliases,
    by_id,
    by_iso3,
    by_slug,
    country,
    iso_datetime,
    many,
    partial,
    plain,
    reference,
    timestamps,
    unchanged,
)
from .csv_stream import column_cells, download, encode_rows

CHUNK_SIZE = 2000
Hidden = frozenset[type[models.Model]]


def chunked(iterable: Iterable, size: int) -> Iterator[list]:
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


@dataclass(frozen=True)
class Table(FileSpec):
    model: type[models.Model] | None = None

    @property
    def lookups(self) -> list[str]:
        """The values() lookups the columns read, "id" first."""
        gathered = self.gathered
        keys = ["id"]
        for column in self.columns:
            keys += [key for key in column.reads if key not in keys and key not in gathered]
        return keys

    @property
    def gathered(self) -> set[str]:
        keys = {column.m2m for column in self.columns if column.m2m}
        if self.cited:
            keys |= {"citation_ids", "source_ids"}
        return keys

    @property
    def cited(self) -> bool:
        return issubclass(self.model, CuratedRecord)

    def stream(self, queryset: models.QuerySet, chunk_size: int = CHUNK_SIZE,
               order_by: tuple[str, ...] | None = ("pk",), drafts_hidden: Hidden = frozenset()
               ) -> Iterator[list]:
        """The header, then one list of cell values per record, in id order (files are
        deterministic); order_by=None keeps the queryset's own ordering (an API `?ordering=`).
        drafts_hidden: models whose unpublished records list columns leave out (what the
        reader may not see: a published claim about a draft agreement does not name it)."""
        yield self.header
        yield from self.rows(queryset, chunk_size, order_by, drafts_hidden)

    def rows(self, queryset: models.QuerySet, chunk_size: int = CHUNK_SIZE,
             order_by: tuple[str, ...] | None = ("pk",), drafts_hidden: Hidden = frozenset()
             ) -> Iterator[list]:
        lookups, gathered = self.lookups, sorted(self.gathered)
        if order_by is not None:
            queryset = queryset.order_by(*order_by)
        # A view's queryset may prefetch for its serializer: rows are tuples here, and the
        # lists come from gather(), so the prefetches are dropped.
        selected = self.selected(lookups, drafts_hidden)
        values = queryset.prefetch_related(None).values_list(*selected).iterator(chunk_size=chunk_size)
        cells = self.plan([*lookups, *gathered])
        for chunk in chunked(values, chunk_size):
            extras = self.gather([row[0] for row in chunk], drafts_hidden)
            lists = [extras[key] for key in gathered]
            for row in chunk:
                full = (*row, *(by_pk.get(row[0], ()) for by_pk in lists))
                yield [cell(full) for cell in cells]

    def csv_blocks(self, queryset: models.QuerySet, chunk_size: int = CHUNK_SIZE,
                   order_by: tuple[str, ...] | None = ("pk",), drafts_hidden: Hidden = frozenset()
                   ) -> Iterator[bytes]:
        """The same bytes as stream_csv(self.stream(...)), built a column at a time: per chunk,
        one comprehension per column instead of a Python call per cell (the API's and the
        admin's downloads). One UTF-8 block per chunk; memory stays flat."""
        yield encode_rows([self.header])
        lookups, gathered = self.lookups, sorted(self.gathered)
        if order_by is not None:
            queryset = queryset.order_by(*order_by)
        # Datetime columns are read as text where that is faster (see stored_as_iso_text).
        as_text = self.datetimes if stored_as_iso_text(queryset.db) else set()
        selected = self.selected(lookups, drafts_hidden, as_text)
        rows = queryset.prefetch_related(None).values_list(*selected).iterator(chunk_size=chunk_size)
        position = {key: index for index, key in enumerate([*lookups, *gathered])}
        plan = [
            ([position[key] for key in column.reads],
             iso_from_text if column.reads[0] in as_text else column.convert, column.type)
            for column in self.columns
        ]
        for chunk in chunked(rows, chunk_size):
            by_key = list(zip(*chunk, strict=True))
            extras = self.gather(list(by_key[0]), drafts_hidden)
            by_key += [[extras[key].get(pk, ()) for pk in by_key[0]] for key in gathered]
            cells = []
            for reads, convert, type_ in plan:
                inputs = [by_key[index] for index in reads]
                values = inputs[0] if convert is unchanged else list(map(convert, *inputs))
                cells.append(column_cells(values, type_))
            yield encode_rows(zip(*cells, strict=True))

    def selected(self, lookups: list[str], drafts_hidden: Hidden, as_text: set[str] = frozenset()) -> list:
        """What values_list() reads for `lookups`: a datetime in `as_text` as text, and a
        reference to a record whose drafts are hidden only when that record is published (a
        published claim's draft claimant is left blank, as a list column leaves it out)."""
        guarded = {}
        for column in self.columns:
            if column.relation and self.model._meta.get_field(column.relation).related_model in drafts_hidden:
                (key,) = column.reads
                published = Q(**{f"{column.relation}__status": Status.PUBLISHED})
                guarded[key] = Case(When(published, then=F(key)), default=None)
        return [Cast(key, models.TextField()) if key in as_text else guarded.get(key, key) for key in lookups]

    @property
    def datetimes(self) -> set[str]:
        """Lookups read only by datetime columns exported as they are (created_at, updated_at)."""
        plain = {column.reads[0] for column in self.columns if column.convert is iso_datetime}
        return {
            key for key in plain
            if all(column.convert is iso_datetime for column in self.columns if key in column.reads)
        }

    def plan(self, keys: list[str]) -> list:
        """One function per column from the row tuple (lookups, then gathered lists) to its cell."""
        position = {key: index for index, key in enumerate(keys)}
        cells = []
        for column in self.columns:
            get = itemgetter(*(position[key] for key in column.reads))
            if column.convert is unchanged:
                cells.append(get)
            elif len(column.reads) == 1:
                cells.append(lambda full, get=get, convert=column.convert: convert(get(full)))
            else:
                cells.append(lambda full, get=get, convert=column.convert: convert(*get(full)))
        return cells

    def gather(self, ids: list[int], drafts_hidden: Hidden) -> dict[str, dict[int, list]]:
        """Per chunk: the targets of each many-to-many column and the record's citations."""
        extras = {}
        for column in self.columns:
            if column.m2m:
                extras[column.m2m] = self.gather_many(column.m2m, ids, drafts_hidden)
        if self.cited:
            extras["citation_ids"], extras["source_ids"] = gather_citations(self.model, ids)
        return extras

    def gather_many(self, name: str, ids: list[int], drafts_hidden: Hidden) -> dict[int, list]:
        m2m = self.model._meta.get_field(name)
        through = m2m.remote_field.through
        source, target = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
        shown = M2M_SHOWN_AS[m2m.related_model]
        by_pk = defaultdict(list)
        pairs = through.objects.filter(**{f"{source}_id__in": ids})
        if m2m.related_model in drafts_hidden:
            pairs = pairs.filter(**{f"{target}__status": Status.PUBLISHED})
        pairs = pairs.order_by(f"{target}_id").values_list(f"{source}_id", f"{target}__{shown}")
        for pk, item in pairs:
            by_pk[pk].append(item)
        return by_pk


def stored_as_iso_text(alias: str) -> bool:
    """Whether datetimes come back faster as text: SQLite stores Django's str(datetime) in UTC,
    PostgreSQL writes a timestamptz in the session's time zone (UTC, set by Django), both
    "YYYY-MM-DD HH:MM:SS[.ffffff]" (PostgreSQL adds "+00"), which is the ISO 8601 form but for
    the T and the offset. Reading it as text saves parsing and re-formatting two datetimes a
    row, the largest cost of a table's CSV after csv.writer itself."""
    connection = connections[alias]
    return (
        connection.vendor in ("sqlite", "postgresql")
        and settings.USE_TZ and connection.timezone_name == "UTC"
    )


def iso_from_text(text: str | None) -> str | None:
    """iso_datetime() of a UTC datetime read as text (see stored_as_iso_text)."""
    if text is None:
        return None
    text = text.removesuffix("+00")
    if len(text) in (19, 26) and text[10] == " ":  # six digits of fraction, or none
        return f"{text[:10]}T{text[11:]}+00:00"
    # PostgreSQL drops a fraction's trailing zeros, SQLite's own clock writes three digits:
    # read it as Django does (isoformat() writes six digits, or none when they are all 0).
    value = datetime.datetime.fromisoformat(text)
    value = value.astimezone(datetime.UTC) if value.tzinfo else value.replace(tzinfo=datetime.UTC)
    return value.isoformat()


# Targets of many-to-many columns are shown as their iso3, slug or id.
M2M_SHOWN_AS = {Country: "iso3", ProvisionType: "slug", Organisation: "id", Agreement: "id", Claim: "id"}


def gather_citations(model: type[models.Model], ids: list[int]) -> tuple[dict, dict]:
    """Citation ids and the distinct source ids of the records `ids`, in one query."""
    citation_ids, source_ids = defaultdict(list), defaultdict(list)
    rows = Citation.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id__in=ids
    ).order_by("id").values_list("object_id", "id", "source_id")
    for pk, citation_id, source_id in rows:
        citation_ids[pk].append(citation_id)
        source_ids[pk].append(source_id)
    return citation_ids, {pk: sorted(set(sources)) for pk, sources in source_ids.items()}


def curated(model: type[models.Model]) -> tuple[Column, ...]:
    """What every curated record ends with: the curators' note, status, timestamps, provenance."""
    return (plain(model, "note"), plain(model, "status"), *timestamps(model), CITATION_IDS, SOURCE_IDS)


def _table(name: str, title: str, model, *columns: Column, description: str = "") -> Table:
    description = description or str(model.__doc__ or "").strip().split("\n\n")[0]
    return Table(name, title, description, (plain(model, "id"), *columns), ("id",), model)


def _record_type_restore(text, ctx):
    return {"content_type_id": ctx.content_type_ids[text]}


def _table_of(app_label: str, model_name: str) -> str:
    return TABLE_OF_MODEL[f"{app_label}.{model_name}"]


TABLES: dict[str, Table] = {
    table.name: table for table in (
        _table(
            "countries", "Countries", Country,
            plain(Country, "name"), plain(Country, "iso2"), plain(Country, "iso3"),
            plain(Country, "cow_code"), plain(Country, "wikidata_qid"), aliases(Country),
            *curated(Country),
            description="States, with their ISO 3166 and Correlates of War codes.",
        ),
        _table(
            "organisations", "Organisations", Organisation,
            plain(Organisation, "name"), plain(Organisation, "acronym"), aliases(Organisation),
            plain(Organisation, "kind"), *partial(Organisation, "founded_on"),
            plain(Organisation, "wikidata_qid"), *curated(Organisation),
            description="International organisations and the frameworks agreements sit in.",
        ),
        _table(
            "memberships", "Memberships", Membership,
            reference(Membership, "organisation", "organisations"), country(Membership, "country"),
            plain(Membership, "role"), *partial(Membership, "joined_on"), *partial(Membership, "left_on"),
            *curated(Membership),
            description="Countries' memberships of organisations, with the dates they joined and left.",
        ),
        _table(
            "persons", "Persons", Person,
            plain(Person, "name"), aliases(Person), plain(Person, "affiliation"),
            country(Person, "country"), reference(Person, "organisation", "organisations"),
            plain(Person, "wikidata_qid"), *curated(Person),
            description="Speakers of claims and signatories of agreements.",
        ),
        _table(
            "agreements", "Agreements", Agreement,
            plain(Agreement, "title"), plain(Agreement, "short_name"), aliases(Agreement),
            plain(Agreement, "kind"), plain(Agreement, "legal_status"),
            *partial(Agreement, "signed_on"), plain(Agreement, "signed_at"),
            *partial(Agreement, "in_force_on"), *partial(Agreement, "ends_on"),
            reference(Agreement, "parent", "agreements"), plain(Agreement, "summary"),
            reference(Agreement, "organisation", "organisations"),
            plain(Agreement, "atopid"), plain(Agreement, "cow_id"), *curated(Agreement),
            description="Agreements (treaties, declarations, plans, ...): the agreement-level file.",
        ),
        _table(
            "parties", "Party actions", Party,
            reference(Party, "agreement", "agreements"), country(Party, "country"),
            plain(Party, "action"), *partial(Party, "date"),
            reference(Party, "signed_by", "persons"), *curated(Party),
            description="One action of one country on one agreement (signature, ratification, "
            "accession, entry into force, withdrawal, denunciation), as the UN Treaty Collection lists them.",
        ),
        _table(
            "clauses", "Clauses", Clause,
            reference(Clause, "agreement", "agreements"), plain(Clause, "label"), plain(Clause, "text"),
            many(Clause, "provision_types", "Slugs (provision-types.csv)", by_slug),
            plain(Clause, "conditions"), plain(Clause, "binding"),
            many(Clause, "obligors", "ISO alpha-3 codes", by_iso3),
            many(Clause, "beneficiaries", "ISO alpha-3 codes", by_iso3),
            *curated(Clause),
            description="Clauses of agreements: what they oblige, whom, for whom.",
        ),
        _table(
            "provision-types", "Provision types", ProvisionType,
            plain(ProvisionType, "slug"), plain(ProvisionType, "name"),
            plain(ProvisionType, "description"), plain(ProvisionType, "atop_variable"),
            plain(ProvisionType, "cow_type"),
        ),
        _table(
            "claims", "Claims", Claim,
            plain(Claim, "text"), plain(Claim, "kind"), reference(Claim, "claimant", "persons"),
            *partial(Claim, "claimed_on"),
            many(Claim, "subject_countries", "ISO alpha-3 codes", by_iso3),
            many(Claim, "subject_organisations", "Ids (organisations.csv)", by_id),
            many(Claim, "subject_agreements", "Ids (agreements.csv)", by_id),
            plain(Claim, "quantity_value"), plain(Claim, "quantity_unit"), plain(Claim, "quantity_bound"),
            *partial(Claim, "period_start"), *partial(Claim, "period_end"),
            plain(Claim, "rank"), plain(Claim, "rank_reason"),
            many(Claim, "contradicts", "Ids (claims.csv)", by_id), *curated(Claim),
            description="Claims (facts, figures, assessments, forecasts, commitments) as sources state them.",
        ),
        _table(
            "sources", "Sources", Source,
            plain(Source, "title"), plain(Source, "publisher"), plain(Source, "author"),
            plain(Source, "url"), *partial(Source, "published_on"), plain(Source, "retrieved_on"),
            plain(Source, "language"), plain(Source, "kind"), plain(Source, "text"),
            Column("sha256", "string", str(Source._meta.get_field("sha256").help_text), ("sha256",),
                   lambda value: value or None, pattern="[0-9a-f]{64}",
                   restore=lambda text, ctx: {"sha256": text}),  # the import checks it against the text
            *timestamps(Source),
            description="Source documents with their stored text, which citations index into.",
        ),
        _table(
            "citations", "Citations", Citation,
            reference(Citation, "source", "sources"),
            Column(
                "record_type", "string",
                "File (and API resource) of the cited record, e.g. agreements.",
                ("content_type__app_label", "content_type__model"), _table_of,
                restore=_record_type_restore,
            ),
            plain(Citation, "object_id", column="record_id"),
            plain(Citation, "field"), plain(Citation, "quote"), plain(Citation, "text_fragment"),
            plain(Citation, "start"), plain(Citation, "end"), plain(Citation, "prefix"),
            plain(Citation, "suffix"), plain(Citation, "match"),
            Column("verified", "boolean", "Whether the quote was found in the source's stored text "
                   "(match exact or normalized).", ("match",),
                   lambda match: match in Citation.VERIFIED_MATCHES),
            plain(Citation, "anchored_sha256"), *timestamps(Citation),
            description="Passages of sources that support records: W3C Web Annotation TextQuote and "
            "TextPosition selectors (start/end in code points, end exclusive).",
        ),
    )
}

TABLE_OF_MODEL = {table.model._meta.label_lower: name for name, table in TABLES.items()}


def table_csv_response(name: str, queryset: models.QuerySet, order_by: tuple[str, ...] | None = ("pk",),
                       drafts_hidden: Hidden = frozenset()) -> StreamingHttpResponse:
    """The whole of `queryset` as the streamed CSV of table `name` (a key of TABLES)."""
    table = TABLES[name]
    blocks = table.csv_blocks(queryset, order_by=order_by, drafts_hidden=drafts_hidden)
    return download(blocks, table.filename)
