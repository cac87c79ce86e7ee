"""Changes proposed to published records, waiting for a reviewer (alliances.domain.publishing)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class ProposedChangeQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=ProposedChange.Status.PENDING)


class ProposedChange(models.Model):
    """An edit of a published record by someone who may not publish. The record stays as
    published until a reviewer accepts the change (applied then) or rejects it (kept here,
    with the comment, as the record of the decision)."""

    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        ACCEPTED = "accepted", "accepted"
        REJECTED = "rejected", "rejected"

    # PROTECT: a proposal names the kind of record it changes.
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, help_text="The kind of record the change is for.",
    )
    object_id = models.PositiveBigIntegerField(help_text="The id of the record the change is for.")
    record = GenericForeignKey("content_type", "object_id")
    data = models.JSONField(
        help_text="The proposed values of the fields that differ, by field name (a relation by "
        "its id, many-to-many ones as lists of ids).",
    )
    reason = models.TextField(blank=True, help_text="Why the author proposes the change.")
    # SET_NULL: the proposal outlives its author's account, as history does.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
        help_text="Who proposed the change.",
    )
    created_at = models.DateTimeField(auto_now_add=True, help_text="When the change was proposed.")
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING,
        help_text="pending, accepted (applied to the record) or rejected (discarded).",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The reviewer who accepted or rejected it.",
    )
    decided_at = models.DateTimeField(null=True, blank=True, help_text="When it was decided.")
    comment = models.TextField(blank=True, help_text="The reviewer's comment on the decision.")

    objects = ProposedChangeQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "accepted", "rejected"]),
                name="proposedchange_status_vocabulary",
            ),
        ]
        indexes = [
            # The review queue and a record's pending changes.
            models.Index(fields=["status", "content_type", "object_id"], name="proposedchange_pending"),
        ]

    def __str__(self) -> str:
        return f"Change #{self.pk} to {self.content_type.name} #{self.object_id}"
