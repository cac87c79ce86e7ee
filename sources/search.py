"""Text search over stored, folded documents: what every search of the project matches on.

A searchable model lists its `search_fields`; on every save their values are folded (case and
diacritics: Şuşa, şuşa, ŞUŞA and Susa all read "susa") and stored in `search_document`, so that
SQLite and PostgreSQL match the very same text. The query is folded the same way.

The words are read as a web search box reads them (the syntax of PostgreSQL's
websearch_to_tsquery, each word taken as a prefix): every word must occur, "a quoted phrase" as
written, `-word` must not occur, `or` between alternatives. PostgreSQL: full-text search with the
`simple` configuration (lower-cased words as prefixes, no stemming, no stop words: what people
look for are mostly proper names in many languages, which an English stemmer would cut) over a
GIN index of each document. Elsewhere (SQLite): each word a substring of the document, so there
"consult" also finds "consultation".

Folding is done here rather than by PostgreSQL's `unaccent`: one Python function gives both
engines the same matches, needs no database extension, and serves the mentions of a source too.
"""

import re
import unicodedata
from collections.abc import Iterable, Mapping

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, SearchVectorExact
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import FloatField, Q
from django.db.models.functions import Cast
from django.db.models.signals import pre_save
from django.dispatch import receiver

CONFIG = "simple"
DOCUMENT = "search_document"
# Letters that carry no combining mark to drop, so NFKD leaves them as they are.
LETTERS = str.maketrans({
    "ı": "i", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ð": "d", "Ð": "d",
    "þ": "th", "Þ": "th", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ħ": "h", "Ħ": "h",
})
# The cost of a search grows with its terms (each is a condition on every document it looks
# through; 600 words overflow SQLite's expression tree): a search is at most MAX_TERMS words or
# phrases, in at most MAX_LENGTH characters. Documented in the README.
MAX_TERMS = 10
MAX_LENGTH = 200
# A quoted phrase (its closing quote optional, as in websearch_to_tsquery), or a word.
TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def fold(text: str) -> str:
    """`text` for matching: compatibility-decomposed, without combining marks, case-folded."""
    decomposed = unicodedata.normalize("NFKD", text.translate(LETTERS))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def document(fields: Iterable[str], values: Mapping) -> str:
    """The folded document of a record from its field values (lists, such as aliases, by item)."""
    parts = []
    for name in fields:
        value = values.get(name)
        items = value if isinstance(value, list | tuple) else [value]
        parts += [fold(str(item)) for item in items if item not in (None, "")]
    return "\n".join(parts)


def record_document(record: models.Model) -> str:
    fields = type(record).search_fields
    return document(fields, {name: getattr(record, name) for name in fields})


class SearchDocument(models.Model):
    """Abstract base of a searchable model: subclasses name their `search_fields`."""

    search_fields: tuple[str, ...] = ()

    search_document = models.TextField(
        blank=True, default="", editable=False,
        help_text="The record's searchable text, case and diacritics folded (computed).",
    )

    class Meta:
        abstract = True


@receiver(pre_save)
def _fill_document(sender, instance, **kwargs):
    # A signal, not save(): it also runs for the abstract base's every concrete subclass
    # without each one overriding save(). Bulk paths call record_document() themselves.
    if isinstance(instance, SearchDocument):
        instance.search_document = record_document(instance)


def validate_search(text: str) -> None:
    """Refuse a search beyond MAX_LENGTH characters or MAX_TERMS terms (`or` counts as one)."""
    if len(text) > MAX_LENGTH:
        raise ValidationError(
            f"A search is at most {MAX_LENGTH} characters long (this one has {len(text)}).",
            code="search_too_long",
        )
    terms = len(TOKEN.findall(text))
    if terms > MAX_TERMS:
        raise ValidationError(
            f"A search has at most {MAX_TERMS} words or quoted phrases (this one has {terms}).",
            code="too_many_terms",
        )


def websearch_terms(text: str) -> list[list[tuple[bool, str]]]:
    """`text` as alternatives (split by `or`), each a list of (negated, word or phrase)."""
    alternatives: list[list[tuple[bool, str]]] = [[]]
    for negated, phrase, word in TOKEN.findall(text):
        if word.lower() == "or":
            alternatives.append([])
        elif word:
            if word.lstrip("-"):
                alternatives[-1].append((word.startswith("-"), word.lstrip("-")))
        elif phrase.split():
            alternatives[-1].append((bool(negated), " ".join(phrase.split())))
    return [terms for terms in alternatives if terms]


def vector() -> SearchVector:
    """The full-text document, exactly as its GIN index is built."""
    return SearchVector(DOCUMENT, config=CONFIG)


def query(text: str) -> SearchQuery:
    """The words as a tsquery in which every word is a prefix (`turk:*`), so that a search box
    and an autocomplete find "Türkiye" from "Türk" on PostgreSQL as on SQLite."""
    return SearchQuery(raw_query(text), config=CONFIG, search_type="raw")


def raw_query(text: str) -> str:
    def lexemes(term: str) -> str:
        words = re.findall(r"\w+", fold(term))
        return " <-> ".join(f"'{word}':*" for word in words)

    alternatives = []
    for terms in websearch_terms(text):
        parts = [(negated, lexemes(term)) for negated, term in terms]
        parts = [f"!({found})" if negated else f"({found})" for negated, found in parts if found]
        if parts:
            alternatives.append(" & ".join(parts))
    return " | ".join(f"({alternative})" for alternative in alternatives) or "''"


def matches(text: str, vendor: str) -> Q:
    """Records whose own document holds the words of `text`."""
    if vendor == "postgresql":
        return Q(SearchVectorExact(vector(), query(text)))

    def holds(term: str) -> Q:
        return Q(**{f"{DOCUMENT}__contains": fold(term)})

    alternatives = [
        Q.create([~holds(term) if negated else holds(term) for negated, term in terms])
        for terms in websearch_terms(text)
    ]
    return Q.create(alternatives, connector=Q.OR) if alternatives else Q(pk__in=[])


def rank(text: str):
    """Relevance of a record's own document (PostgreSQL). ts_rank is a float4, whose text form
    read back as a Python float is not the same number: the cursor compares a float8."""
    return Cast(SearchRank(vector(), query(text)), FloatField())
