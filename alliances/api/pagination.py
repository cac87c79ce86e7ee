"""Keyset ("cursor") pagination that follows whatever order the list has.

The cursor holds the sort values of a boundary row, and a page is the rows strictly after it
(or before it, for `previous`) in the full ordering, which always ends with the primary key, so
it is total. NULLs sort last (first when paging backwards) on every database. One query per
page, whatever the page size, and no COUNT.
"""

import base64
import binascii
import functools
import json
import math
import operator
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import BooleanField, F, Field, FloatField, IntegerField, Q
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from .numbers import ascii_int


@dataclass(frozen=True)
class Key:
    name: str  # attname of a concrete field of the model, or an annotation (search rank)
    descending: bool
    nullable: bool
    field: Field  # reads the cursor's value back

    def expression(self, backwards: bool):
        descending = self.descending != backwards
        nulls = ({"nulls_first": True} if backwards else {"nulls_last": True}) if self.nullable else {}
        return F(self.name).desc(**nulls) if descending else F(self.name).asc(**nulls)

    def beyond(self, value, backwards: bool) -> Q | None:
        """Rows that come after `value` on this key (None: none can)."""
        nulls_last = not backwards
        if value is None:
            return None if nulls_last else Q(**{f"{self.name}__isnull": False})
        lookup = "lt" if self.descending != backwards else "gt"
        beyond = Q(**{f"{self.name}__{lookup}": value})
        if self.nullable and nulls_last:
            beyond |= Q(**{f"{self.name}__isnull": True})
        return beyond

    def read(self, value):
        """The cursor's JSON value for this key, as link() wrote it: of the field's own type,
        None only where the field may be NULL (ValueError otherwise)."""
        if value is None:
            if not self.nullable:
                raise ValueError("a NULL position on a field that has no NULLs")
            return None
        field = self.field.target_field if self.field.is_relation else self.field
        if isinstance(field, IntegerField):
            if type(value) is not int or not -(2**63) <= value < 2**63:
                raise ValueError("not a 64-bit integer")
            return value
        if isinstance(field, FloatField):
            if type(value) not in (int, float) or not math.isfinite(value):
                raise ValueError("not a finite number")
            return float(value)
        if isinstance(field, BooleanField):
            if type(value) is not bool:
                raise ValueError("not a boolean")
            return value
        # Text, dates, times and decimals are written as strings.
        if not isinstance(value, str) or "\x00" in value:
            raise ValueError("not a text")
        value.encode("utf-8")  # a lone surrogate raises UnicodeEncodeError, a ValueError
        return field.to_python(value)

    def same(self, value) -> Q:
        return Q(**{f"{self.name}__isnull": True}) if value is None else Q(**{self.name: value})


def ordering_keys(queryset) -> list[Key]:
    """The queryset's ordering (or its model's default) as keys, ended by the primary key."""
    meta = queryset.model._meta
    ordering = list(queryset.query.order_by) or (
        list(meta.ordering) if queryset.query.default_ordering else []
    )
    keys: list[Key] = []
    for item in ordering:
        if not isinstance(item, str) or "__" in item or item == "?":
            raise ImproperlyConfigured(f"Keyset pagination orders by local fields only, not {item!r}.")
        name = item.lstrip("-")
        annotation = queryset.query.annotations.get(name)
        if annotation is not None:
            keys.append(Key(name, item.startswith("-"), False, annotation.output_field))
            continue
        try:
            field = meta.pk if name == "pk" else meta.get_field(name)
        except FieldDoesNotExist as error:
            raise ImproperlyConfigured(str(error)) from error
        keys.append(Key(field.attname, item.startswith("-"), field.null, field))
        if field.primary_key:
            return keys
    return [*keys, Key(meta.pk.attname, False, False, meta.pk)]


class KeysetCursorPagination(BasePagination):
    page_size = 50
    max_page_size = 1000
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        size = self.get_page_size(request)
        keys = ordering_keys(queryset)
        position, backwards = self.decode_cursor(request, keys)
        rows = queryset.order_by(*(key.expression(backwards) for key in keys))
        if position is not None:
            rows = rows.filter(self.after(keys, position, backwards))
        rows = list(rows[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
        if backwards:
            rows.reverse()
        # Paging backwards, the rows after this page are where the caller came from.
        has_next, has_previous = (True, more) if backwards else (more, position is not None)
        self.next = self.link(keys, rows[-1], False) if rows and has_next else None
        self.previous = self.link(keys, rows[0], True) if rows and has_previous else None
        return rows

    @staticmethod
    def after(keys: list[Key], position: list, backwards: bool) -> Q:
        branches, equal = [], Q()
        for key, value in zip(keys, position, strict=True):
            beyond = key.beyond(value, backwards)
            if beyond is not None:
                branches.append(equal & beyond)
            equal &= key.same(value)
        return functools.reduce(operator.or_, branches)

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        size = ascii_int(raw)
        if size is None or not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {self.page_size_query_param: [f"Give a whole number from 1 to {self.max_page_size}."]}
            )
        return size

    def link(self, keys: list[Key], row, backwards: bool) -> str:
        position = [getattr(row, key.name) for key in keys]
        return self.cursor_link({"k": [key.name for key in keys], "p": position, "b": backwards})

    def cursor_link(self, data: dict) -> str:
        """This request's URL with `data` as its cursor (URL-safe base64 of compact JSON)."""
        payload = json.dumps(data, cls=DjangoJSONEncoder, separators=(",", ":"))
        token = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
        return replace_query_param(self.request.build_absolute_uri(), self.cursor_query_param, token)

    def cursor_data(self, request):
        """The request's cursor as cursor_link() wrote it; None without one. A caller that finds
        it malformed raises invalid_cursor()."""
        token = request.query_params.get(self.cursor_query_param)
        if token is None:
            return None
        try:
            return json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        except (ValueError, binascii.Error):
            raise self.invalid_cursor() from None

    def invalid_cursor(self) -> ValidationError:
        return ValidationError(
            {self.cursor_query_param: ["Invalid cursor: use the next or previous link of a page."]}
        )

    def decode_cursor(self, request, keys: list[Key]) -> tuple[list | None, bool]:
        data = self.cursor_data(request)
        if data is None:
            return None, False
        try:
            if (
                not isinstance(data, dict) or data.keys() != {"k", "p", "b"}
                or data["k"] != [key.name for key in keys] or not isinstance(data["p"], list)
                or len(data["p"]) != len(keys) or not isinstance(data["b"], bool)
            ):
                raise ValueError("the cursor belongs to another ordering")
            position = [key.read(value) for key, value in zip(keys, data["p"], strict=True)]
            return position, data["b"]
        except (ValueError, TypeError, DjangoValidationError):
            raise self.invalid_cursor() from None

    def get_paginated_response(self, data):
        return Response({"next": self.next, "previous": self.previous, "results": data})

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "format": "uri", "nullable": True}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {"next": link, "previous": link, "results": schema},
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param, "in": "query", "required": False,
                "description": "Opaque position: follow a page's `next` or `previous` link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param, "in": "query", "required": False,
                "description": f"Rows per page (default {self.page_size}, at most {self.max_page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]
