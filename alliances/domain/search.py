"""One search for the admin's search boxes, the API's `search` parameter and the cite panel:
the same words find the same records everywhere, and only through what the caller may see.

A record matches when its own document (sources.search: names, titles, aliases, texts, folded)
holds the words, or the document of a related record the caller may see does (a membership's
country or organisation, a claim's claimant: a draft person's name must not be found through
the published claim that names it), or the quote of one of its citations does. On PostgreSQL,
without an explicit ordering, the results come by relevance: SearchRank of the record's own
document, then id (the keyset pagination pages through the rank like through a field); records
found only through a related record or a quote rank 0.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django.db.models import Exists, OuterRef, Q, QuerySet

from alliances.models import (
    Agreement,
    Claim,
    Clause,
    Country,
    CuratedRecord,
    Membership,
    Organisation,
    Party,
    Person,
)
from sources import search as documents
from sources.models import Citation
from sources.search import SearchDocument

# The related records whose documents find a record, by path.
RELATED = {
    Membership: (("organisation", Organisation), ("country", Country)),
    Party: (("agreement", Agreement), ("country", Country)),
    Claim: (("claimant", Person),),
}  # not a citation's source: its document holds the whole text, which every citation of it is in
# The models whose citations' quotes find them.
CITED = (Agreement, Clause, Claim)


def visible(model, user) -> QuerySet:
    if issubclass(model, CuratedRecord):
        return model.objects.visible_to(user)
    return model._default_manager.all()


def search(queryset: QuerySet, text: str, user=None) -> QuerySet:
    """The records of `queryset` (already what the caller may see) that `text` finds.

    Each document is matched in a subquery of its own table, so that on PostgreSQL every one
    is a bitmap scan of its GIN index: ORed with the other branches in the outer WHERE, a
    direct match would be evaluated row by row instead.
    """
    model = queryset.model
    vendor = connections[queryset.db].vendor
    own = issubclass(model, SearchDocument)
    found = []
    for path, related in ((("pk", model),) if own else ()) + RELATED.get(model, ()):
        matching = (model._default_manager.all() if related is model else visible(related, user)).filter(
            documents.matches(text, vendor)
        )
        found.append(Q(**{f"{path}__in": matching.values("pk")}))
    if model in CITED:
        quoting = Citation.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id=OuterRef("pk"),
        ).filter(documents.matches(text, vendor))
        found.append(Q(Exists(quoting)))
    queryset = queryset.filter(Q.create(found, connector=Q.OR)) if found else queryset.none()
    if vendor == "postgresql" and own:
        # An explicit `ordering` (applied after the search filter) replaces this order.
        queryset = queryset.annotate(search_rank=documents.rank(text)).order_by("-search_rank", "pk")
    return queryset
