"""Serializer fields shared by every resource: partial dates, countries by iso3, record URLs."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.relations import MANY_RELATION_KWARGS
from rest_framework.reverse import reverse

from alliances.domain import visibility
from alliances.models import Country
from sources.partial_dates import format_partial, parse_partial

PARTIAL_DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"


@extend_schema_field(
    {
        "type": "string",
        "pattern": PARTIAL_DATE_PATTERN,
        "nullable": True,
        "example": "2022-02",
        "description": "Partial date, reduced-precision ISO 8601: YYYY, YYYY-MM or YYYY-MM-DD.",
    }
)
class PartialDateField(serializers.Field):
    """A partial date as "2021-06-15", "2022-02" or "2017".

    It reads and writes the model's two columns, `<name>` and `<name>_precision`, so it binds
    to the whole instance (source="*"); the precision is shown by a read-only sibling field.
    """

    default_error_messages = {"invalid": "Use YYYY, YYYY-MM or YYYY-MM-DD."}

    def __init__(self, **kwargs):
        kwargs.update(source="*", required=False, allow_null=True)
        super().__init__(**kwargs)

    def _columns(self, date, precision) -> dict:
        return {self.field_name: date, f"{self.field_name}_precision": precision}

    def get_attribute(self, instance):
        return instance

    def to_representation(self, instance) -> str | None:
        return format_partial(
            getattr(instance, self.field_name), getattr(instance, f"{self.field_name}_precision")
        )

    def run_validation(self, data=serializers.empty):
        if data in (None, ""):
            return self._columns(None, "")
        return super().run_validation(data)

    def to_internal_value(self, data) -> dict:
        if not isinstance(data, str):
            self.fail("invalid")
        try:
            return self._columns(*parse_partial(data))
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None


def precision_field() -> serializers.CharField:
    return serializers.CharField(
        read_only=True, help_text="Precision of the date beside it: year, month, day, or empty."
    )


class VisibleManyReference(serializers.ManyRelatedField):
    """A list of references without the records the caller may not see."""

    def get_attribute(self, instance):
        user = getattr(self.context.get("request"), "user", None)
        return [record for record in super().get_attribute(instance) if visibility.shown(record, user)]


class VisibleReference:
    """A reference as the caller may see it (alliances.domain.visibility): a hidden record is
    null, and left out of a list. It reads the related record, not only its key: select it
    with the queryset."""

    def get_attribute(self, instance):
        user = getattr(self.context.get("request"), "user", None)
        return visibility.shown(super().get_attribute(instance), user)

    def use_pk_only_optimization(self):
        return False

    @classmethod
    def many_init(cls, *args, **kwargs):
        list_kwargs = {"child_relation": cls(*args, **kwargs)}
        list_kwargs |= {key: value for key, value in kwargs.items() if key in MANY_RELATION_KWARGS}
        return VisibleManyReference(**list_kwargs)


class VisiblePrimaryKeyField(VisibleReference, serializers.PrimaryKeyRelatedField):
    """A record by id, null where the caller may not see it."""


@extend_schema_field({"type": "string", "pattern": "^[A-Z]{3}$", "example": "UZB"})
class CountryField(VisibleReference, serializers.SlugRelatedField):
    """A country, referred to by its ISO alpha-3 code (case-insensitive on input)."""

    def __init__(self, **kwargs):
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", Country.objects.all())
        super().__init__(slug_field="iso3", **kwargs)

    def to_internal_value(self, data):
        return super().to_internal_value(data.upper() if isinstance(data, str) else data)


@extend_schema_field({"type": "string", "pattern": r"^(Q[1-9]\d*)?$", "maxLength": 20, "example": "Q265"})
class WikidataField(serializers.CharField):
    """A Wikidata item id, or empty (the model's validator checks it on save)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "Wikidata item id (Q...); empty when not linked.")
        super().__init__(max_length=20, required=False, allow_blank=True, **kwargs)


@extend_schema_field({"type": "string", "maxLength": 1000, "example": "https://example.org/article"})
class OptionalURLField(serializers.CharField):
    """A URL, or empty when unknown (the schema's `uri` format would refuse the empty string).
    The model's URLField validates it on save."""

    def __init__(self, **kwargs):
        super().__init__(max_length=1000, required=False, allow_blank=True, **kwargs)


class DetailURLs:
    """Detail URLs of one response, by route name: the route is reversed once, not once per
    record (a page of nested agreements holds about a thousand URLs)."""

    PLACEHOLDER = 918273645546372819

    def __init__(self, request):
        self.request = request
        self.templates: dict[str, tuple[str, str]] = {}

    def __call__(self, view_name: str, pk) -> str:
        if view_name not in self.templates:
            url = reverse(view_name, args=[self.PLACEHOLDER], request=self.request)
            head, _, tail = url.partition(str(self.PLACEHOLDER))
            self.templates[view_name] = (head, tail)
        head, tail = self.templates[view_name]
        return f"{head}{pk}{tail}"


def detail_urls(context: dict) -> DetailURLs:
    """The DetailURLs of the response a serializer context belongs to (shared by its fields)."""
    request = context.get("request")
    urls = getattr(request, "_detail_urls", None)
    if urls is None:
        urls = DetailURLs(request)
        if request is not None:
            request._detail_urls = urls
    return urls


class DetailURLField(serializers.HyperlinkedIdentityField):
    """The record's own API URL."""

    def get_url(self, obj, view_name, request, format):
        if obj.pk is None:
            return None
        return detail_urls(self.context)(view_name, obj.pk)
