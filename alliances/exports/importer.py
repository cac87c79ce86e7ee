"""Load a dataset package written by `export_dataset` into an empty database.

Ids, statuses, partial dates, timestamps and provenance (sources with their text, citations
with their offsets and match) are restored as exported, so that exporting again gives the same
bytes. The package is checked first (every table present with the columns this version writes,
each file's SHA-256 as declared); after loading, every anchored citation is checked against its
source's text. Anything wrong rolls the whole import back.
"""

import csv
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.db import models, reset_queries, transaction
from simple_history.utils import bulk_create_with_history

from alliances.bulk_loads import analyze, reset_sequences
from alliances.models import Country, ProvisionType
from sources.models import Citation, Source, stored_text, text_sha256
from sources.search import SearchDocument, record_document

from .csv_stream import unneutralise
from .dataset import DESCRIPTOR
from .tables import CHUNK_SIZE, TABLES, Table, chunked

# Referenced tables before the tables that refer to them (foreign keys are also deferred).
ORDER = (
    "provision-types", "countries", "organisations", "persons", "sources", "agreements",
    "memberships", "parties", "clauses", "claims", "citations",
)
CHANGE_REASON = "import_dataset"


class ImportRefused(Exception):
    """The database is not empty, or the package is not one this version can load intact."""


@dataclass
class Context:
    """Lookups the restorers need: codes and names back to ids."""

    country_ids: dict[str, int] = field(default_factory=dict)
    provision_type_ids: dict[str, int] = field(default_factory=dict)
    content_type_ids: dict[str, int] = field(default_factory=dict)


def occupied() -> list[str]:
    """What the database already holds (provision types aside: a migration seeds them)."""
    return [
        f"{count} {name}" for name, table in TABLES.items()
        if table.model is not ProvisionType and (count := table.model.objects.count())
    ]


def import_package(directory: Path, progress: Callable[[Iterable, Table], Iterable] | None = None,
                   history: bool = True) -> dict:
    """Load DIR/datapackage.json; returns the number of rows loaded per table.

    history: write a history row per record ("import_dataset" as the change reason), as the
    admin shows; without it the import takes about half the time."""
    directory = Path(directory)
    progress = progress or (lambda rows, table: rows)
    resources = check_package(directory)
    if held := occupied():
        raise ImportRefused(
            f"The database is not empty (it holds {', '.join(held)}). import_dataset loads a package "
            "into an empty database only: migrate a new database, or empty this one with `manage.py flush`."
        )
    context = Context(content_type_ids={
        name: ContentType.objects.get_for_model(table.model).pk for name, table in TABLES.items()
    })
    counts = {}
    with transaction.atomic():
        ProvisionType.objects.all().delete()  # the seeded taxonomy, replaced by the package's own
        for name in ORDER:
            table = TABLES[name]
            rows = read_rows(directory / resources[name]["path"], table)
            counts[name] = load_table(table, progress(rows, table), context, history)
            if name == "provision-types":
                context.provision_type_ids = dict(ProvisionType.objects.values_list("slug", "id"))
            elif name == "countries":
                context.country_ids = dict(Country.objects.values_list("iso3", "id"))
        check_anchors()
        reset_sequences(table.model for table in TABLES.values())
    analyze()
    return counts


def check_package(directory: Path) -> dict[str, dict]:
    try:
        descriptor = json.loads((directory / DESCRIPTOR).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ImportRefused(f"Cannot read {directory / DESCRIPTOR}: {error}") from error
    resources = {resource["name"]: resource for resource in descriptor.get("resources", [])}
    missing = [name for name in ORDER if name not in resources]
    if missing:
        raise ImportRefused(f"The package has no {', '.join(missing)} table.")
    for name in ORDER:
        path = directory / resources[name]["path"]
        declared = resources[name].get("hash", "")
        if declared and declared != f"sha256:{file_sha256(path)}":
            raise ImportRefused(
                f"{path} does not match the SHA-256 in {DESCRIPTOR}: it was changed or truncated."
            )
    return resources


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as data:
        while block := data.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def read_rows(path: Path, table: Table) -> Iterator[list[str]]:
    """The cells of each row, un-neutralised; the header must be this version's."""
    with open(path, encoding="utf-8", newline="") as data:
        reader = csv.reader(data)
        header = next(reader, [])
        if header != table.header:
            raise ImportRefused(
                f"{path.name} has the columns {header}, not {table.header}: it was written by "
                "another version of the exporter."
            )
        for row in reader:
            yield [unneutralise(cell) for cell in row]


def load_table(table: Table, rows: Iterable[list[str]], context: Context, history: bool = True) -> int:
    model = table.model
    count = 0
    for chunk in chunked(rows, CHUNK_SIZE):
        records, links = [], []
        for cells in chunk:
            attributes = {}
            for column, cell in zip(table.columns, cells, strict=True):
                if column.restore:
                    attributes.update(column.restore(cell, context))
            related = {column.m2m: attributes.pop(column.m2m) for column in table.columns if column.m2m}
            record = model(**attributes)
            check_record(record)
            if isinstance(record, SearchDocument):  # bulk_create sends no pre_save
                record.search_document = record_document(record)
            records.append(record)
            links += [(name, record.pk, target) for name, targets in related.items() for target in targets]
        with exported_timestamps(model):
            if history:
                bulk_create_with_history(records, model, batch_size=500, default_change_reason=CHANGE_REASON)
            else:
                model.objects.bulk_create(records, batch_size=500)
        link(model, links)
        count += len(records)
        reset_queries()  # with DEBUG on, Django would keep every (large) INSERT statement
    return count


@contextmanager
def exported_timestamps(model: type[models.Model]):
    """bulk_create would stamp created_at/updated_at with the current time (auto_now,
    auto_now_add): keep the exported times instead, for the duration of the insert."""
    fields = [f for f in model._meta.concrete_fields if getattr(f, "auto_now", False)
              or getattr(f, "auto_now_add", False)]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def check_record(record: models.Model) -> None:
    if not isinstance(record, Source):
        return
    if record.sha256 != (text_sha256(record.text) if record.text else ""):
        raise ImportRefused(f"Source {record.pk}: its text does not match its SHA-256.")
    if record.text != stored_text(record.text):
        # Its citations' offsets count the CRs: normalising here would move them.
        raise ImportRefused(f"Source {record.pk}: its text has CR line endings; a source stores LF only.")


def link(model: type[models.Model], links: list[tuple[str, int, int]]) -> None:
    """Many-to-many rows (field, record id, target id), straight into the through tables."""
    by_field: dict[str, list] = {}
    for name, pk, target in links:
        m2m = model._meta.get_field(name)
        through = m2m.remote_field.through
        source, target_field = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
        by_field.setdefault(name, []).append(through(**{f"{source}_id": pk, f"{target_field}_id": target}))
    for name, rows in by_field.items():
        model._meta.get_field(name).remote_field.through.objects.bulk_create(rows, batch_size=1000)


def check_anchors() -> None:
    """Every anchored citation's offsets still select its quote in the imported source text."""
    broken, text, current = [], "", None
    rows = Citation.objects.filter(start__isnull=False).order_by("source_id", "id").values_list(
        "id", "source_id", "start", "end", "quote"
    )
    for pk, source_id, start, end, quote in rows.iterator(chunk_size=CHUNK_SIZE):
        if source_id != current:
            current, text = source_id, Source.objects.values_list("text", flat=True).get(pk=source_id)
        if text[start:end] != quote:
            broken.append(pk)
    if broken:
        raise ImportRefused(
            f"{len(broken)} citation(s) do not match their source's text at their offsets "
            f"(ids {', '.join(map(str, broken[:20]))}): the package is inconsistent."
        )


