"""What every curated record shares: a status, timestamps, full history and citations."""

from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from alliances.domain import visibility
from sources.models import Citation
from sources.partial_dates import clean_partial, period_end


class Status(models.TextChoices):
    DRAFT = "draft", "draft"
    REVIEW = "review", "awaiting review"
    PUBLISHED = "published", "published"
    RETRACTED = "retracted", "retracted"


def status_constraint(model_name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(status__in=Status.values), name=f"{model_name}_status_vocabulary"
    )


def date_order_constraint(model_name: str, start: str, end: str) -> models.CheckConstraint:
    """end >= start where both are known. A coarser end ("2021" after "2021-06-15") is
    compared by its whole period in clean(); the database checks day-precise ends."""
    return models.CheckConstraint(
        condition=Q(**{f"{start}__isnull": True})
        | Q(**{f"{end}__isnull": True})
        | ~Q(**{f"{end}_precision": "day"})
        | Q(**{f"{end}__gte": models.F(start)}),
        name=f"{model_name}_{end}_after_{start}",
        violation_error_message=f"{end} cannot be before {start}.",
    )


def related_label(record, field: str, label=str) -> str:
    """label() of the record `field` points to; once that is deleted (an old version of a party
    deleted with its agreement, shown on its history page), of its last version, marked so."""
    try:
        return label(getattr(record, field))
    except ObjectDoesNotExist:
        model, pk = record._meta.get_field(field).related_model, getattr(record, f"{field}_id")
        # `pk` of a historical model is its history_id: filter by the record's own id field.
        last = model.history.filter(**{model._meta.pk.attname: pk}).order_by("-history_date").first()
        return f"{label(last.instance) if last else f'{model._meta.verbose_name} #{pk}'} (deleted)"


class CuratedQuerySet(models.QuerySet):
    """The rule is alliances.domain.visibility's; these delegate to it."""

    def published(self):
        """What the public sees: published, and so are the records it requires."""
        return visibility.published(self)

    def visible_to(self, user):
        """What `user` may read: everything with the view permission, else what is published."""
        return visibility.visible(self, user)


class CuratedRecord(models.Model):
    """Abstract base of every curated record.

    `requires_provenance`: the publishing rule. Such a record cannot be published without at
    least one verified citation.
    """

    requires_provenance = False
    # Set on an instance by a form that saves the record together with its citations (the
    # admin): the form then calls publishing.validate_publishable(record, verified_citations=...).
    defer_publishing_check = False
    partial_dates: tuple[str, ...] = ()
    date_ranges: tuple[tuple[str, str], ...] = ()

    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True,
        help_text="draft, review (awaiting review), published or retracted. "
        "Anonymous readers see published records only.",
    )
    note = models.TextField(
        blank=True,
        help_text="The curators' note on the record: why it is held for review, how a relative "
        "date was resolved, why a coding was chosen. Their own words, not the source's.",
    )
    created_at = models.DateTimeField(auto_now_add=True, help_text="When the record was created.")
    updated_at = models.DateTimeField(auto_now=True, help_text="When the record last changed.")
    citations = GenericRelation(Citation, related_query_name="%(class)s")

    history = HistoricalRecords(inherit=True)
    objects = CuratedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["id"]
        default_permissions = ("add", "change", "delete", "view", "publish")

    def clean(self) -> None:
        for field in self.partial_dates:
            clean_partial(self, field)
        self.clean_date_ranges()
        self.clean_references()
        if not self.defer_publishing_check:
            from alliances.domain.publishing import validate_publishable  # the domain imports models

            validate_publishable(self)

    def clean_date_ranges(self) -> None:
        for start, end in self.date_ranges:
            start_date, end_date = getattr(self, start), getattr(self, end)
            if (
                start_date and end_date
                and period_end(end_date, getattr(self, f"{end}_precision")) < start_date
            ):
                raise ValidationError(
                    {end: f"{self._meta.get_field(end).verbose_name} cannot be before "
                          f"{self._meta.get_field(start).verbose_name}."},
                    code="date_order",
                )

    def clean_references(self) -> None:
        """A published record refers only to published ones (alliances.domain.visibility)."""
        stored = None
        if self.pk and self.status != Status.PUBLISHED:
            stored = type(self)._default_manager.filter(pk=self.pk).values_list("status", flat=True).first()
        visibility.validate_references(self, stored)
