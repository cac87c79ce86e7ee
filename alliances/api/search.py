"""Free-text search, one function per resource: the API's `search` parameter.

The words are read as a web search box reads them (PostgreSQL's websearch_to_tsquery): every
word must occur, "a quoted phrase" as written, `-word` must not occur, `or` between
alternatives. A record matches when its own document (DOCUMENTS: its names, titles, aliases,
texts) holds the words, or the document of one related record does (a membership's country or
organisation, a claim's claimant, ...), or the quote of one of its citations does.

PostgreSQL: full-text search with the `simple` configuration (lower-cased words, no stemming,
no stop words) over a GIN expression index per document (migration 0004_search: index and query
must build the very same expression, so both follow DOCUMENTS). `simple`, because what people
look for are mostly proper names in many languages (Türkiye, Türk Keneşi, Mirziyoyev), which an
English stemmer would cut and whose little words ("of") it would drop; the price is that
"pledge" does not find "pledges". Without an explicit `ordering`, results come by relevance:
SearchRank of the record's own document, then id (the keyset pagination pages through the rank
annotation like through a field); records found only through a related record or a quote rank 0.

Elsewhere (SQLite): the same words, each a case-insensitive substring of a field of the
document, so there "consult" also finds "consultation".
"""

import re

from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, SearchVectorExact
from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import Exists, FloatField, OuterRef, Q
from django.db.models.functions import Cast

from alliances.models import Agreement, Claim, Clause, Country, Organisation, Person, ProvisionType
from sources.models import Citation, Source

CONFIG = "simple"

# The fields of each searchable document, in order. Every one but ProvisionType's (a seeded
# taxonomy of a few rows) has its GIN index in migration 0004_search: change both together.
DOCUMENTS = {
    Country: ("name", "iso2", "iso3", "aliases"),
    Organisation: ("name", "acronym", "aliases"),
    Person: ("name", "affiliation", "aliases"),
    Agreement: ("title", "short_name", "aliases", "summary", "signed_at"),
    Clause: ("label", "text", "conditions"),
    Claim: ("text", "rank_reason"),
    ProvisionType: ("slug", "name", "description"),
    Source: ("title", "publisher", "author"),
    Citation: ("quote",),
}

# The cost of a search grows with its terms (each is a condition on every field of every
# document it looks through; 600 words overflow SQLite's expression tree): a search is at most
# MAX_TERMS words or phrases, in at most MAX_LENGTH characters. Documented in the README.
MAX_TERMS = 10
MAX_LENGTH = 200

# A quoted phrase (its closing quote optional, as in websearch_to_tsquery), or a word.
TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def document(model) -> SearchVector:
    """The full-text document of a model, exactly as its GIN index is built."""
    return SearchVector(*DOCUMENTS[model], config=CONFIG)


def matches(model, text: str, vendor: str) -> Q:
    """Records of `model` whose own document holds the words of `text`."""
    if vendor == "postgresql":
        query = SearchQuery(text, config=CONFIG, search_type="websearch")
        return Q(SearchVectorExact(document(model), query))
    return portable_match(DOCUMENTS[model], text)


def portable_match(fields: tuple[str, ...], text: str) -> Q:
    """The websearch syntax as substring lookups: any alternative, all of its terms."""

    def in_any_field(term: str) -> Q:
        return Q.create([(f"{field}__icontains", term) for field in fields], connector=Q.OR)

    alternatives = [
        Q.create([~in_any_field(term) if negated else in_any_field(term) for negated, term in terms])
        for terms in websearch_terms(text)
    ]
    return Q.create(alternatives, connector=Q.OR) if alternatives else Q(pk__in=[])


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


def _search(queryset, text: str, related: tuple[tuple[str, type], ...] = (), cited: bool = False):
    """Records whose own document, a related record's document, or a citation's quote matches.

    Each document is matched in a subquery of its own table, so that on PostgreSQL every one
    is a bitmap scan of its GIN index: ORed with the other branches in the outer WHERE, a
    direct match would be evaluated row by row instead (to_tsvector on every row).
    """
    vendor = connections[queryset.db].vendor
    own = (("pk", queryset.model),) if queryset.model in DOCUMENTS else ()
    found = []
    for path, model in (*own, *related):
        matching = model._default_manager.filter(matches(model, text, vendor))
        found.append(Q(**{f"{path}__in": matching.values("pk")}))
    if cited:
        quoting = Citation.objects.filter(
            content_type=ContentType.objects.get_for_model(queryset.model), object_id=OuterRef("pk"),
        ).filter(matches(Citation, text, vendor))
        found.append(Q(Exists(quoting)))
    queryset = queryset.filter(Q.create(found, connector=Q.OR))
    if vendor == "postgresql" and own:
        # An explicit `ordering` (applied after the search filter) replaces this order.
        query = SearchQuery(text, config=CONFIG, search_type="websearch")
        # ts_rank is a float4, whose text form read back as a Python float is not the same
        # number: the cursor compares a float8, which round-trips exactly.
        rank = Cast(SearchRank(document(queryset.model), query), FloatField())
        queryset = queryset.annotate(search_rank=rank).order_by("-search_rank", "pk")
    return queryset


def search_countries(queryset, text):
    return _search(queryset, text)


def search_organisations(queryset, text):
    return _search(queryset, text)


def search_memberships(queryset, text):
    return _search(queryset, text, related=(("organisation", Organisation), ("country", Country)))


def search_persons(queryset, text):
    return _search(queryset, text)


def search_agreements(queryset, text):
    return _search(queryset, text, cited=True)


def search_parties(queryset, text):
    return _search(queryset, text, related=(("agreement", Agreement), ("country", Country)))


def search_clauses(queryset, text):
    return _search(queryset, text, cited=True)


def search_provision_types(queryset, text):
    return _search(queryset, text)


def search_claims(queryset, text):
    return _search(queryset, text, related=(("claimant", Person),), cited=True)


def search_sources(queryset, text):
    return _search(queryset, text)


def search_citations(queryset, text):
    return _search(queryset, text, related=(("source", Source),))
