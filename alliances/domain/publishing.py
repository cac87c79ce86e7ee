"""Publishing, once: who may change a status, what makes a record publishable, pending changes
to published records, and the immutability of the source snapshots they cite.

The admin (forms, actions, review queue, citations), the API (permissions, viewsets) and the
loader call these functions; none re-implements them.
"""

import copy
import json
from dataclasses import dataclass, field

from django.contrib.auth import get_permission_codename
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import ProtectedError
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone

from alliances.models.base import CuratedRecord, Status
from alliances.models.pending import ProposedChange
from sources.models import Citation, Source, text_sha256

# --- who may change a status ------------------------------------------------------------------


def may_publish(user, model) -> bool:
    """Reviewers: the model's publish permission."""
    opts = model._meta
    permission = f"{opts.app_label}.{get_permission_codename('publish', opts)}"
    return user is not None and user.is_authenticated and user.has_perm(permission)


def publishes(old_status: str | None, new_status: str | None) -> bool:
    """Whether a write turns a record published; holds for create with status=published too."""
    return new_status == Status.PUBLISHED and old_status != Status.PUBLISHED


def publish_refusal(user, model, old_status: str | None, new_status: str | None) -> str | None:
    """Why `user` may not make this status change, or None."""
    if publishes(old_status, new_status) and not may_publish(user, model):
        return (
            f"Only reviewers may publish: save the {model._meta.verbose_name} as "
            f"“{Status.REVIEW.label}” instead."
        )
    return None


def change_status(record, status: str, reason: str) -> str | None:
    """Set the record's status through the model's validation (the publishing rule) and save it,
    `reason` kept in its history; returns why it was refused, or None."""
    record.status = status
    try:
        record.full_clean()
    except ValidationError as error:
        return " ".join(error.messages)
    record._change_reason = reason
    record.save()
    return None


# --- what makes a record publishable ----------------------------------------------------------


def validate_publishable(record, verified_citations: int | None = None) -> None:
    """Refuse publishing without a verified citation.

    verified_citations: how many the record will have once saved, for forms that add
    citations together with the record; by default, those already stored.
    """
    if not record.requires_provenance or record.status != Status.PUBLISHED:
        return
    if verified_citations is None:
        verified_citations = Citation.objects.for_record(record).verified().count() if record.pk else 0
    if verified_citations == 0:
        raise ValidationError(
            {"status": f"This {record._meta.verbose_name} cannot be published without at least "
                       "one verified citation: cite the passage of a source that supports it."},
            code="unpublishable",
        )


def left_unsupported(citations) -> list[CuratedRecord]:
    """The published records that would have no verified citation without `citations` (the
    records they cite whose every verified citation is among them)."""
    removed = {citation.pk for citation in citations}
    cited = {(citation.content_type_id, citation.object_id) for citation in citations if citation.verified}
    unsupported = []
    for content_type_id, object_id in sorted(cited):
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None or not issubclass(model, CuratedRecord) or not model.requires_provenance:
            continue
        # Published by its own status: a party of a draft agreement keeps its provenance too.
        record = model._default_manager.filter(pk=object_id, status=Status.PUBLISHED).first()
        if record and not Citation.objects.for_record(record).verified().exclude(pk__in=removed).exists():
            unsupported.append(record)
    return unsupported


def unsupported_reason(record: CuratedRecord) -> str:
    """Why a deletion of citations is refused, for one record left_unsupported() names."""
    return (
        f"{record._meta.verbose_name.capitalize()} “{record}” is published and would be left without "
        "a verified citation: cite another passage first, or send it back to review."
    )


class LeftUnsupported(ProtectedError):
    """A deletion of citations that would leave published records without a verified one."""

    def __init__(self, records: list[CuratedRecord]):
        super().__init__(" ".join(map(unsupported_reason, records)), set(records))


@receiver(post_delete, sender=Citation)
def refuse_removing_the_last_verified_citation(sender, instance, origin, **kwargs):
    """The publishing rule, kept after publishing: a citation deleted on its own (admin, API,
    shell) may not leave its published record unsupported. Raised inside the deletion's
    transaction, so nothing is deleted. When the record itself is deleted, its citations go
    with it."""
    on_its_own = isinstance(origin, Citation) or getattr(origin, "model", None) is Citation
    if on_its_own and (records := left_unsupported([instance])):
        raise LeftUnsupported(records)


# --- pending changes --------------------------------------------------------------------------


def needs_review(user, record) -> bool:
    """An edit of a published record by someone who may not publish waits for a reviewer: the
    public keeps seeing the published version meanwhile."""
    if record.pk is None:
        return False
    stored = type(record)._default_manager.filter(pk=record.pk).values_list("status", flat=True).first()
    return stored == Status.PUBLISHED and not may_publish(user, type(record))


def _editable(model, name: str) -> models.Field:
    model_field = model._meta.get_field(name)
    if not model_field.editable or model_field.auto_created or name == "id":
        raise ValidationError({name: "This field cannot be changed."})
    return model_field


def _as_json(model_field, value):
    if model_field.many_to_many:
        return sorted(getattr(item, "pk", item) for item in value)
    if model_field.is_relation:
        return getattr(value, "pk", value)
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))  # dates as ISO strings


def _with(record, data: dict):
    """An unsaved copy of `record` with the proposed field values (many-to-many ones aside)."""
    proposed = copy.copy(record)
    proposed._state = copy.copy(record._state)
    for name, value in data.items():
        model_field = record._meta.get_field(name)
        if model_field.many_to_many:
            continue
        if model_field.is_relation:
            setattr(proposed, model_field.attname, value)
        else:
            setattr(proposed, name, model_field.to_python(value))
    return proposed


def propose(record, values: dict, user, reason: str = "") -> ProposedChange | None:
    """Store `values` (field name -> new value, as a form or serializer cleaned them) as a change
    proposed to the published `record`, validated as the record would be. Only the fields that
    differ from the stored record are kept; None when none does."""
    stored = type(record)._default_manager.get(pk=record.pk)
    data = {}
    for name, value in values.items():
        model_field = _editable(type(record), name)
        new = _as_json(model_field, value)
        if model_field.many_to_many:
            old = sorted(getattr(stored, name).values_list("pk", flat=True))
        else:
            old = _as_json(model_field, model_field.value_from_object(stored))
        if new != old:
            data[name] = new
    if not data:
        return None  # nothing differs from the published version
    _with(stored, data).full_clean()
    return ProposedChange.objects.create(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk,
        data=data, author=user, reason=reason[:500],
    )


@dataclass
class FieldChange:
    field: str
    old: object
    new: object


def _shown(model_field, value) -> object:
    if value in (None, "", []):
        return "–"
    if model_field.choices:
        return dict(model_field.flatchoices).get(value, value)
    if model_field.many_to_many:
        related = model_field.related_model._default_manager.filter(pk__in=value)
        return ", ".join(str(item) for item in related)
    if model_field.is_relation:
        return str(model_field.related_model._default_manager.filter(pk=value).first() or f"#{value}")
    return value


def diff(change: ProposedChange, record=None) -> list[FieldChange]:
    """The proposed change against the record as it is stored now, field by field."""
    record = record or change.record
    rows = []
    for name, new in sorted(change.data.items()):
        model_field = record._meta.get_field(name)
        if model_field.many_to_many:
            old = list(getattr(record, name).values_list("pk", flat=True))
        else:
            old = model_field.value_from_object(record)
        name = str(model_field.verbose_name)
        rows.append(FieldChange(name, _shown(model_field, old), _shown(model_field, new)))
    return rows


def pending_for(record) -> models.QuerySet:
    return ProposedChange.objects.pending().filter(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk
    )


def _decidable(change: ProposedChange, reviewer) -> ProposedChange:
    change = ProposedChange.objects.select_for_update().get(pk=change.pk)
    if change.status != ProposedChange.Status.PENDING:
        raise ValidationError(f"Proposed change #{change.pk} was already {change.get_status_display()}.")
    if not may_publish(reviewer, change.content_type.model_class()):
        raise ValidationError("Only reviewers may accept or reject proposed changes.")
    return change


def accept(change: ProposedChange, reviewer, comment: str = ""):
    """Apply the proposed change to its record in one transaction, through full_clean(); the
    record's history keeps who proposed it and the reviewer's comment. Returns the record."""
    with transaction.atomic():
        change = _decidable(change, reviewer)
        model = change.content_type.model_class()
        record = model._default_manager.select_for_update().get(pk=change.object_id)
        updated = _with(record, change.data)
        updated.full_clean()
        author = change.author.get_username() if change.author else "someone unknown"
        reason = f"Accepted change #{change.pk} proposed by {author}"
        # The history's reason column holds 100 characters; the whole comment stays on the change.
        updated._change_reason = (f"{reason}: {comment}" if comment else reason)[:100]
        updated._history_user = reviewer
        updated.save()
        for name, value in change.data.items():
            if model._meta.get_field(name).many_to_many:
                getattr(updated, name).set(value)
        _decide(change, ProposedChange.Status.ACCEPTED, reviewer, comment)
    return updated


def reject(change: ProposedChange, reviewer, comment: str = "") -> None:
    """Discard the proposed change; the record stays as published, the comment is kept."""
    with transaction.atomic():
        _decide(_decidable(change, reviewer), ProposedChange.Status.REJECTED, reviewer, comment)


def _decide(change: ProposedChange, status: str, reviewer, comment: str) -> None:
    change.status, change.decided_by, change.decided_at = status, reviewer, timezone.now()
    change.comment = comment
    change.save()


# --- source snapshots -------------------------------------------------------------------------


def published_citing(source: Source) -> list[CuratedRecord]:
    """The published records that cite `source`."""
    records = []
    for citation in source.citations.order_by("content_type_id", "object_id"):
        model = citation.content_type.model_class()
        if model is None or not issubclass(model, CuratedRecord):
            continue
        record = model._default_manager.filter(pk=citation.object_id, status=Status.PUBLISHED).first()
        if record is not None and record not in records:
            records.append(record)
    return records


def refuse_text_change(source: Source, new_text: str) -> None:
    """A snapshot that published records cite is never edited in place: store the corrected
    text as a new snapshot instead."""
    if source.pk is None:
        return
    stored = Source.objects.filter(pk=source.pk).values_list("text", flat=True).first()
    if stored is None or text_sha256(stored) == text_sha256(new_text.replace("\r\n", "\n")):
        return
    if records := published_citing(source):
        names = "; ".join(f"{record._meta.verbose_name} “{record}”" for record in records[:5])
        more = f" and {len(records) - 5} more" if len(records) > 5 else ""
        raise ValidationError(
            {"text": f"Published records cite this snapshot ({names}{more}): its text cannot be "
                     "replaced. Store the corrected text as a new snapshot of this source."},
            code="snapshot_immutable",
        )


@dataclass
class SnapshotPlan:
    """What storing a corrected text as a new snapshot would do."""

    moving: list[Citation] = field(default_factory=list)  # re-anchor in the new text
    staying: list[Citation] = field(default_factory=list)  # not found there: stay on the old one
    losing: list[CuratedRecord] = field(default_factory=list)  # published, no citation moves


def snapshot_plan(source: Source, new_text: str) -> SnapshotPlan:
    new_text = new_text.replace("\r\n", "\n")
    candidate = Source(text=new_text, sha256=text_sha256(new_text))
    plan = SnapshotPlan()
    for citation in source.citations.select_related("content_type").order_by("pk"):
        trial = copy.copy(citation)
        trial.source = candidate
        trial.anchor()
        (plan.moving if trial.verified else plan.staying).append(citation)
    moved = {(citation.content_type_id, citation.object_id) for citation in plan.moving}
    plan.losing = [
        record for record in published_citing(source)
        if (ContentType.objects.get_for_model(record).pk, record.pk) not in moved
    ]
    return plan


def new_snapshot(source: Source, new_text: str, user=None) -> tuple[Source, SnapshotPlan]:
    """Store `new_text` as a new Source with the old one's description, and move to it the
    citations that re-anchor there; the others stay on the old snapshot, which is unchanged."""
    plan = snapshot_plan(source, new_text)
    with transaction.atomic():
        snapshot = copy.copy(source)
        snapshot.pk = snapshot.id = None
        snapshot._state = copy.copy(source._state)
        snapshot._state.adding = True
        snapshot.text = new_text.replace("\r\n", "\n")
        snapshot.retrieved_on = timezone.localdate()
        snapshot.full_clean()
        if user is not None:
            snapshot._history_user = user
        snapshot._change_reason = f"New snapshot of source #{source.pk}"
        snapshot.save()
        for citation in plan.moving:
            citation.source = snapshot
            citation.anchor()
            citation.save()
    return snapshot, plan
