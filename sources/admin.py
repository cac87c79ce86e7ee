"""Admin for the provenance layer: source documents and the citations anchored in them.

On a Source's page the editor cites a passage by selecting it (static/sources/cite-selection.js
and the two JSON views of SourceAdmin below).
"""


from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import Count
from django.http import Http404, JsonResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import escape, format_html, format_html_join
from django.views.decorators.http import require_GET, require_POST
from simple_history.admin import SimpleHistoryAdmin

from . import citing, search
from .forms import PartialDatesFormMixin, StoredTextField
from .highlighting import segments
from .json_input import InvalidJSON, load_json
from .models import Citation, Source, citable_fields
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
        # Not draggable: a drag that starts on a highlight selects text, as anywhere else.
        inner = (
            format_html('<a href="{}" draggable="false">{}</a>', url, segment.text)
            if url else escape(segment.text)
        )
        return format_html(
            '<mark class="cited depth-{}" title="{}">{}</mark>', len(segment.marks), title, inner
        )

    spans = ((citation.start, citation.end, citation) for citation in citations)
    return format_html(
        '<div class="source-text" style="white-space: pre-wrap; max-width: 60em; line-height: 1.6">'
        "{}</div>",
        format_html_join("", "{}", ((render(segment),) for segment in segments(text, spans))),
    )


class DocumentSearchMixin:
    """The changelist's search box (and autocomplete) matches the records' folded search
    documents (sources.search), as the API's `search` does."""

    search_fields = (search.DOCUMENT,)  # shows the box; get_search_results does the matching

    def search(self, request, queryset, term: str):
        return queryset.filter(search.matches(term, connections[queryset.db].vendor))

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return self.search(request, queryset, search_term), False


class HistoryAdmin(SimpleHistoryAdmin):
    """simple-history's admin, whose history pages answer 404 for an id that is not one
    (`.../abc/history/`, `.../1/history/abc/`) instead of failing on it. The base of every
    admin with history here and in the alliances app."""

    def history_view(self, request, object_id, extra_context=None):
        require_id(self.model, unquote(object_id))
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        require_id(self.model, unquote(object_id))
        require_id(self.model.history.model, version_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


def require_id(model, value: str) -> None:
    try:
        model._meta.pk.to_python(value)
    except ValidationError:
        raise Http404(f"No {model._meta.verbose_name} has the id {value!r}.") from None


class SourceForm(PartialDatesFormMixin, forms.ModelForm):
    partial_dates = ("published_on",)

    class Meta:
        field_classes = {"text": StoredTextField}


@admin.register(Source)
class SourceAdmin(DocumentSearchMixin, HistoryAdmin):
    form = SourceForm
    list_display = ["title", "kind", "publisher", "published", "language", "citation_count", "has_text"]
    list_filter = ["kind", "language"]
    readonly_fields = ["sha256", "cited_passages", "created_at", "updated_at"]

    def get_fieldsets(self, request, obj=None):
        described = (
            None,
            {"fields": [
                "title", ("publisher", "author"), "url", "published_on",
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

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            kwargs["assume_scheme"] = "https"  # a URL typed without a scheme (Django 6's default)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    class Media:
        css = {"all": ["sources/cite-selection.css"]}
        js = ["sources/cite-selection.js"]

    def get_urls(self):
        return [
            path("<path:object_id>/cite/records/", self.admin_site.admin_view(self.cite_records_view),
                 name="sources_source_cite_records"),
            path("<path:object_id>/cite/", self.admin_site.admin_view(self.cite_view),
                 name="sources_source_cite"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_cite": self._may_cite(request),
            "cite_url": reverse("admin:sources_source_cite", args=[object_id]),
            "cite_records_url": reverse("admin:sources_source_cite_records", args=[object_id]),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def _source_to_cite(self, request, object_id) -> Source:
        source = self.get_object(request, unquote(object_id))
        if source is None:
            raise Http404("No such source.")
        return source

    @staticmethod
    def _refused(status: int, message: str, key: str = "__all__") -> JsonResponse:
        return JsonResponse({"errors": {key: [message]}}, status=status)

    @staticmethod
    def _may_cite(request, model=None) -> bool:
        user = request.user
        if not user.has_perm("sources.add_citation"):
            return False
        return model is None or user.has_perm(f"{model._meta.app_label}.change_{model._meta.model_name}")

    @method_decorator(require_GET)
    def cite_records_view(self, request, object_id):
        """JSON: the records matching ?term= that a passage can be cited for."""
        self._source_to_cite(request, object_id)
        if not self._may_cite(request):
            return self._refused(403, "You may not add citations.")
        results = citing.search_records(
            request, self.admin_site, citable_content_types(), request.GET.get("term", "")
        )
        fields = {
            result["model"]: citable_fields(
                ContentType.objects.get_for_id(result["content_type"]).model_class()
            )
            for result in results
        }
        return JsonResponse({"results": results, "fields": fields})

    @method_decorator(require_POST)
    def cite_view(self, request, object_id):
        """JSON in, JSON out: cite the selected passage for a record.

        Body: {content_type, object_id, field, quote, start, end}. 201 with the citation and the
        re-highlighted text; 400 with field messages (a quote not in the source names it).
        """
        source = self._source_to_cite(request, object_id)
        try:
            data = load_json(request.body)
        except InvalidJSON as error:
            return self._refused(400, str(error))
        try:
            content_type = citable_content_types().get(pk=int(data["content_type"]))
            record_id = int(data["object_id"])
        except (ValueError, TypeError, KeyError, ContentType.DoesNotExist):
            return self._refused(400, "Choose the record the passage supports.", "object_id")
        model = content_type.model_class()
        if not self._may_cite(request, model):
            return self._refused(403, f"You may not cite for {model._meta.verbose_name_plural}.")
        selection = citing.Selection(
            quote=str(data.get("quote") or ""),
            start=data.get("start") if isinstance(data.get("start"), int) else None,
            end=data.get("end") if isinstance(data.get("end"), int) else None,
        )
        try:
            citation = citing.cite_selection(
                source, content_type, record_id, selection, field=str(data.get("field") or "")
            )
        except ValidationError as error:
            return JsonResponse({"errors": error.message_dict}, status=400)
        citation._change_reason = "Cited from a selection on the source page"
        citation.save()
        self.log_addition(request, citation, [{"added": {}}])
        return JsonResponse({
            "citation": {
                "id": citation.pk, "record": record_label(citation), "record_url": record_admin_url(citation),
                "field": citation.field, "quote": citation.quote, "start": citation.start,
                "end": citation.end, "match": citation.match, "verified": citation.verified,
            },
            "html": str(self.cited_passages(source)),
        }, status=201)

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
    """A citation as editors edit it, on its own page and in a record's citations inline.

    The context stored with it (prefix/suffix) is the anchoring's, computed from the source's
    text and shown read-only: a one-line input would drop its line breaks. Which occurrence of a
    repeated quote is meant is said once, in the occurrence context, when the quote is anchored.
    """

    occurrence_context = forms.CharField(
        label="occurrence context", required=False, max_length=200,
        help_text="Only for a quote that occurs more than once: a few words right before or right "
        "after the occurrence meant. Used once, to anchor the quote; not kept.",
    )

    def clean(self):
        cleaned = super().clean()
        self.instance.occurrence_context = cleaned.get("occurrence_context") or ""
        content_type, object_id = cleaned.get("content_type"), cleaned.get("object_id")
        if content_type and object_id is not None:
            model = content_type.model_class()
            if not model._default_manager.filter(pk=object_id).exists():
                self.add_error("object_id", f"There is no {model._meta.verbose_name} #{object_id}.")
        return cleaned


def visible_context(text: str) -> str:
    """Stored context as it is, its line breaks shown as ⏎ and its spaces kept."""
    if not text:
        return "–"
    return format_html('<code class="citation-context">{}</code>', text.replace("\n", "⏎"))


def anchor_badge(citation: Citation) -> str:
    """Whether the quote is verified in its source (how it matched on hover); nothing for a
    citation not stored yet, which is anchored when it is saved."""
    if citation.pk is None:
        return ""
    state = "verified" if citation.verified else citation.match
    return format_html(
        '<span class="citation-badge citation-{}" title="{}">{}</span>',
        state, citation.get_match_display(), state,
    )


@admin.register(Citation)
class CitationAdmin(DocumentSearchMixin, HistoryAdmin):
    """Citations are usually added on the cited record's page (its citations inline); here they
    are listed across sources, and a stored one can be corrected but not moved to another
    source or record."""

    form = CitationForm
    list_display = ["__str__", "source", "cited_record", "field", "match", "verified"]
    list_filter = ["match", "content_type", ("source", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["source", "content_type"]
    show_full_result_count = False
    autocomplete_fields = ["source"]
    readonly_fields = [
        "cited_record", "context_before", "context_after", "start", "end", "match", "anchored_sha256",
        "created_at", "updated_at",
    ]

    class Media:
        css = {"all": ["sources/citations.css"]}

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("record")

    def get_fields(self, request, obj=None):
        given = ["field", "quote", "text_fragment", "occurrence_context"]
        if obj is None:  # the anchor is computed when the citation is saved
            return ["source", ("content_type", "object_id"), *given]
        return [
            "source", "cited_record", *given, ("context_before", "context_after"),
            ("start", "end", "match"), "anchored_sha256", ("created_at", "updated_at"),
        ]

    def get_readonly_fields(self, request, obj=None):
        fixed = ["source"] if obj is not None else []
        return [*fixed, *super().get_readonly_fields(request, obj)]

    @admin.display(description="prefix (text just before)")
    def context_before(self, citation: Citation) -> str:
        return visible_context(citation.prefix)

    @admin.display(description="suffix (text just after)")
    def context_after(self, citation: Citation) -> str:
        return visible_context(citation.suffix)

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
