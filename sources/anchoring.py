"""Quote anchoring: find where a quoted passage sits in a source's stored text.

A citation that merely repeats a quote cannot be checked, and character
offsets alone break as soon as the text is re-imported or edited.  The W3C
Web Annotation model solves this with two selectors used together: a
TextQuoteSelector (the exact passage plus some prefix/suffix context) and a
TextPositionSelector (start/end offsets).  This module computes both: the
quote (or a URL Text Fragment, ``[prefix-,]textStart[,textEnd][,-suffix]``)
is looked up, and an :class:`Anchor` records the offsets together with the
passage as actually spelled in the source and 32 characters of context on
each side, which is what lets :func:`reanchor` find the passage again after
the text changed.

People retype quotes, and copy/paste converts quotes, dashes and spaces, so
matching ignores differences of whitespace, of straight vs typographic
quotes and of hyphens vs dashes, but is otherwise case-sensitive and exact.
Offsets are always those of the original text (Python code points, end
exclusive), never of the normalised copy used for matching.

Standard library only, so that importers and tests can use it without Django.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote

__all__ = [
    "CONTEXT_CHARS",
    "AmbiguousQuote",
    "Anchor",
    "AnchorError",
    "InvalidSelector",
    "QuoteNotFound",
    "TextFragment",
    "anchor_fragment",
    "anchor_quote",
    "normalize",
    "parse_text_fragment",
    "reanchor",
    "same_context",
]

CONTEXT_CHARS = 32  # the same amount of context on either side as Hypothesis stores
_PREVIEW_CHARS = 60

# Escapes, because several of these are indistinguishable in most fonts.
_DOUBLE_QUOTES = '"\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb'  # curly, low-9, double prime, guillemets
_SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b\u2032`\u00b4"  # curly, low-9, prime, grave, acute
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"  # hyphens, figure/en/em dash, bar, minus

# Every replacement is one character for one character, so folding keeps
# offsets intact; only whitespace collapsing has to be tracked.  Regex
# substitution rather than str.translate: translate falls back to a slow path
# on non-ASCII text, which is three times slower on a 1 MB text.
_FOLDS = tuple(
    (re.compile(f"[{re.escape(variants[1:])}]"), variants[0])
    for variants in (_DOUBLE_QUOTES, _SINGLE_QUOTES, _DASHES)
)
_WHITESPACE_RUN = re.compile(r"\s+")  # \s is exactly str.isspace() for str patterns
# Runs that change when collapsed: a single plain space is already normal.
_COLLAPSIBLE_RUN = re.compile(r"\s{2,}|[^\S ]")

_DIRECTIVE_STARTS = ("#:~:text=", ":~:text=", "text=")


class AnchorError(ValueError):
    """A quote or selector could not be anchored; the message is for humans."""


class QuoteNotFound(AnchorError):
    """The passage does not occur in the text (or not with the given context)."""


class AmbiguousQuote(AnchorError):
    """The passage occurs several times and the context does not pick one."""

    def __init__(self, message: str, count: int) -> None:
        super().__init__(message)
        self.count = count

    def __reduce__(self) -> tuple[type[AmbiguousQuote], tuple[str, int]]:
        # Keep `count` when the exception crosses a process boundary.
        return (type(self), (str(self), self.count))


class InvalidSelector(AnchorError):
    """The quote is blank or the text fragment is malformed."""


@dataclass(frozen=True)
class Anchor:
    """Where a passage sits in a text; a TextPosition plus a TextQuote selector."""

    start: int
    end: int
    exact: str  # text[start:end], the original spelling
    prefix: str  # up to CONTEXT_CHARS characters of text immediately before start
    suffix: str  # up to CONTEXT_CHARS characters of text immediately after end
    match: str  # "exact" if the quote was verbatim, else "normalized"


@dataclass(frozen=True)
class TextFragment:
    """A parsed text directive, components percent-decoded."""

    text_start: str
    text_end: str = ""
    prefix: str = ""
    suffix: str = ""


def normalize(s: str) -> str:
    """Fold quotes and dashes, collapse whitespace runs to one space, strip.

    Two strings that anchor to the same passage have the same normal form,
    so this is also the right way to compare quotes with each other.
    """
    return _WHITESPACE_RUN.sub(" ", _fold_characters(s)).strip()


def same_context(a: str, b: str) -> bool:
    """Whether two contexts are the same words, whatever their whitespace: a one-line form
    input drops a line break of the context it was given rather than turning it into a space."""
    return normalize(a).replace(" ", "") == normalize(b).replace(" ", "")


def _fold_characters(s: str) -> str:
    for variants, plain in _FOLDS:
        s = variants.sub(plain, s)
    return s


# --- normalised text with a way back to the original offsets ---------------


@dataclass(frozen=True)
class _FoldedText:
    """A text's normal form (not stripped) and the map back to the original.

    Instead of one offset per character (slow to build for a 1 MB text in
    pure Python), only the points where the shift between normalised and
    original offsets changes are stored, and looked up by bisection.
    """

    original: str
    norm: str
    breaks: tuple[int, ...]  # normalised offsets where the shift changes
    shifts: tuple[int, ...]  # original - normalised offset from that break on

    def to_original(self, k: int) -> int:
        i = bisect_right(self.breaks, k) - 1
        return k + (self.shifts[i] if i >= 0 else 0)


@lru_cache(maxsize=8)  # importers anchor many quotes in the same source text
def _fold(text: str) -> _FoldedText:
    translated = _fold_characters(text)
    pieces: list[str] = []
    breaks: list[int] = []
    shifts: list[int] = []
    shift = last = 0
    for run in _COLLAPSIBLE_RUN.finditer(translated):
        start, end = run.span()
        pieces += (translated[last:start], " ")
        last = end
        if end - start > 1:
            # The space stands for `start`; what follows it comes from `end`.
            breaks.append(start - shift + 1)
            shift += end - start - 1
            shifts.append(shift)
    pieces.append(translated[last:])
    return _FoldedText(text, "".join(pieces), tuple(breaks), tuple(shifts))


def _find_all(haystack: str, needle: str) -> list[int]:
    """Start offsets of every occurrence, overlapping ones included."""
    found: list[int] = []
    k = haystack.find(needle)
    while k != -1:
        found.append(k)
        k = haystack.find(needle, k + 1)
    return found


def _preceded_by(norm: str, start: int, prefix: str) -> bool:
    # A normalised prefix is stripped, so one space at the junction is skipped;
    # whether the source has a space there is a whitespace difference too.
    if not prefix:
        return True
    end = start - 1 if start > 0 and norm[start - 1] == " " else start
    return norm.endswith(prefix, 0, end)


def _followed_by(norm: str, end: int, suffix: str) -> bool:
    if not suffix:
        return True
    begin = end + 1 if end < len(norm) and norm[end] == " " else end
    return norm.startswith(suffix, begin)


def _preview(s: str) -> str:
    # Original characters, so the user recognises what they typed.
    flat = " ".join(s.split())
    if len(flat) > _PREVIEW_CHARS:
        flat = flat[:_PREVIEW_CHARS] + "\u2026"
    return f'"{flat}"'


def _required(quote: str, what: str = "quote") -> str:
    needle = normalize(quote)
    if not needle:
        raise InvalidSelector(f"{what} is empty")
    return needle


def _to_anchor(folded: _FoldedText, span: tuple[int, int], verbatim: Callable[[str], bool]) -> Anchor:
    """Map a normalised span back; it never starts or ends with a space.

    That is why `end` is the last character's original offset plus one: only
    whitespace runs are ever shortened by normalisation.
    """
    text = folded.original
    start = folded.to_original(span[0])
    end = folded.to_original(span[1] - 1) + 1
    exact = text[start:end]
    return Anchor(
        start=start,
        end=end,
        exact=exact,
        prefix=text[max(0, start - CONTEXT_CHARS) : start],
        suffix=text[end : end + CONTEXT_CHARS],
        match="exact" if verbatim(exact) else "normalized",
    )


def _select(
    norm: str, spans: list[tuple[int, int]], prefix: str, suffix: str, label: str, beside: str = "",
    chosen: Callable[[tuple[int, int]], bool] | None = None,
) -> tuple[int, int]:
    """The one span whose context agrees with `prefix`/`suffix` and, if given, has `beside`
    (all normalised) right before or right after it; where several do, the one `chosen` says
    is the caller's, if any."""
    fitting = [
        span for span in spans if _preceded_by(norm, span[0], prefix) and _followed_by(norm, span[1], suffix)
    ]
    if not fitting:
        raise QuoteNotFound(f"{label} found but not with the given prefix/suffix")
    if beside:
        fitting = [
            span for span in fitting
            if _preceded_by(norm, span[0], beside) or _followed_by(norm, span[1], beside)
        ]
        if not fitting:
            raise QuoteNotFound(f"{label} found but not right before or after {_preview(beside)}")
    if len(fitting) > 1 and chosen is not None:
        fitting = [span for span in fitting if chosen(span)] or fitting
    if len(fitting) > 1:
        if prefix or suffix or beside:
            raise AmbiguousQuote(
                f"{label} occurs {len(fitting)} times even with the given context; "
                "more of the words just before or after it are needed",
                len(fitting),
            )
        raise AmbiguousQuote(
            f"{label} occurs {len(fitting)} times; context (a prefix or suffix: the words just "
            "before or after it) is needed to choose one",
            len(fitting),
        )
    return fitting[0]


# --- quotes -----------------------------------------------------------------


def anchor_quote(
    text: str, quote: str, *, prefix: str = "", suffix: str = "", beside: str = "", at: int | None = None,
) -> Anchor:
    """Anchor `quote` in `text`; `prefix`/`suffix` choose among repeated matches, and so does
    `beside`: words that occur right before or right after the one meant (either side, for an
    editor who names the occurrence by what is next to it).

    Given context must agree even when the quote occurs only once: a caller
    who states the context expects that passage, not another one.  `at`, the
    offset where the caller saw the passage begin (a selection), picks that
    occurrence when the context fits several (a repeated paragraph).
    """
    needle = _required(quote)
    folded = _fold(text)
    hits = _find_all(folded.norm, needle)
    if not hits:
        raise QuoteNotFound(f"quote not found: {_preview(quote)}")
    spans = [(hit, hit + len(needle)) for hit in hits]
    label = f"quote {_preview(quote)}"
    chosen = None if at is None else (lambda span: folded.to_original(span[0]) == at)
    span = _select(folded.norm, spans, normalize(prefix), normalize(suffix), label, normalize(beside), chosen)
    return _to_anchor(folded, span, quote.__eq__)


def reanchor(old_text_anchor: Anchor, new_text: str, quote: str) -> Anchor:
    """Anchor `quote` again after the source text changed.

    The old context may itself have been edited, so instead of requiring it
    to agree, the match sharing the most context with the old anchor (the
    longest run of characters adjacent to the passage) wins, much as
    annotation clients use a TextQuoteSelector's prefix/suffix; a tie is
    ambiguous.  Raises like :func:`anchor_quote`.
    """
    needle = _required(quote)
    folded = _fold(new_text)
    hits = _find_all(folded.norm, needle)
    if not hits:
        raise QuoteNotFound(f"quote not found: {_preview(quote)}")
    spans = [(hit, hit + len(needle)) for hit in hits]
    if len(spans) > 1:
        spans = _best_context(folded.norm, spans, old_text_anchor)
    if len(spans) > 1:
        raise AmbiguousQuote(
            f"quote {_preview(quote)} occurs {len(spans)} times and the old "
            "context does not tell them apart; a prefix or suffix is needed",
            len(spans),
        )
    return _to_anchor(folded, spans[0], quote.__eq__)


# Marks the start/end of a text, so that "the passage began the text" counts
# as shared context too.
_EDGE = "\x00"


def _best_context(norm: str, spans: list[tuple[int, int]], old: Anchor) -> list[tuple[int, int]]:
    prefix = normalize(old.prefix)
    suffix = normalize(old.suffix)
    if len(old.prefix) < CONTEXT_CHARS:
        prefix = _EDGE + prefix
    if len(old.suffix) < CONTEXT_CHARS:
        suffix += _EDGE
    scores = [_context_score(norm, span, prefix, suffix) for span in spans]
    best = max(scores)
    if best == 0:
        return spans
    return [span for span, score in zip(spans, scores, strict=True) if score == best]


def _context_score(norm: str, span: tuple[int, int], prefix: str, suffix: str) -> int:
    start, end = span
    if start > 0 and norm[start - 1] == " ":
        start -= 1
    if end < len(norm) and norm[end] == " ":
        end += 1
    before = norm[max(0, start - len(prefix)) : start]
    after = norm[end : end + len(suffix)]
    # At the edges the stored context was stripped of whitespace, so strip too.
    if start - len(before) == 0:
        before = _EDGE + before.lstrip(" ")
    if end + len(after) == len(norm):
        after = after.rstrip(" ") + _EDGE
    return _common_prefix_len(before[::-1], prefix[::-1]) + _common_prefix_len(after, suffix)


def _common_prefix_len(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


# --- URL text fragments -----------------------------------------------------


def parse_text_fragment(fragment: str) -> TextFragment:
    """Parse ``[prefix-,]textStart[,textEnd][,-suffix]`` (URL Text Fragments).

    Follows the spec's parsing steps, so a literal comma or a leading/trailing
    dash inside a component has to be percent-encoded (%2C, %2D).
    """
    body = fragment.strip()
    for start in _DIRECTIVE_STARTS:
        if body.startswith(start):
            body = body[len(start) :]
            break
    tokens = body.split(",")
    if len(tokens) > 4:
        raise InvalidSelector(f"text fragment has too many parts: {_preview(fragment)}")
    prefix = tokens.pop(0)[:-1] if tokens[0].endswith("-") else None
    suffix = tokens.pop()[1:] if tokens and tokens[-1].startswith("-") else None
    if len(tokens) not in (1, 2):
        problem = "no start text" if not tokens else "too many parts"
        raise InvalidSelector(f"text fragment has {problem}: {_preview(fragment)}")
    present = [part for part in (*tokens, prefix, suffix) if part is not None]
    # Decoding first, so that "%20" cannot smuggle in a blank component.
    if any(not normalize(unquote(part)) for part in present):
        raise InvalidSelector(f"text fragment has an empty part: {_preview(fragment)}")
    return TextFragment(
        text_start=unquote(tokens[0]),
        text_end=unquote(tokens[1]) if len(tokens) == 2 else "",
        prefix=unquote(prefix or ""),
        suffix=unquote(suffix or ""),
    )


def anchor_fragment(text: str, fragment: str | TextFragment, *, beside: str = "") -> Anchor:
    """Anchor the passage from textStart to the first textEnd after it (`beside` as for
    :func:`anchor_quote`).

    Unlike a browser, which highlights the first match, a citation has to
    name one passage, so every qualifying span counts and it must be unique.
    """
    if isinstance(fragment, str):
        fragment = parse_text_fragment(fragment)
    start_needle = _required(fragment.text_start, "text fragment start")
    end_needle = normalize(fragment.text_end)
    folded = _fold(text)
    starts = _find_all(folded.norm, start_needle)
    if not starts:
        raise QuoteNotFound(f"text fragment start not found: {_preview(fragment.text_start)}")
    spans = _fragment_spans(folded.norm, starts, len(start_needle), end_needle)
    if not spans:
        raise QuoteNotFound(
            f"text fragment end {_preview(fragment.text_end)} not found after its "
            f"start {_preview(fragment.text_start)}"
        )
    label = f"text fragment {_preview(_fragment_label(fragment))}"
    span = _select(
        folded.norm, spans, normalize(fragment.prefix), normalize(fragment.suffix), label, normalize(beside)
    )
    return _to_anchor(folded, span, lambda exact: _fragment_verbatim(exact, fragment))


def _fragment_spans(norm: str, starts: list[int], start_len: int, end_needle: str) -> list[tuple[int, int]]:
    if not end_needle:
        return [(s, s + start_len) for s in starts]
    # One scan for textEnd, then bisection, keeps many starts linear.
    ends = _find_all(norm, end_needle)
    spans = []
    for s in starts:
        i = bisect_left(ends, s + start_len)
        if i < len(ends):
            spans.append((s, ends[i] + len(end_needle)))
    return spans


def _fragment_label(fragment: TextFragment) -> str:
    if fragment.text_end:
        return f"{fragment.text_start}\u2026{fragment.text_end}"
    return fragment.text_start


def _fragment_verbatim(exact: str, fragment: TextFragment) -> bool:
    # textEnd is only searched after textStart ends, so the two never overlap.
    return exact.startswith(fragment.text_start) and exact.endswith(fragment.text_end)
