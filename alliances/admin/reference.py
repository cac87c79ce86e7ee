"""Admins of countries, organisations, memberships and persons."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.urls import path
from django.utils.html import format_html

from alliances.models import Country, Membership, Organisation, Person

from .base import CuratedAdmin, partial_date
from .pictures import country_timeline_view

STATUS_FIELDS = ("Record", {"fields": ["note", ("status", "change_reason"), ("created_at", "updated_at")]})


@admin.display(description="note", ordering="note")
def note_mark(record) -> str:
    """Whether the curators left a note, for a changelist column: the note itself on hover."""
    if not record.note:
        return "–"
    return format_html('<abbr class="note-mark" title="{}">✎ note</abbr>', record.note)


@admin.register(Country)
class CountryAdmin(CuratedAdmin):
    list_display = ["name", "iso3", "iso2", "cow_code", "alias_list", "status"]
    list_filter = ["status"]
    fieldsets = [
        (None, {"fields": ["name", ("iso2", "iso3", "cow_code"), "wikidata_qid", "aliases"]}),
        STATUS_FIELDS,
    ]

    @admin.display(description="aliases")
    def alias_list(self, record) -> str:
        return ", ".join(record.aliases)

    def get_urls(self):
        timeline = self.admin_site.admin_view(self.timeline_view)
        return [
            path("<path:object_id>/timeline/", timeline, name="alliances_country_timeline"),
            *super().get_urls(),
        ]

    def timeline_view(self, request, object_id):
        """The country's agreements, party actions and memberships in date order (linked from
        its change page: templates/admin/alliances/country/change_form.html)."""
        country = self.get_object(request, unquote(object_id))
        if country is None:
            raise Http404("No such country.")
        if not self.has_view_permission(request, country):
            raise PermissionDenied
        return country_timeline_view(request, country, self)


@admin.register(Organisation)
class OrganisationAdmin(CuratedAdmin):
    list_display = ["name", "acronym", "kind", "founded", "member_count", "status"]
    list_filter = ["kind", "status"]
    fieldsets = [
        (None, {"fields": [
            "name", "acronym", "aliases", "kind", "founded_on", "wikidata_qid",
        ]}),
        STATUS_FIELDS,
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_members=Count("memberships", distinct=True))

    @admin.display(description="founded", ordering="founded_on")
    def founded(self, record) -> str:
        return partial_date(record, "founded_on")

    @admin.display(description="memberships", ordering="n_members")
    def member_count(self, record) -> int:
        return record.n_members


@admin.register(Membership)
class MembershipAdmin(CuratedAdmin):
    list_display = [
        "country", "organisation", "role", "joined", "left", "verified_citations", "status", note_mark,
    ]
    list_filter = ["role", "status", ("organisation", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["country", "organisation"]
    autocomplete_fields = ["organisation", "country"]
    fieldsets = [
        (None, {"fields": [
            "organisation", "country", "role", ("joined_on", "left_on"),
        ]}),
        STATUS_FIELDS,
    ]

    class Media:
        css = {"all": ["alliances/pages.css"]}  # the list's long names wrap

    @admin.display(description="joined", ordering="joined_on")
    def joined(self, record) -> str:
        return partial_date(record, "joined_on")

    @admin.display(description="left", ordering="left_on")
    def left(self, record) -> str:
        return partial_date(record, "left_on")


@admin.register(Person)
class PersonAdmin(CuratedAdmin):
    list_display = ["name", "affiliation", "country", "organisation", "status"]
    list_filter = ["status", ("country", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["country", "organisation"]
    autocomplete_fields = ["country", "organisation"]
    fieldsets = [
        (None, {"fields": ["name", "aliases", "affiliation", "country", "organisation", "wikidata_qid"]}),
        STATUS_FIELDS,
    ]
