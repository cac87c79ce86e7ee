"""Cut a text into segments at the edges of cited spans, for highlighting passages.

Pure Python, no Django: the Source admin renders the segments, escaping the text.
Spans may overlap or nest; every segment lists the spans covering it, so a renderer can
mark overlaps without ever nesting tags across segment boundaries.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any


@dataclass(frozen=True)
class Segment:
    start: int
    end: int
    text: str
    marks: tuple[Any, ...]  # payloads of the spans covering the segment, outermost first


def segments(text: str, spans: Iterable[tuple[int | None, int | None, Any]]) -> list[Segment]:
    """Split `text` at every span edge, in reading order.

    spans: (start, end, payload), end exclusive. Spans without offsets, empty or
    outside the text (a stale anchor) are ignored rather than trusted.
    """
    usable = sorted(
        (
            (start, end, payload)
            for start, end, payload in spans
            if start is not None and end is not None and 0 <= start < end <= len(text)
        ),
        key=lambda span: (span[0], -span[1]),
    )
    edges = sorted({0, len(text)} | {edge for start, end, _ in usable for edge in (start, end)})
    return [
        Segment(a, b, text[a:b], tuple(p for start, end, p in usable if start <= a and b <= end))
        for a, b in pairwise(edges)
    ]
