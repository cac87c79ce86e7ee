"""Free-text search, one function per resource.

Portable icontains lookups for now; PostgreSQL full-text search replaces these functions
(and only these) later.
"""

import functools
import json
import operator

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q

from sources.models import Citation


def _any(text: str, *fields: str) -> Q:
    return functools.reduce(operator.or_, (Q(**{f"{field}__icontains": text}) for field in fields))


def _aliases(text: str) -> Q:
    # SQLite stores non-ASCII characters of JSON \u-escaped: look for both spellings.
    return Q(aliases__icontains=text) | Q(aliases__icontains=json.dumps(text)[1:-1])


def _quoted(queryset, text: str) -> Q:
    """Records one of whose citations quotes the text."""
    return Q(
        Exists(
            Citation.objects.filter(
                content_type=ContentType.objects.get_for_model(queryset.model),
                object_id=OuterRef("pk"),
                quote__icontains=text,
            )
        )
    )


def search_countries(queryset, text):
    return queryset.filter(_any(text, "name", "iso2", "iso3") | _aliases(text))


def search_organisations(queryset, text):
    return queryset.filter(_any(text, "name", "acronym") | _aliases(text))


def search_memberships(queryset, text):
    return queryset.filter(_any(text, "organisation__name", "organisation__acronym", "country__name"))


def search_persons(queryset, text):
    return queryset.filter(_any(text, "name", "affiliation") | _aliases(text))


def search_agreements(queryset, text):
    return queryset.filter(
        _any(text, "title", "short_name", "summary", "signed_at") | _aliases(text) | _quoted(queryset, text)
    )


def search_parties(queryset, text):
    return queryset.filter(_any(text, "agreement__title", "agreement__short_name", "country__name"))


def search_clauses(queryset, text):
    return queryset.filter(_any(text, "label", "text", "conditions") | _quoted(queryset, text))


def search_provision_types(queryset, text):
    return queryset.filter(_any(text, "slug", "name", "description"))


def search_claims(queryset, text):
    return queryset.filter(
        _any(text, "text", "rank_reason", "claimant__name") | _quoted(queryset, text)
    )


def search_sources(queryset, text):
    return queryset.filter(_any(text, "title", "publisher", "author"))


def search_citations(queryset, text):
    return queryset.filter(_any(text, "quote", "source__title"))
