"""The review queue: every record awaiting review, across the curated models, with its citations
and what changed since its last published version; a reviewer publishes it or sends it back to
draft with a comment, which the record's history keeps as the reason for the change."""

from collections import defaultdict
from dataclasses import dataclass, field

from django import forms
from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from alliances.domain import publishing, registry
from alliances.domain.publishing import change_status
from alliances.models import ProposedChange, Status
from sources.models import Citation

from .base import has_publish_permission

PER_MODEL = 50
NOT_DIFFED = ["created_at", "updated_at", "search_document"]


class DecisionForm(forms.Form):
    content_type = forms.ModelChoiceField(
        queryset=ContentType.objects.none(), widget=forms.HiddenInput,
    )
    object_id = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[("publish", "Publish"), ("draft", "Send back to draft")])
    comment = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="Kept in the record's history as the reason for the change.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["content_type"].queryset = ContentType.objects.filter(
            pk__in=[ct.pk for ct in ContentType.objects.get_for_models(*registry.CURATED).values()]
        )


class ProposalDecisionForm(forms.Form):
    proposal = forms.ModelChoiceField(queryset=ProposedChange.objects.pending(), widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[("accept", "Accept"), ("reject", "Reject")])
    comment = forms.CharField(required=False, max_length=2000, widget=forms.Textarea)


@dataclass
class Proposal:
    change: ProposedChange
    record: object
    change_url: str
    diff: list
    can_decide: bool


def proposals(request) -> list[Proposal]:
    """The changes proposed to published records, oldest first, as diffs against the record."""
    shown = []
    waiting = ProposedChange.objects.pending().select_related("content_type", "author")
    for change in waiting[:PER_MODEL]:
        model = change.content_type.model_class()
        opts = model._meta
        record = model._default_manager.filter(pk=change.object_id).first()
        if record is None or not request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
            continue
        shown.append(Proposal(
            change=change, record=record, diff=publishing.diff(change, record),
            change_url=reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk]),
            can_decide=has_publish_permission(request, opts),
        ))
    return shown


def decide_proposal(request, form: ProposalDecisionForm) -> None:
    change, comment = form.cleaned_data["proposal"], form.cleaned_data["comment"].strip()
    try:
        if form.cleaned_data["decision"] == "accept":
            record = publishing.accept(change, request.user, comment)
            messages.success(request, f"Accepted change #{change.pk}: {record} is updated.")
        else:
            publishing.reject(change, request.user, comment)
            messages.success(request, f"Rejected change #{change.pk}: {change.record} stays as published.")
    except ValidationError as error:
        messages.error(request, f"Change #{change.pk} not applied: {' '.join(error.messages)}")


@dataclass
class Change:
    field: str
    old: object
    new: object


@dataclass
class Item:
    record: object
    content_type: ContentType
    change_url: str
    history_url: str
    latest: object | None  # the newest historical version
    published: object | None  # the last published historical version, if any
    changes: list[Change] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)


@dataclass
class Group:
    opts: object
    items: list[Item]
    total: int
    can_publish: bool
    changelist_url: str


def _value(model, name: str, value) -> object:
    model_field = model._meta.get_field(name)
    if value in (None, ""):
        return "–"
    if model_field.choices:
        return dict(model_field.flatchoices).get(value, value)
    if model_field.is_relation:
        return f"#{value}"
    return value


def _items(model, records) -> list[Item]:
    versions = defaultdict(list)
    history = model.history.model.objects.filter(id__in=[record.pk for record in records])
    for version in history.select_related("history_user").order_by("-history_date", "-history_id"):
        versions[version.id].append(version)
    content_type = ContentType.objects.get_for_model(model)
    info = model._meta.app_label, model._meta.model_name
    items = []
    for record in records:
        mine = versions[record.pk]
        latest = mine[0] if mine else None
        published = next((version for version in mine if version.status == Status.PUBLISHED), None)
        changes = []
        if latest is not None and published is not None:
            delta = latest.diff_against(published, excluded_fields=NOT_DIFFED)
            changes = [
                Change(
                    str(model._meta.get_field(change.field).verbose_name),
                    _value(model, change.field, change.old), _value(model, change.field, change.new),
                )
                for change in sorted(delta.changes, key=lambda change: change.field)
            ]
        items.append(Item(
            record=record, content_type=content_type,
            change_url=reverse("admin:{}_{}_change".format(*info), args=[record.pk]),
            history_url=reverse("admin:{}_{}_history".format(*info), args=[record.pk]),
            latest=latest, published=published, changes=changes,
            citations=list(record.citations.all()),
        ))
    return items


def queue(request) -> list[Group]:
    groups = []
    cited = Citation.objects.select_related("source").defer("source__text")
    citations = Prefetch("citations", queryset=cited)
    for model in registry.CURATED:
        opts = model._meta
        if not request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
            continue
        # The related records each item's name reads (a party names its country and agreement).
        shown_with = admin.site.get_model_admin(model).list_select_related or ()
        waiting = model.objects.filter(status=Status.REVIEW).select_related(*shown_with)
        waiting = waiting.order_by("updated_at", "pk")
        total = waiting.count()
        if not total:
            continue
        records = list(waiting.prefetch_related(citations)[:PER_MODEL])
        groups.append(Group(
            opts=opts, items=_items(model, records), total=total,
            can_publish=has_publish_permission(request, opts),
            changelist_url=reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            + f"?status__exact={Status.REVIEW}",
        ))
    return groups


def decide(request, form: DecisionForm) -> None:
    """Publish or send back one record; the outcome is told through messages."""
    model = form.cleaned_data["content_type"].model_class()
    if not has_publish_permission(request, model._meta):
        raise PermissionDenied("Only reviewers may publish or send back records.")
    record = model.objects.filter(pk=form.cleaned_data["object_id"]).first()
    if record is None or record.status != Status.REVIEW:
        label = f"{model._meta.verbose_name.capitalize()} #{form.cleaned_data['object_id']}"
        messages.warning(request, f"{label} is no longer awaiting review.")
        return
    comment = form.cleaned_data["comment"].strip()
    publishing = form.cleaned_data["decision"] == "publish"
    default = "Published from the review queue" if publishing else "Sent back to draft from the review queue"
    refused = change_status(record, Status.PUBLISHED if publishing else Status.DRAFT, comment or default)
    if refused:
        label = f"{record} ({model._meta.verbose_name} #{record.pk})"
        messages.error(request, f"Not published: {label}: {refused}")
        return
    done = "Published" if publishing else "Sent back to draft"
    messages.success(request, f"{done}: {record} ({model._meta.verbose_name} #{record.pk}).")


def review_queue_view(request):
    if request.method == "POST":
        form = (ProposalDecisionForm if "proposal" in request.POST else DecisionForm)(request.POST)
        if isinstance(form, ProposalDecisionForm) and form.is_valid():
            decide_proposal(request, form)
        elif form.is_valid():
            decide(request, form)
        else:
            messages.error(request, "Not done: " + " ".join(
                f"{name}: {' '.join(errors)}" for name, errors in form.errors.items()
            ))
        return redirect("alliances_admin:review-queue")
    groups = queue(request)
    pending = proposals(request)
    context = {
        "proposals": pending,
        **admin.site.each_context(request),
        "title": "Review queue",
        "groups": groups,
        "waiting": sum(group.total for group in groups),
    }
    return TemplateResponse(request, "alliances/admin/review_queue.html", context)
