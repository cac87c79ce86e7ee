"""What every curated record's admin shares: history, citations inline, aliases, publishing."""

from django.contrib import admin, messages
from django.contrib.contenttypes.admin import GenericTabularInline
from django.contrib.contenttypes.forms import BaseGenericInlineFormSet
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.urls import reverse

from alliances.domain import publishing
from alliances.domain.publishing import change_status
from alliances.domain.search import search
from alliances.models import Status
from sources.admin import CitationForm, DocumentSearchMixin, HistoryAdmin, anchor_badge
from sources.models import Citation
from sources.partial_dates import format_partial

from .forms import AliasesField, CuratedForm, PublishGuardForm


def partial_date(record, field: str) -> str:
    return format_partial(getattr(record, field), getattr(record, f"{field}_precision")) or "–"


def has_publish_permission(request, opts) -> bool:
    return publishing.may_publish(request.user, opts.model)


class CitationFormSet(BaseGenericInlineFormSet):
    """The citations of the record on the page; applies the publishing rule for the record.

    The record's form deferred the rule (CuratedForm.citations_inline) because only here is it
    known which citations the save will leave: the stored ones not deleted plus the new ones,
    each anchored by Citation.clean() when its form was validated.
    """

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        # So that Citation.clean() can check `field` against the cited model on new citations.
        form.instance.content_type = ContentType.objects.get_for_model(self.instance)
        # A stored citation left unchanged is not anchored again: one broken by a change of its
        # source's text must not block unrelated edits (verify_citations lists it).
        form.empty_permitted = True
        return form

    def clean(self):
        super().clean()
        record = self.instance
        kept = [
            form for form in self.forms
            if (form.instance.pk or form.has_changed()) and not self._should_delete_form(form)
        ]
        if not record.defer_publishing_check or any(form.errors for form in kept):
            return  # nothing to check, or the citations' own errors come first
        verified = sum(form.instance.verified for form in kept)
        try:
            publishing.validate_publishable(record, verified_citations=verified)
        except ValidationError as error:
            raise ValidationError(error.message_dict["status"], code="unpublishable") from None

    def save(self, commit=True):
        # The new citations first: they may be what keeps the record supported once the deleted
        # ones are gone (clean() checked the whole save; the deletion's own check then agrees).
        if not commit:
            return super().save(commit)
        new = self.save_new_objects(commit)
        return self.save_existing_objects(commit) + new


class CitationInline(GenericTabularInline):
    """The passages of sources that support the record; every curated record's admin has it.

    One compact row a citation: its source, quote, field and whether it is verified; its anchor
    (offsets, the context around it) is on the citation's own page, behind the change link.
    """

    model = Citation
    form = CitationForm
    formset = CitationFormSet
    fields = ["source", "quote", "text_fragment", "field", "occurrence_context", "anchor"]
    readonly_fields = ["anchor"]
    autocomplete_fields = ["source"]
    extra = 1
    show_change_link = True
    classes = ["citation-inline"]
    verbose_name_plural = "citations (passages of sources supporting this record)"

    class Media:
        css = {"all": ["sources/citations.css"]}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "quote":
            formfield.widget.attrs.update(rows=2)
        if db_field.name == "text_fragment":
            formfield.widget.attrs.update(placeholder="first words,last words")
        return formfield

    @admin.display(description="anchor")
    def anchor(self, citation) -> str:
        return anchor_badge(citation)


class CuratedInlineMixin:
    """For inlines of curated records (parties, clauses): the same publish guard as their admin.

    A mixin, listed before TabularInline or StackedInline, so that the layout stays theirs.
    """

    form = PublishGuardForm
    extra = 0
    show_change_link = True

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.can_publish = has_publish_permission(request, self.opts)
        return formset


class OneSearchMixin(DocumentSearchMixin):
    """The register's one search (alliances.domain.search) in the admin: the search boxes, the
    autocompletes and the cite panel find what the API's `search` finds."""

    def search(self, request, queryset, term: str):
        return search(queryset, term, request.user)


class CuratedAdmin(OneSearchMixin, HistoryAdmin):
    """Base admin of a curated record.

    Subclasses list their own inlines before the citations: `inlines = [..., CitationInline]`.
    """

    form = CuratedForm
    inlines = [CitationInline]
    actions = ["publish_selected"]
    list_per_page = 100
    readonly_fields = ["created_at", "updated_at"]

    def get_queryset(self, request):
        verified = (
            Citation.objects.verified()
            .filter(content_type=ContentType.objects.get_for_model(self.model), object_id=OuterRef("pk"))
            .order_by()
            .values("object_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        # Explicit ordering: subclasses annotate counts, and a GROUP BY drops Meta.ordering
        # (which the autocomplete views rely on).
        return (
            super().get_queryset(request)
            .annotate(n_verified=Coalesce(Subquery(verified, output_field=IntegerField()), 0))
            .order_by(*self.get_ordering(request) or self.opts.ordering)
        )

    @admin.display(description="verified citations", ordering="n_verified")
    def verified_citations(self, record) -> int:
        return record.n_verified

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "aliases":
            return AliasesField(label=db_field.verbose_name.capitalize(), **kwargs)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.can_publish = self.has_publish_permission(request)
        form.citations_inline = not getattr(request, "without_inlines", False) and any(
            isinstance(inline, CitationInline) for inline in self.get_inline_instances(request, obj)
        )
        return form

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # Reverting to an old version shows the record's fields without any inline, so the
        # model applies the publishing rule to the stored citations itself.
        request.without_inlines = True
        return super().history_form_view(request, object_id, version_id, extra_context)

    def has_publish_permission(self, request) -> bool:
        return has_publish_permission(request, self.opts)

    # Pending changes: an editor's edit of a published record waits for a reviewer.

    def change_view(self, request, object_id, form_url="", extra_context=None):
        record = self.get_object(request, object_id) if request.method == "GET" else None
        if record is not None and (waiting := publishing.pending_for(record).count()):
            self.message_user(request, f"{waiting} proposed change{'s' if waiting > 1 else ''} to this "
                              f"{self.opts.verbose_name} await{'' if waiting > 1 else 's'} review: this page "
                              "shows the published version (see the review queue).", messages.INFO)
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if not (change and publishing.needs_review(request.user, obj)):
            return super().save_model(request, obj, form, change)
        fields = [name for name in form.changed_data if name != "change_reason"]
        values = {name: form.cleaned_data[name] for name in fields}
        request.proposed_change = publishing.propose(
            obj, values, request.user, form.cleaned_data.get("change_reason") or ""
        ) if values else None
        # The published version stays as stored: the page shows it again, not the proposal.
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        if not hasattr(request, "proposed_change"):
            return super().save_related(request, form, formsets, change)
        if any(formset.has_changed() for formset in formsets):
            self.message_user(request, "Changes to the rows below the record (party actions, clauses, "
                              "citations) of a published record are not proposed: ask a reviewer.",
                              messages.WARNING)

    def construct_change_message(self, request, form, formsets, add=False):
        if not hasattr(request, "proposed_change"):
            return super().construct_change_message(request, form, formsets, add)
        return "Proposed a change for review" if request.proposed_change else "No change"

    def response_change(self, request, obj):
        proposal = getattr(request, "proposed_change", False)
        if proposal is False:
            return super().response_change(request, obj)
        if proposal is not None:
            self.message_user(request, f"Your change to the published {self.opts.verbose_name} “{obj}” "
                              "awaits review: the public sees the published version until a reviewer "
                              "accepts it (see the review queue).", messages.SUCCESS)
        return redirect(reverse("alliances_admin:review-queue") + f"#proposal-{proposal.pk}"
                        if proposal else request.path)

    @admin.action(description="Publish selected %(verbose_name_plural)s", permissions=["publish"])
    def publish_selected(self, request, queryset):
        published = already = 0
        for record in queryset:
            if record.status == Status.PUBLISHED:
                already += 1
                continue
            refused = change_status(record, Status.PUBLISHED, "Published (list action)")
            if refused:
                message = f"Not published: {record} (#{record.pk}): {refused}"
                self.message_user(request, message, messages.WARNING)
                continue
            published += 1
        if published:
            self.message_user(request, f"Published: {published}.", messages.SUCCESS)
        if already:
            self.message_user(request, f"Already published: {already}.", messages.INFO)
