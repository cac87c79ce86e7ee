"""Partial dates: a date plus the precision the source supports ("2021-06-15", "2022-02", "2017").

A partial date is stored as two columns, the first day of its period and its precision, so that
the database can filter and order on the date while JSON and CSV show reduced-precision ISO 8601.
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


class Precision(models.TextChoices):
    YEAR = "year", "year"
    MONTH = "month", "month"
    DAY = "day", "day"


_ISO = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?$")


def parse_partial(value: str) -> tuple[datetime.date, str]:
    """Parse "2021-06-15", "2021-06" or "2021" into (first day of the period, precision)."""
    match = _ISO.match(str(value).strip())
    if not match:
        raise ValidationError(
            "%(value)s is not a partial date: use YYYY, YYYY-MM or YYYY-MM-DD.",
            code="invalid_partial_date",
            params={"value": value},
        )
    year, month, day = (match[name] for name in ("year", "month", "day"))
    try:
        date = datetime.date(int(year), int(month or 1), int(day or 1))
    except ValueError as exc:
        raise ValidationError(
            "%(value)s is not a valid date: %(error)s.",
            code="invalid_partial_date",
            params={"value": value, "error": exc},
        ) from exc
    precision = Precision.DAY if day else Precision.MONTH if month else Precision.YEAR
    return date, precision.value


def format_partial(date: datetime.date | None, precision: str | None) -> str | None:
    """Reduced-precision ISO 8601 for a stored partial date, None when there is no date."""
    if date is None:
        return None
    if precision == Precision.YEAR:
        return f"{date.year:04d}"
    if precision == Precision.MONTH:
        return f"{date.year:04d}-{date.month:02d}"
    return date.isoformat()


def truncate(date: datetime.date, precision: str) -> datetime.date:
    """The first day of the period that `date` falls in at `precision`."""
    if precision == Precision.YEAR:
        return date.replace(month=1, day=1)
    if precision == Precision.MONTH:
        return date.replace(day=1)
    return date


def period_end(date: datetime.date, precision: str) -> datetime.date:
    """The last day of the period of a partial date: "2021" ends on 2021-12-31."""
    if precision == Precision.YEAR:
        return date.replace(month=12, day=31)
    if precision == Precision.MONTH:
        next_month = (date.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        return next_month - datetime.timedelta(days=1)
    return date


def partial_date_fields(verbose_name: str, help_text: str) -> tuple[models.DateField, models.CharField]:
    """The two fields of a partial date, to unpack in a model body:

    signed_on, signed_on_precision = partial_date_fields("signed on", "Date of signature.")
    """
    date = models.DateField(
        verbose_name, null=True, blank=True,
        help_text=f"{help_text} First day of the period when only the month or year is known.",
    )
    precision = models.CharField(
        f"{verbose_name} precision", max_length=5, choices=Precision.choices, blank=True,
        help_text=f"Precision of '{verbose_name}': year, month or day; empty when there is no date.",
    )
    return date, precision


def partial_date_constraint(model_name: str, field: str) -> models.CheckConstraint:
    """A date has a precision, and a precision has a date."""
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True, f"{field}_precision": ""})
        | Q(
            **{f"{field}__isnull": False, f"{field}_precision__in": Precision.values}
        ),
        name=f"{model_name}_{field}_has_precision",
    )


def clean_partial(instance: models.Model, field: str) -> None:
    """Model-level normalisation: a date without precision is a day; a date is truncated to
    the first day of its period, as filtering and ordering expect."""
    date = getattr(instance, field)
    precision_field = f"{field}_precision"
    if date is None:
        setattr(instance, precision_field, "")
        return
    precision = getattr(instance, precision_field) or Precision.DAY
    setattr(instance, precision_field, precision)
    setattr(instance, field, truncate(date, precision))
