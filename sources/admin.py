"""Admin for the provenance layer: source documents and the citations anchored in them."""

from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape, format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from .highlighting import segments
from .models import Citation, Source
from .partial_dates import format_partial


def record_admin_url(citation: Citation) -> str | None:
    """The admin change page of the cited record, if its model is in the admin."""
    content_type = citation.content_type
    try:
        return reverse(
            f"admin:{content_type.app_label}_{content_type.model}_change", args=[citation.object_id]
        )
    except NoReverseMatch:
        return None


def record_label(citation: Citation) -> str:
    model = citation.content_type.model_class()
    kind = model._meta.verbose_name if model else citation.content_type.model
    label = f"{kind} #{citation.object_id}"
    return label if citation.record is None else f"{label}: {citation.record}"


def highlighted_text(text: str, citations) -> str:
    """The text, escaped, with every cited passage in a <mark> that links to the cited record.

    Where passages overlap, each segment is marked once, names every record citing it in its
    title and links to the innermost one.
    """
    def render(segment):
        if not segment.marks:
            return escape(segment.text)
        innermost = segment.marks[-1]
        title = "; ".join(record_label(citation) for citation in segment.marks)
        url = record_admin_url(innermost)
        inner = format_html('<a href="{}">{}</a>', url, segment.text) if url else escape(segment.text)
        return format_html(
            '<mark class="cited depth-{}" title="{}">{}</mark>', len(segment.marks), title, inner
        )

    spans = ((citation.start, citation.end, citation) for citation in citations)
    return format_html(
        '<div class="source-text" style="white-space: pre-wrap; max-width: 60em; line-height: 1.6">'
        "{}</div>",
        format_html_join("", "{}", ((render(segment),) for segment in segments(text, spans))),
    )


@admin.register(Source)
class SourceAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "publisher", "published", "language", "citation_count", "has_text"]
    list_filter = ["kind", "language"]
    search_fields = ["title", "publisher", "author"]
    readonly_fields = ["sha256", "cited_passages", "created_at", "updated_at"]

    def get_fieldsets(self, request, obj=None):
        described = (
            None,
            {"fields": [
                "title", ("publisher", "author"), "url", ("published_on", "published_on_precision"),
                ("retrieved_on", "language", "kind"),
            ]},
        )
        if obj is None:
            return [described, ("Stored text", {"fields": ["text"]})]
        return [
            described,
            ("Stored text and cited passages", {"fields": ["cited_passages", "sha256"]}),
            ("Replace the stored text", {
                "classes": ["collapse"],
                "description": "Changing the text anchors its citations again; those no longer "
                "found are marked broken.",
                "fields": ["text"],
            }),
            ("Record", {"fields": [("created_at", "updated_at")]}),
        ]

    def get_queryset(self, request):
        # Explicit ordering: the count's GROUP BY drops Meta.ordering (autocomplete relies on it).
        queryset = super().get_queryset(request).annotate(n_citations=Count("citations"))
        return queryset.order_by(*self.get_ordering(request) or self.opts.ordering)

    @admin.display(description="published", ordering="published_on")
    def published(self, source: Source) -> str:
        return format_partial(source.published_on, source.published_on_precision) or "–"

    @admin.display(description="citations", ordering="n_citations")
    def citation_count(self, source: Source) -> int:
        return source.n_citations

    @admin.display(description="text stored", boolean=True)
    def has_text(self, source: Source) -> bool:
        return bool(source.sha256)

    @admin.display(description="text")
    def cited_passages(self, source: Source) -> str:
        if not source.text:
            return "No text stored: citations of this source stay unverified."
        citations = (
            source.citations.filter(start__isnull=False)
            .select_related("content_type")
            .prefetch_related("record")
        )
        return highlighted_text(source.text, citations)


def citable_content_types():
    """Content types of the models that cite (a GenericRelation to Citation): the curated ones."""
    citable = [
        model for model in apps.get_models()
        if any(isinstance(field, GenericRelation) and field.related_model is Citation
               for field in model._meta.private_fields)
    ]
    return ContentType.objects.filter(
        pk__in=[content_type.pk for content_type in ContentType.objects.get_for_models(*citable).values()]
    )


class CitationForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        content_type, object_id = cleaned.get("content_type"), cleaned.get("object_id")
        if content_type and object_id is not None:
            model = content_type.model_class()
            if not model._default_manager.filter(pk=object_id).exists():
                self.add_error("object_id", f"There is no {model._meta.verbose_name} #{object_id}.")
        return cleaned


@admin.register(Citation)
class CitationAdmin(SimpleHistoryAdmin):
    """Citations are usually added on the cited record's page (its citations inline); here they
    are listed across sources, and a stored one can be corrected but not moved to another
    source or record."""

    form = CitationForm
    list_display = ["__str__", "source", "cited_record", "field", "match", "verified"]
    list_filter = ["match", "content_type", ("source", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["source", "content_type"]
    search_fields = ["quote"]
    show_full_result_count = False
    autocomplete_fields = ["source"]
    readonly_fields = ["cited_record", "start", "end", "match", "anchored_sha256", "created_at", "updated_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("record")

    def get_fields(self, request, obj=None):
        record = ["cited_record"] if obj is not None else [("content_type", "object_id")]
        return [
            "source", *record, "field", "quote", "text_fragment", ("prefix", "suffix"),
            ("start", "end", "match"), "anchored_sha256", ("created_at", "updated_at"),
        ]

    def get_readonly_fields(self, request, obj=None):
        fixed = ["source"] if obj is not None else []
        return [*fixed, *super().get_readonly_fields(request, obj)]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in ("prefix", "suffix"):
            kwargs["strip"] = False  # context: its spaces are part of it
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "content_type":
            kwargs["queryset"] = citable_content_types()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="record")
    def cited_record(self, citation: Citation) -> str:
        url = record_admin_url(citation)
        label = record_label(citation)
        return format_html('<a href="{}">{}</a>', url, label) if url else label

    @admin.display(description="verified", boolean=True)
    def verified(self, citation: Citation) -> bool:
        return citation.verified
