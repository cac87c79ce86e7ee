"""How many records of each kind a synthetic data set of N citations holds."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import pycountry

# Per million citations: the proportions of a mature register (issue 6).
PER_MILLION = {
    "countries": 250,
    "organisations": 500,
    "memberships": 2_500,
    "persons": 20_000,
    "agreements": 20_000,
    "party_actions": 60_000,
    "clauses": 100_000,
    "claims": 200_000,
    "sources": 50_000,
}

# Below these, a small data set could not show the relations at all (a dyad needs two
# countries, an accession a third).
MINIMUM = {
    "countries": 12,
    "organisations": 3,
    "memberships": 6,
    "persons": 6,
    "agreements": 6,
    "party_actions": 18,
    "clauses": 12,
    "claims": 12,
    "sources": 6,
}

# Every agreement, party action, clause, membership and claim is published, so each needs
# a citation of its own; the rest are spread over the records.
CITED_KINDS = ("agreements", "party_actions", "clauses", "memberships", "claims")

MIN_CITATIONS = 1_000


@dataclass(frozen=True)
class Scale:
    citations: int
    countries: int
    organisations: int
    memberships: int
    persons: int
    agreements: int
    party_actions: int  # a target: the Party rule decides the exact number
    clauses: int
    claims: int
    sources: int

    @classmethod
    def for_citations(cls, citations: int) -> Scale:
        if citations < MIN_CITATIONS:
            raise ValueError(f"at least {MIN_CITATIONS} citations, so that every record can be cited")
        factor = citations / 1_000_000
        counts = {
            kind: max(MINIMUM[kind], math.floor(per_million * factor + 0.5))
            for kind, per_million in PER_MILLION.items()
        }
        counts["countries"] = min(counts["countries"], len(pycountry.countries))
        return cls(citations=citations, **counts)

    def as_dict(self) -> dict[str, int]:
        return asdict(self)
