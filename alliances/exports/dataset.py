"""The researcher's dataset on disk: every table, the member, state-year and dyad-year files, the
codebook, and a Frictionless `datapackage.json` (schemas, row counts, bytes, SHA-256, version).

Files are written by streaming (a block at a time, hashed as they go); rows are in id order, so
the same data always gives the same bytes. Only datapackage.json carries the export time.
"""

import datetime
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from alliances.domain import registry
from sources.models import Citation, Source

from . import agreement_level, codebook, dyad_years, members, state_years
from .bonds import current_year, load
from .columns import Column, FileSpec
from .csv_stream import stream_csv
from .tables import TABLES

PACKAGE_NAME = "alliance-register"
DESCRIPTOR = "datapackage.json"
CODEBOOK_MARKDOWN = "codebook.md"


@dataclass(frozen=True)
class Written:
    spec: FileSpec
    rows: int
    bytes: int
    sha256: str


def querysets(published_only: bool) -> dict[str, QuerySet]:
    """What each table exports: everything, or only what anonymous readers see (published
    records, and so parties and clauses of published agreements only; the citations of those,
    the sources those cite)."""
    sets = {
        name: table.model.objects.published() if published_only and table.cited else table.model.objects.all()
        for name, table in TABLES.items()
    }
    if published_only:
        cited = Q(pk__in=[])
        for name, table in TABLES.items():
            if table.cited:
                cited |= Q(content_type=ContentType.objects.get_for_model(table.model),
                           object_id__in=sets[name].values("id"))
        sets["citations"] = Citation.objects.filter(cited)
        sets["sources"] = Source.objects.filter(pk__in=sets["citations"].values("source_id"))
    return sets


Progress = Callable[[Iterable, FileSpec, int | None], Iterable]


def export(directory: Path, *, published_only: bool = False, version: str = "",
           year_to: int | None = None, progress: Progress | None = None) -> dict:
    """Write the dataset into `directory` and return the datapackage descriptor.

    progress(rows, spec, total): wraps each file's row iterator (e.g. in a tqdm bar)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    progress = progress or (lambda rows, spec, total: rows)
    sets = querysets(published_only)
    written = []
    for name, table in TABLES.items():
        queryset = sets[name]
        hidden = frozenset(registry.CURATED) if published_only else frozenset()
        rows = table.rows(queryset, drafts_hidden=hidden)
        rows = progress(rows, table, queryset.count())
        written.append(write(directory, table, rows))
    bonds_sets = {"agreements": sets["agreements"], "parties": sets["parties"], "clauses": sets["clauses"]}
    bonds = load(**bonds_sets)
    year_to = year_to or current_year()
    def state_year_rows():
        return state_years.rows(bonds, state_years.state_years(
            bonds, country=None, year_from=None, year_to=year_to, provision=None))

    def dyad_year_rows(directed):
        return dyad_years.rows(bonds, dyad_years.dyads(
            bonds, directed=directed, country=None, year_from=None, year_to=year_to, provision=None,
        ), directed)

    derived = [
        (agreement_level.spec(bonds.columns), lambda: agreement_level.rows(bonds)),
        (members.spec(), lambda: members.rows(bonds)),
        (state_years.spec(bonds.columns), state_year_rows),
        (dyad_years.spec(bonds.columns), lambda: dyad_year_rows(False)),
        (dyad_years.spec(bonds.columns, directed=True), lambda: dyad_year_rows(True)),
    ]
    for spec, rows in derived:  # computed one file at a time
        written.append(write(directory, spec, progress(_ordered(spec, rows()), spec, None)))
    specs = [item.spec for item in written] + [codebook.CODEBOOK]
    written.append(write(directory, codebook.CODEBOOK, _ordered(codebook.CODEBOOK, codebook.entries(specs))))
    (directory / CODEBOOK_MARKDOWN).write_text(codebook.markdown(specs), encoding="utf-8", newline="\n")
    descriptor = package(written, version=version or default_version(), published_only=published_only,
                         year_to=year_to)
    (directory / DESCRIPTOR).write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n",
                                        encoding="utf-8")
    return descriptor


def _ordered(spec: FileSpec, rows: Iterable[dict]) -> Iterable[list]:
    names = spec.header
    return ([row[name] for name in names] for row in rows)


def write(directory: Path, spec: FileSpec, rows: Iterable[list]) -> Written:
    """Stream the header and rows into DIR/<file>, hashing as it goes."""
    digest, size, count = hashlib.sha256(), 0, 0

    def counted():
        nonlocal count
        yield spec.header
        for row in rows:
            count += 1
            yield row

    with open(directory / spec.filename, "wb") as out:
        for block in stream_csv(counted()):
            out.write(block)
            digest.update(block)
            size += len(block)
    return Written(spec, count, size, digest.hexdigest())


def default_version() -> str:
    """The date of the latest change to the data, as a calendar version (2026.11.23)."""
    latest = max(
        (stamp for table in TABLES.values() if _has_field(table, "updated_at")
         for stamp in [table.model.objects.aggregate(latest=Max("updated_at"))["latest"]] if stamp),
        default=None,
    )
    day = (latest or timezone.now()).date()
    return f"{day.year}.{day.month:02d}.{day.day:02d}"


def _has_field(table, name: str) -> bool:
    return any(field.name == name for field in table.model._meta.get_fields())


def package(written: list[Written], *, version: str, published_only: bool, year_to: int) -> dict:
    return {
        "name": PACKAGE_NAME,
        "title": "Alliance Register",
        "description": "A curated relational database of interstate alliances; every record carries "
        "the ids of the citations and sources that support it. Agreement-level, member, state-year and "
        "dyad-year files "
        f"in ATOP / Correlates of War style cover the years up to {year_to}. See {CODEBOOK_MARKDOWN}.",
        "version": version,
        "created": timezone.now().astimezone(datetime.UTC).replace(microsecond=0).isoformat()
        .replace("+00:00", "Z"),
        "published_only": published_only,
        "resources": [resource(item) for item in written],
    }


def resource(item: Written) -> dict:
    spec = item.spec
    schema = {"fields": [schema_field(column) for column in spec.columns], "missingValues": [""]}
    if spec.primary_key:
        schema["primaryKey"] = list(spec.primary_key)
    if foreign_keys := [
        # "" refers to the resource itself (an agreement's parent).
        {"fields": column.name,
         "reference": {"resource": "" if file == spec.name else file, "fields": key}}
        for column in spec.columns if column.references for file, key in [column.references]
    ]:
        schema["foreignKeys"] = foreign_keys
    return {
        "name": spec.name, "path": spec.filename, "title": spec.title, "description": spec.description,
        "profile": "tabular-data-resource", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
        "rows": item.rows, "bytes": item.bytes, "hash": f"sha256:{item.sha256}", "schema": schema,
    }


def schema_field(column: Column) -> dict:
    described = {"name": column.name, "type": column.type, "description": column.description}
    constraints = {}
    if column.allowed:
        constraints["enum"] = [int(value) for value in column.allowed] if column.type == "integer" \
            else list(column.allowed)
    if column.pattern:
        constraints["pattern"] = column.pattern
    if constraints:
        described["constraints"] = constraints
    if column.type == "boolean":
        described.update(trueValues=["true"], falseValues=["false"])
    return described
