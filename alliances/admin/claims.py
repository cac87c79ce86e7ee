"""Admin of claims."""

from django.contrib import admin

from alliances.models import Claim

from .base import CuratedAdmin, partial_date
from .reference import STATUS_FIELDS


@admin.register(Claim)
class ClaimAdmin(CuratedAdmin):
    list_display = ["__str__", "kind", "claimant", "claimed", "rank", "verified_citations", "status"]
    list_filter = ["kind", "rank", "status"]
    list_select_related = ["claimant"]
    autocomplete_fields = [
        "claimant", "subject_countries", "subject_organisations", "subject_agreements", "contradicts",
    ]
    fieldsets = [
        (None, {"fields": ["text", "kind", "claimant", "claimed_on"]}),
        ("Subjects", {"fields": ["subject_countries", "subject_organisations", "subject_agreements"]}),
        ("Quantity", {"fields": [
            ("quantity_value", "quantity_unit", "quantity_bound"), ("period_start", "period_end"),
        ]}),
        ("Rank", {"fields": [("rank", "rank_reason"), "contradicts"]}),
        STATUS_FIELDS,
    ]

    @admin.display(description="claimed on", ordering="claimed_on")
    def claimed(self, record) -> str:
        return partial_date(record, "claimed_on")
