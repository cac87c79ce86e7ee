"""Storing a source document's text snapshot: reading it from a file, its metadata, and the
one path into the database (`full_clean()` then `save()`), shared by `manage.py ingest_source`
and the curated-data loader.
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from .models import Source, stored_text
from .partial_dates import parse_partial


class SnapshotError(ValueError):
    """A snapshot file that cannot be stored; the message is for humans."""


def read_snapshot(path: Path) -> str:
    """The file's text, decoded as UTF-8 (a byte-order mark is dropped), with LF line endings
    (as a Source stores it, so its SHA-256 is the stored text's), otherwise exactly as it is."""
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise SnapshotError(f"{path}: no such file") from None
    except OSError as exc:
        raise SnapshotError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SnapshotError(
            f"{path} is not UTF-8 text (byte {exc.start} is {raw[exc.start]:#04x}): "
            "convert it to UTF-8 first"
        ) from None
    if not text.strip():
        raise SnapshotError(f"{path} is empty: there is no text to store")
    return stored_text(text)


def source_fields(
    *, title: str, publisher: str = "", author: str = "", url: str = "",
    published: str | None = None, language: str = "", kind: str = Source.Kind.NEWS,
) -> dict:
    """Source field values from the metadata as people write it: `published` is a partial
    date ("2021-06-15", "2021-06", "2021"). Raises ValidationError keyed by field."""
    return {
        "title": title, "publisher": publisher, "author": author, "url": url,
        "language": language, "kind": kind, **partial_date("published_on", published),
    }


def partial_date(field: str, value) -> dict:
    """A partial date field's two values from "2021-06-15", "2021-06", "2021" (or nothing).
    Raises ValidationError keyed by `field`."""
    if value in (None, ""):
        return {field: None, f"{field}_precision": ""}
    try:
        date, precision = parse_partial(value)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None
    return {field: date, f"{field}_precision": precision}


def store(source: Source) -> Source:
    """Validate as the admin does and save; a text stored meanwhile by someone else is refused
    like any other duplicate."""
    # Constraints only once the fields are right: clean() already names the source holding
    # the same text, which the unique constraint would only repeat without the name.
    source.full_clean(validate_constraints=False)
    source.validate_constraints()
    try:
        with transaction.atomic():
            source.save()
    except IntegrityError:
        source.full_clean()  # names the source that now holds the same text
        raise
    return source


def describe(error: ValidationError, names: dict[str, str] | None = None) -> str:
    """One line per field for a command's error message; `names` renames fields (to options)."""
    if not hasattr(error, "error_dict"):
        return " ".join(error.messages)
    names = names or {}
    return " ".join(
        f"{names.get(field, field)}: {' '.join(messages)}" if field != "__all__" else " ".join(messages)
        for field, messages in error.message_dict.items()
    )
