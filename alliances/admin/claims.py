"""Admin of claims: a changelist an analyst can read (the figure, its bound and period, who said
it and when, whether other claims contradict it), and on a claim's page the claims it
contradicts side by side with the passages that support each."""

from decimal import Decimal

from django.contrib import admin
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.template.defaultfilters import truncatechars
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from alliances.exports.columns import plain_decimal
from alliances.models import Claim
from sources.models import Citation
from sources.partial_dates import format_partial

from .base import CuratedAdmin, partial_date
from .reference import STATUS_FIELDS

QUOTE_SHOWN = 300  # characters of a quote shown beside a contradicted claim
BOUND_SIGNS = {Claim.Bound.EXACT: "=", Claim.Bound.ABOUT: "≈", Claim.Bound.OVER: ">", Claim.Bound.UNDER: "<"}


class HasContradictionsFilter(admin.SimpleListFilter):
    title = "has contradictions"
    parameter_name = "contradicted"

    def lookups(self, request, model_admin):
        return [("yes", "yes"), ("no", "no")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(n_contradicts__gt=0)
        if self.value() == "no":
            return queryset.filter(n_contradicts=0)
        return queryset


def period(claim: Claim):
    """The period a figure covers: "2023", "2025-01 – 2025-06", "– 2030" (an end only)."""
    start = format_partial(claim.period_start, claim.period_start_precision)
    end = format_partial(claim.period_end, claim.period_end_precision)
    if start == end:
        return format_html('<span class="nowrap">{}</span>', start or "–")
    # Each date on one line; the line may break between them.
    both = '<span class="nowrap">{}</span> <span class="nowrap">– {}</span>'
    return format_html(both, start or "", end or "")


SCALES = [(Decimal(10) ** 12, "trillion"), (Decimal(10) ** 9, "billion"), (Decimal(10) ** 6, "million")]


def in_words(value: Decimal) -> str:
    """A figure as analysts read it, exactly: 181000000 is "181 million", 1500000000 "1.5 billion"."""
    for scale, word in SCALES:
        if abs(value) >= scale:
            return f"{plain_decimal(value / scale):,} {word}"
    return f"{plain_decimal(value):,}"


def cited_passages(claim: Claim):
    """The claim's citations (prefetched with their sources) as a list of quotes and sources."""
    citations = claim.citations.all()
    if not citations:
        return format_html('<p class="claim-said">{}</p>', "No citation.")
    items = format_html_join("", '<li class="{}"><q>{}</q> — <a href="{}">{}</a></li>', (
        ("verified" if citation.verified else "unverified", truncatechars(citation.quote, QUOTE_SHOWN),
         reverse("admin:sources_source_change", args=[citation.source_id]), citation.source.title)
        for citation in citations
    ))
    return format_html('<ul class="claim-quotes">{}</ul>', items)


def claim_card(claim: Claim, heading: str, link: bool):
    said = ", ".join(filter(None, [
        str(claim.claimant) if claim.claimant_id else "the source itself",
        format_partial(claim.claimed_on, claim.claimed_on_precision),
    ]))
    name = format_html('<a href="{}">Claim #{}</a>', reverse("admin:alliances_claim_change", args=[claim.pk]),
                       claim.pk) if link else format_html("Claim #{}", claim.pk)
    return format_html(
        '<section class="claim-card"><h3>{}: {}</h3><p class="claim-text">{}</p>'
        '<p class="claim-said">Said by {}; {}, rank {}, {}.</p><h4>Passages</h4>{}</section>',
        heading, name, claim.text, said, claim.get_kind_display(), claim.get_rank_display(),
        claim.get_status_display(), cited_passages(claim),
    )


def with_passages(claims):
    cited = Citation.objects.select_related("source").defer("source__text").order_by("pk")
    return claims.select_related("claimant").prefetch_related(Prefetch("citations", queryset=cited))


@admin.register(Claim)
class ClaimAdmin(CuratedAdmin):
    list_display = [
        "__str__", "kind", "value", "unit", "bound", "period_covered", "claimant", "claimed",
        "contradictions", "rank", "status",
    ]
    list_filter = ["kind", "rank", HasContradictionsFilter, "status"]
    list_select_related = ["claimant"]
    autocomplete_fields = [
        "claimant", "subject_countries", "subject_organisations", "subject_agreements", "contradicts",
    ]
    readonly_fields = [*CuratedAdmin.readonly_fields, "side_by_side"]
    fieldsets = [
        (None, {"fields": ["text", "kind", "claimant", "claimed_on"]}),
        ("Subjects", {"fields": ["subject_countries", "subject_organisations", "subject_agreements"]}),
        ("Quantity", {"fields": [
            ("quantity_value", "quantity_unit", "quantity_bound"), ("period_start", "period_end"),
        ]}),
        ("Rank", {"fields": [("rank", "rank_reason"), "contradicts"]}),
        ("Contradicted claims, side by side", {"fields": ["side_by_side"]}),
        STATUS_FIELDS,
    ]

    class Media:
        css = {"all": ["alliances/pages.css"]}

    def get_queryset(self, request):
        # A subquery, not a Count() join: the base queryset already counts citations.
        through = Claim.contradicts.through
        contradicted = (
            through.objects.filter(from_claim=OuterRef("pk")).order_by().values("from_claim")
            .annotate(n=Count("pk")).values("n")
        )
        return super().get_queryset(request).annotate(
            n_contradicts=Coalesce(Subquery(contradicted, output_field=IntegerField()), 0)
        )

    def changelist_view(self, request, extra_context=None):
        # Eleven columns need the page's width: the list goes without the navigation sidebar (the
        # verified citations, which the other lists show, are on each claim's page).
        return super().changelist_view(request, {"is_nav_sidebar_enabled": False, **(extra_context or {})})

    @admin.display(description="value", ordering="quantity_value")
    def value(self, claim) -> str:
        return "–" if claim.quantity_value is None else in_words(claim.quantity_value)

    @admin.display(description="unit", ordering="quantity_unit")
    def unit(self, claim) -> str:
        return claim.quantity_unit or "–"

    @admin.display(description="bound", ordering="quantity_bound")
    def bound(self, claim) -> str:
        """A sign, so that the column stays narrow; the bound's name on hover."""
        if claim.quantity_value is None:
            return "–"
        return format_html('<abbr title="{}">{}</abbr>', claim.get_quantity_bound_display(),
                           BOUND_SIGNS[claim.quantity_bound])

    @admin.display(description="period", ordering="period_start")
    def period_covered(self, claim):
        return period(claim)

    @admin.display(description="claimed on", ordering="claimed_on")
    def claimed(self, claim) -> str:
        return partial_date(claim, "claimed_on")

    @admin.display(description="contra\u00addictions", ordering="n_contradicts")
    def contradictions(self, claim) -> int:
        return claim.n_contradicts

    @admin.display(description="")
    def side_by_side(self, claim):
        """This claim and each claim it contradicts, with the quotes and sources behind each."""
        if claim is None or claim.pk is None:
            return "Save the claim first."
        ids = sorted(claim.contradicts.values_list("pk", flat=True))
        if not ids:
            return "No claim is marked as contradicting this one."
        shown = {shown.pk: shown for shown in with_passages(Claim.objects.filter(pk__in=[claim.pk, *ids]))}
        cards = [claim_card(shown[claim.pk], "This claim", link=False)]
        cards += [claim_card(shown[pk], "Contradicts", link=True) for pk in ids]
        return format_html('<div class="claim-cards">{}</div>', format_html_join("", "{}", zip(cards)))
