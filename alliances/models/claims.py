"""Claims: facts, figures, assessments, forecasts and commitments, as sources state them."""

from django.db import models
from django.db.models import Q

from sources.partial_dates import partial_date_constraint, partial_date_fields
from sources.search import SearchDocument

from .agreements import Agreement
from .base import CuratedRecord, date_order_constraint, status_constraint
from .reference import Country, Organisation, Person


class QuantityBound(models.TextChoices):
    EXACT = "exact", "exactly"
    ABOUT = "about", "about (approximately, nearly)"
    OVER = "over", "more than (over, exceeded: a lower bound)"
    UNDER = "under", "less than (under, below: an upper bound)"


class Claim(SearchDocument, CuratedRecord):
    search_fields = ("text", "rank_reason")

    class Kind(models.TextChoices):
        FACT = "fact", "fact"
        FIGURE = "figure", "figure"
        ASSESSMENT = "assessment", "assessment"
        FORECAST = "forecast", "forecast"
        COMMITMENT = "commitment", "commitment"

    class Rank(models.TextChoices):
        PREFERRED = "preferred", "preferred"
        NORMAL = "normal", "normal"
        DEPRECATED = "deprecated", "deprecated"

    Bound = QuantityBound

    requires_provenance = True
    partial_dates = ("claimed_on", "period_start", "period_end")
    date_ranges = (("period_start", "period_end"),)

    text = models.TextField(help_text="The claim, in the editors' words.")
    kind = models.CharField(
        max_length=12, choices=Kind.choices, help_text="fact, figure, assessment, forecast or commitment.",
    )
    claimant = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="claims",
        help_text="Who made the claim; empty when the source itself asserts it.",
    )
    claimed_on, claimed_on_precision = partial_date_fields("claimed on", "When the claim was made.")
    subject_countries = models.ManyToManyField(
        Country, blank=True, related_name="claims", help_text="Countries the claim is about.",
    )
    subject_organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="claims", help_text="Organisations the claim is about.",
    )
    subject_agreements = models.ManyToManyField(
        Agreement, blank=True, related_name="claims", help_text="Agreements the claim is about.",
    )
    quantity_value = models.DecimalField(
        max_digits=24, decimal_places=4, null=True, blank=True,
        help_text="The figure's value, fully expanded (1.5 billion is 1500000000).",
    )
    quantity_unit = models.CharField(
        max_length=40, blank=True,
        help_text="Unit or ISO 4217 currency of the value (USD, percent, exercises, ...).",
    )
    quantity_bound = models.CharField(
        max_length=5, choices=Bound.choices, default=Bound.EXACT,
        help_text="How the source bounds the figure: exact, about, over (more than the value: a "
                  "lower bound, as in “exceeded $181 million”) or under (less than the value).",
    )
    period_start, period_start_precision = partial_date_fields(
        "period start", "Start of the period the figure covers."
    )
    period_end, period_end_precision = partial_date_fields(
        "period end", "End of the period the figure covers."
    )
    rank = models.CharField(
        max_length=10, choices=Rank.choices, default=Rank.NORMAL,
        help_text="preferred, normal or deprecated (superseded, kept for the record), as in Wikidata.",
    )
    rank_reason = models.CharField(
        max_length=300, blank=True, help_text="Why the claim is preferred or deprecated.",
    )
    contradicts = models.ManyToManyField(
        "self", blank=True, symmetrical=True,
        help_text="Claims this one disagrees with (the relation holds both ways).",
    )

    class Meta(CuratedRecord.Meta):
        constraints = [
            status_constraint("claim"),
            partial_date_constraint("claim", "claimed_on"),
            partial_date_constraint("claim", "period_start"),
            partial_date_constraint("claim", "period_end"),
            date_order_constraint("claim", "period_start", "period_end"),
            models.CheckConstraint(
                condition=Q(quantity_value__isnull=True) | ~Q(quantity_unit=""),
                name="claim_quantity_has_unit",
                violation_error_message="A quantity needs a unit.",
            ),
            models.CheckConstraint(
                condition=Q(quantity_bound__in=QuantityBound.values), name="claim_quantity_bound_vocabulary",
            ),
            models.CheckConstraint(
                condition=~Q(rank="deprecated") | ~Q(rank_reason=""),
                name="claim_deprecated_has_reason",
                violation_error_message="Say why the claim is deprecated.",
            ),
        ]

    def __str__(self) -> str:
        return self.text if len(self.text) <= 80 else self.text[:79] + "…"
