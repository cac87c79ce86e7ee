"""Streaming CSV: rows in, UTF-8 bytes out, one block at a time, formula cells neutralised.

The pattern of Django's "outputting CSV" how-to: csv.writer writes into a pseudo-buffer whose
write() hands the line back, so nothing accumulates; a generator yields encoded blocks that a
StreamingHttpResponse or a file can consume. Memory stays flat whatever the row count.
"""

import csv
import unicodedata
from collections.abc import Iterable, Iterator, Sequence

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header

# OWASP "CSV Injection": a cell a spreadsheet could read as a formula starts with one of these,
# or with their fullwidth forms (＝＋－＠: NFKC folds them to these), possibly behind characters a
# spreadsheet skips or nobody sees: spaces (NBSP, U+3000 too) and format characters (zero-width
# spaces and joiners, the BOM, bidirectional controls such as U+202E).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
# The escape itself: a cell that already starts with a quote gets one more, so the mapping is
# reversible (unneutralise strips exactly one) and import round-trips every text.
ESCAPE = "'"

BLOCK_ROWS = 200  # rows per yielded block: few enough to keep memory flat, enough to batch I/O


class Echo:
    """A file-like object that returns what is written instead of storing it."""

    def write(self, value: str) -> str:
        return value


def formula_like(text: str) -> bool:
    """Whether a spreadsheet could read `text` as a formula (or it starts with the escape)."""
    if text[:1].isalnum():  # almost every cell: a letter or a digit first, never a trigger
        return False
    if text.startswith(ESCAPE):
        return True
    for char in text:
        if char in FORMULA_TRIGGERS or unicodedata.normalize("NFKC", char) in FORMULA_TRIGGERS:
            return True
        if not (char.isspace() or unicodedata.category(char) == "Cf"):
            return False
    return False


def neutralise(value):
    """Prefix a string that a spreadsheet could execute with a single quote.

    Only strings: numbers (an int -5, a Decimal) are data, written as they are."""
    if isinstance(value, str) and formula_like(value):
        return ESCAPE + value
    return value


def unneutralise(text: str) -> str:
    """The inverse of neutralise(), for a cell read back from an export."""
    return text[1:] if text.startswith(ESCAPE) else text


def stream_csv(rows: Iterable[Sequence]) -> Iterator[bytes]:
    """Encode rows (the header first) as CSV, yielding UTF-8 blocks of up to BLOCK_ROWS rows.

    None becomes an empty cell; True/False become true/false."""
    writer = csv.writer(Echo(), lineterminator="\r\n")
    block: list[str] = []
    for row in rows:
        block.append(writer.writerow([_cell(value) for value in row]))
        if len(block) >= BLOCK_ROWS:
            yield "".join(block).encode("utf-8")
            block.clear()
    if block:
        yield "".join(block).encode("utf-8")


def column_cells(values, type_: str) -> list:
    """The cells of one column at once, as _cell() makes them one by one (the fast path of
    Table.csv_blocks): numbers as they are, booleans as true/false, strings neutralised
    (dates and datetimes are ISO 8601: they start with a digit). None stays None: csv.writer
    writes it as an empty cell."""
    if type_ in ("integer", "number", "date", "datetime"):
        return values if isinstance(values, list) else list(values)
    if type_ == "boolean":
        return [None if value is None else ("true" if value else "false") for value in values]
    return [
        ESCAPE + value if isinstance(value, str) and not value[:1].isalnum() and formula_like(value)
        else value
        for value in values
    ]


def encode_rows(rows: Iterable[Sequence]) -> bytes:
    """Rows whose cells column_cells() prepared, as one UTF-8 block."""
    write = csv.writer(Echo(), lineterminator="\r\n").writerow
    return "".join([write(row) for row in rows]).encode("utf-8")


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return neutralise(value)


def csv_response(rows: Iterable[Sequence], filename: str) -> StreamingHttpResponse:
    """A streamed CSV download of `rows` (header first) as an attachment named `filename`."""
    return download(stream_csv(rows), filename)


def download(blocks: Iterable[bytes], filename: str) -> StreamingHttpResponse:
    """A streamed download of CSV blocks already encoded (stream_csv, Table.csv_blocks)."""
    response = StreamingHttpResponse(blocks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
