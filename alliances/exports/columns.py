"""Flat CSV columns: one definition per column says how to read it, what it means, and how
an import puts it back.

A column reads keys of a *row*: the `values_list()` lookups of the exported queryset plus the
lists gathered once per chunk (many-to-many targets, citations). Its meaning is the model
field's help_text and its allowed values the field's choices, so the codebook cannot drift
from the models.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models

from sources.partial_dates import Precision, format_partial, parse_partial

from .csv_stream import neutralise, unneutralise

LIST_SEPARATOR = ";"
PARTIAL_DATE_PATTERN = r"\d{4}(-\d{2}(-\d{2})?)?"
PARTIAL_DATE_NOTE = "Reduced-precision ISO 8601: YYYY, YYYY-MM or YYYY-MM-DD (see the _precision column)."
_FIRST_DAY_NOTE = " First day of the period when only the month or year is known."

# A restorer turns a cell (already un-neutralised) into model attributes, with the import's
# context for lookups (iso3 -> country id, table name -> content type).
Restorer = Callable[[str, Any], dict[str, Any]]


def unchanged(value):
    return value


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # string, integer, number, date, datetime, boolean (Frictionless types)
    description: str
    reads: tuple[str, ...] = ()
    convert: Callable[..., Any] = unchanged
    allowed: tuple[str, ...] = ()
    pattern: str = ""  # a regular expression every non-empty value matches
    restore: Restorer | None = None  # None: a derived column, not stored as such
    m2m: str = ""  # a many-to-many field the import fills from this column's id list
    relation: str = ""  # the foreign key this column shows (an id or an iso3)
    references: tuple[str, str] = ()  # (file, its key column) the values refer to


@dataclass(frozen=True)
class FileSpec:
    """A CSV file of the dataset: its name (file stem, API resource name) and its columns."""

    name: str
    title: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = field(default=())

    @property
    def header(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    def render(self, rows) -> Any:
        """Header, then each row dict (keyed by column name) as a list in column order."""
        yield self.header
        names = self.header
        for row in rows:
            yield [row[name] for name in names]


# Converters -----------------------------------------------------------------------------

def join(values) -> str:
    """A list as one cell. A spreadsheet that splits cells at the separator would read each item
    as a cell of its own, so each text item but the first is neutralised here; the first is
    neutralised with the whole cell, as every text cell is."""
    return LIST_SEPARATOR.join([
        neutralise(value) if index and isinstance(value, str) else str(value)
        for index, value in enumerate(values)
    ])


def split(text: str) -> list[str]:
    """The inverse of join(), for a cell already un-neutralised."""
    first, *rest = text.split(LIST_SEPARATOR) if text else [None]
    return [] if first is None else [first, *(unneutralise(item) for item in rest)]


def iso_datetime(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def iso_date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def plain_decimal(value: Decimal | None) -> Decimal | None:
    """1500000000.0000 -> 1500000000, 0.0150 -> 0.015: no padding zeros, no exponent."""
    if value is None:
        return None
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


# Column builders from model fields --------------------------------------------------------

def field_type(model_field: models.Field) -> str:
    if isinstance(model_field, models.BooleanField):
        return "boolean"
    if isinstance(model_field, (models.AutoField, models.IntegerField)):
        return "integer"
    if isinstance(model_field, models.DecimalField):
        return "number"
    if isinstance(model_field, models.DateTimeField):
        return "datetime"
    if isinstance(model_field, models.DateField):
        return "date"
    return "string"


def _parser(model_field: models.Field, type_: str) -> Callable[[str], Any]:
    empty = None if model_field.null else ""
    parse = {
        "integer": int, "number": Decimal, "boolean": lambda text: text == "true",
        "date": datetime.date.fromisoformat, "datetime": datetime.datetime.fromisoformat,
        "string": str,
    }[type_]
    return lambda text: parse(text) if text != "" else empty


def help_text(model: type[models.Model], name: str) -> str:
    return str(model._meta.get_field(name).help_text)


def plain(model: type[models.Model], name: str, *, column: str = "") -> Column:
    """A field exported as it is stored."""
    model_field = model._meta.get_field(name)
    type_ = field_type(model_field)
    parse = _parser(model_field, type_)
    convert = {"datetime": iso_datetime, "date": iso_date, "number": plain_decimal}.get(type_, unchanged)
    description = str(model_field.help_text) or (
        "Identifier of the record: an integer, never reused." if model_field.primary_key else ""
    )
    return Column(
        column or name, type_, description, (model_field.attname,), convert,
        allowed=tuple(str(value) for value, _ in model_field.choices or ()),
        restore=lambda text, ctx, attname=model_field.attname: {attname: parse(text)},
    )


def reference(model: type[models.Model], name: str, target: str) -> Column:
    """A foreign key exported as the id of the row in the target file."""
    model_field = model._meta.get_field(name)
    return Column(
        name, "integer", f"{model_field.help_text} (id in {target}.csv)", (model_field.attname,),
        restore=lambda text, ctx, attname=model_field.attname: {attname: int(text) if text else None},
        relation=name, references=(target, "id"),
    )


def country(model: type[models.Model], name: str) -> Column:
    """A foreign key to Country exported as its ISO alpha-3 code."""
    model_field = model._meta.get_field(name)
    return Column(
        name, "string", f"{model_field.help_text} ISO 3166-1 alpha-3 code (iso3 in countries.csv).",
        (f"{name}__iso3",), pattern="[A-Z]{3}",
        restore=lambda text, ctx, attname=model_field.attname: {
            attname: ctx.country_ids[text] if text else None
        },
        relation=name, references=("countries", "iso3"),
    )


def partial(model: type[models.Model], name: str) -> tuple[Column, Column]:
    """A partial date: the reduced-precision ISO string and its precision."""
    precision = f"{name}_precision"
    meaning = help_text(model, name).removesuffix(_FIRST_DAY_NOTE)

    def restore(text, ctx):
        date, level = parse_partial(text) if text else (None, "")
        return {name: date, precision: level}

    return (
        Column(name, "string", f"{meaning} {PARTIAL_DATE_NOTE}", (name, precision), format_partial,
               pattern=PARTIAL_DATE_PATTERN, restore=restore),
        Column(precision, "string", help_text(model, precision), (precision,),
               lambda value: value or None, allowed=tuple(Precision.values)),
    )


def aliases(model: type[models.Model]) -> Column:
    return Column(
        "aliases", "string", f"{help_text(model, 'aliases')} Joined with ';'.", ("aliases",), join,
        restore=lambda text, ctx: {"aliases": split(text)},
    )


def many(model: type[models.Model], name: str, shown_as: str, resolve: Callable[[Any, str], Any]) -> Column:
    """A many-to-many field as the joined list of its targets (ids, iso3 codes or slugs),
    gathered once per chunk under the key `name`.

    resolve(ctx, item): the import turns one listed item back into the target's id."""
    return Column(
        name, "string", f"{help_text(model, name)} {shown_as}, joined with ';'.", (name,), join,
        m2m=name, restore=lambda text, ctx: {name: [resolve(ctx, item) for item in split(text)]},
    )


def by_id(ctx, item: str) -> int:
    return int(item)


def by_iso3(ctx, item: str) -> int:
    return ctx.country_ids[item]


def by_slug(ctx, item: str) -> int:
    return ctx.provision_type_ids[item]


CITATION_IDS = Column(
    "citation_ids", "string",
    "Ids of the citations (citations.csv) that anchor this record to passages of sources, "
    "joined with ';'.",
    ("citation_ids",), join,
)
SOURCE_IDS = Column(
    "source_ids", "string",
    "Ids of the sources (sources.csv) those citations quote, joined with ';'.",
    ("source_ids",), join,
)


def timestamps(model: type[models.Model]) -> tuple[Column, Column]:
    return plain(model, "created_at"), plain(model, "updated_at")
