"""The one reading of an integer query parameter (page_size, years, record ids), and of a date.

Python's int() and str.isdigit() take any Unicode digit: `²` passes isdigit() and then fails
int() (a 500), `２０２１` and `٢٠٢١` read as 2021. A number in a URL is ASCII digits only, and
short enough for a 64-bit column."""

import re

from django import forms
from django_filters.fields import ModelChoiceField
from rest_framework import serializers

ASCII_NUMBER = re.compile(r"[0-9]{1,19}")


def ascii_int(raw) -> int | None:
    """The integer `raw` spells in ASCII digits (no sign, no spaces), or None."""
    if isinstance(raw, str) and ASCII_NUMBER.fullmatch(raw):
        return int(raw)
    return None


class QueryIntegerField(serializers.IntegerField):
    """DRF's IntegerField for query parameters: ASCII digits only."""

    def to_internal_value(self, data):
        value = ascii_int(data)
        if value is None:
            self.fail("invalid")
        return value


class FormIntegerField(forms.IntegerField):
    """Django's IntegerField for filters: ASCII digits only."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        number = ascii_int(value) if isinstance(value, str) else value
        if not isinstance(number, int):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return number


ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class IsoDateField(forms.DateField):
    """A date filter's value: YYYY-MM-DD in ASCII digits (Django's DateField also reads
    `２０２１-01-01` and other formats)."""

    def to_python(self, value):
        if isinstance(value, str) and value and not ISO_DATE.fullmatch(value):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class AsciiModelChoiceField(ModelChoiceField):
    """A related record by id (or by `to_field_name`): an id in ASCII digits only."""

    def to_python(self, value):
        if value not in self.empty_values and self.to_field_name is None and ascii_int(value) is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)
