"""The curated models, listed once: every interface that walks "all curated records" (the
review queue, the API's record types and citation visibility, the CSV and the dataset's
draft filtering) takes them from here."""

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

# What needs provenance first (the review queue's order), then the reference records.
CURATED: tuple[type[CuratedRecord], ...] = (
    Agreement, Party, Clause, Membership, Claim, Country, Organisation, Person,
)


def by_name() -> dict[str, type[CuratedRecord]]:
    """Model name (agreement, claim, ...) -> model."""
    return {model._meta.model_name: model for model in CURATED}
