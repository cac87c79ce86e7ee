"""Streaming CSV: rows in, UTF-8 bytes out, one block at a time, formula cells neutralised.

The pattern of Django's "outputting CSV" how-to: csv.writer writes into a pseudo-buffer whose
write() hands the line back, so nothing accumulates; a generator yields encoded blocks that a
StreamingHttpResponse or a file can consume. Memory stays flat whatever the row count.
"""

import csv
from collections.abc import Iterable, Iterator, Sequence

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header

# OWASP "CSV Injection": a cell a spreadsheet could read as a formula starts with one of these.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
# The escape itself: a cell that already starts with a quote gets one more, so the mapping is
# reversible (unneutralise strips exactly one) and import round-trips every text.
ESCAPE = "'"

BLOCK_ROWS = 200  # rows per yielded block: few enough to keep memory flat, enough to batch I/O


class Echo:
    """A file-like object that returns what is written instead of storing it."""

    def write(self, value: str) -> str:
        return value


def neutralise(value):
    """Prefix a string that a spreadsheet could execute with a single quote.

    Only strings: numbers (an int -5, a Decimal) are data, written as they are."""
    if isinstance(value, str) and value.startswith((*FORMULA_TRIGGERS, ESCAPE)):
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
    triggers = (*FORMULA_TRIGGERS, ESCAPE)
    return [
        ESCAPE + value if isinstance(value, str) and value.startswith(triggers) else value
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
