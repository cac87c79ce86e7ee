"""Admins of agreements (with their parties, clauses and citations inline), parties, clauses
and the provision taxonomy."""

from django.contrib import admin
from django.db.models import Count

from alliances.models import Agreement, Clause, Party, ProvisionType
from sources.admin import HistoryAdmin

from .base import CitationInline, CuratedAdmin, CuratedInlineMixin, OneSearchMixin, partial_date
from .reference import STATUS_FIELDS


class PartyInline(CuratedInlineMixin, admin.TabularInline):
    model = Party
    fields = ["country", "action", "date", "signed_by", "status"]
    autocomplete_fields = ["country", "signed_by"]
    verbose_name_plural = "party actions (signature, ratification, accession, withdrawal...)"


class ClauseInline(CuratedInlineMixin, admin.StackedInline):
    model = Clause
    fields = [
        "label", "text", "provision_types", "conditions", "binding", ("obligors", "beneficiaries"), "status",
    ]
    autocomplete_fields = ["provision_types", "obligors", "beneficiaries"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in ("text", "conditions"):
            formfield.widget.attrs.update(rows=3)
        return formfield


@admin.register(Agreement)
class AgreementAdmin(CuratedAdmin):
    list_display = [
        "__str__", "kind", "legal_status", "signed", "organisation", "party_count",
        "verified_citations", "status",
    ]
    list_filter = ["status", "kind", "legal_status", ("organisation", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["organisation"]
    autocomplete_fields = ["parent", "organisation"]
    inlines = [PartyInline, ClauseInline, CitationInline]
    fieldsets = [
        (None, {"fields": ["title", "short_name", "aliases", ("kind", "legal_status"), "summary"]}),
        ("Dates and place", {"fields": [
            ("signed_on", "signed_at"), ("in_force_on", "ends_on"),
        ]}),
        ("Context and crosswalks", {"fields": ["parent", "organisation", ("atopid", "cow_id")]}),
        STATUS_FIELDS,
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_parties=Count("parties__country", distinct=True))

    @admin.display(description="signed", ordering="signed_on")
    def signed(self, record) -> str:
        return partial_date(record, "signed_on")

    @admin.display(description="parties", ordering="n_parties")
    def party_count(self, record) -> int:
        return record.n_parties


@admin.register(Party)
class PartyAdmin(CuratedAdmin):
    list_display = ["country", "action", "when", "agreement", "signed_by", "verified_citations", "status"]
    list_filter = ["action", "status"]
    list_select_related = ["country", "agreement", "signed_by"]
    autocomplete_fields = ["agreement", "country", "signed_by"]
    fieldsets = [
        (None, {"fields": ["agreement", "country", "action", "date", "signed_by"]}),
        STATUS_FIELDS,
    ]

    @admin.display(description="date", ordering="date")
    def when(self, record) -> str:
        return partial_date(record, "date")


@admin.register(Clause)
class ClauseAdmin(CuratedAdmin):
    list_display = ["label", "agreement", "binding", "provisions", "verified_citations", "status"]
    list_filter = ["binding", "status", "provision_types"]
    list_select_related = ["agreement"]
    autocomplete_fields = ["agreement", "provision_types", "obligors", "beneficiaries"]
    fieldsets = [
        (None, {"fields": ["agreement", "label", "text", "provision_types", "conditions", "binding"]}),
        ("Direction (empty: every party to every other)", {"fields": ["obligors", "beneficiaries"]}),
        STATUS_FIELDS,
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("provision_types")

    @admin.display(description="provision types")
    def provisions(self, record) -> str:
        return ", ".join(provision.name for provision in record.provision_types.all())


@admin.register(ProvisionType)
class ProvisionTypeAdmin(OneSearchMixin, HistoryAdmin):
    list_display = ["name", "slug", "atop_variable", "cow_type", "clause_count"]
    list_filter = ["atop_variable"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        queryset = super().get_queryset(request).annotate(n_clauses=Count("clauses"))
        return queryset.order_by(*self.get_ordering(request) or self.opts.ordering)

    @admin.display(description="clauses", ordering="n_clauses")
    def clause_count(self, record) -> int:
        return record.n_clauses
