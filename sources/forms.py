"""Form pieces for partial dates: one text input takes "2021", "2021-06" or "2021-06-15".

A partial date is stored as two columns (the first day of its period and its precision); editors
type it as one reduced-precision ISO 8601 value, and the form splits it into both.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError

from .models import stored_text
from .partial_dates import format_partial, parse_partial

# What partial_date_fields() adds to a date's help text, about its storage, not its input.
STORED_AS = "First day of the period when only the month or year is known."


class PartialDateField(forms.CharField):
    """Cleans "YYYY", "YYYY-MM" or "YYYY-MM-DD" into (first day of the period, precision),
    or None when left empty."""

    default_error_messages = {
        "invalid": "Enter a date as YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2021-06 for June 2021.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.update(size=10, placeholder="YYYY-MM-DD", pattern=r"\d{4}(-\d{2}){0,2}")

    def to_python(self, value) -> tuple[datetime.date, str] | None:
        text = super().to_python(value)
        if not text:
            return None
        try:
            return parse_partial(text)
        except ValidationError as error:
            # parse_partial's message names the value and what is wrong with it (a 31 June...).
            raise ValidationError(error.messages, code="invalid") from None

    def prepare_value(self, value):
        if isinstance(value, tuple):
            return format_partial(*value)
        if isinstance(value, datetime.date):
            return value.isoformat()
        return value

    def has_changed(self, initial, data) -> bool:
        try:
            return self.to_python(self.prepare_value(initial)) != self.to_python(data)
        except ValidationError:
            return True


def partial_help_text(model_help_text: str) -> str:
    described = model_help_text.replace(STORED_AS, "").strip()
    return f"{described} As precise as the source: 2021, 2021-06 or 2021-06-15.".strip()


class PartialDatesFormMixin:
    """For a ModelForm: each partial date `name` in `partial_dates` (by default the model's
    own `partial_dates`) is edited as one PartialDateField, and `name_precision` is set from it.

    List only `name` in the admin's fields; the precision field is filled in by the form.
    """

    partial_dates: tuple[str, ...] | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.edited_partial_dates():
            old = self.fields[name]
            self.fields[name] = PartialDateField(
                label=old.label, help_text=partial_help_text(old.help_text), required=old.required,
                disabled=old.disabled,
            )
            stored = self.initial.get(name)
            if isinstance(stored, datetime.date):  # from the instance: show it at its precision
                precision = getattr(self.instance, f"{name}_precision", "") or "day"
                self.initial[name] = format_partial(stored, precision)

    def edited_partial_dates(self) -> list[str]:
        names = self.partial_dates
        if names is None:
            names = getattr(self._meta.model, "partial_dates", ())
        return [name for name in names if name in self.fields]

    def clean(self):
        cleaned = super().clean()
        for name in self.edited_partial_dates():
            if name not in cleaned:
                continue  # its own error is already shown next to it
            value = cleaned[name]
            date, precision = value if value else (None, "")
            cleaned[name] = date
            setattr(self.instance, f"{name}_precision", precision)
        return cleaned


class StoredTextField(forms.CharField):
    """A source's text as it will be stored: the CRLF line endings a browser submits become LF,
    and nothing is stripped (a file's final line break is part of its text), so that
    resubmitting an unchanged text is no change."""

    def __init__(self, **kwargs):
        kwargs["strip"] = False
        super().__init__(**kwargs)

    def to_python(self, value) -> str:
        return stored_text(super().to_python(value))
