from .agreements import Agreement, Clause, Party, ProvisionType
from .base import CuratedRecord, Status
from .claims import Claim
from .pending import ProposedChange
from .reference import Country, Membership, Organisation, Person

__all__ = [
    "Agreement", "Claim", "Clause", "Country", "CuratedRecord", "Membership", "Organisation",
    "Party", "Person", "ProposedChange", "ProvisionType", "Status",
]
