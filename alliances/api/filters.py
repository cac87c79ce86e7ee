"""One FilterSet per resource. Countries are given as iso2 or iso3 (any case); related records
by id; `search` goes through alliances.domain.search; `ordering` takes a whitelist, and the
pagination always ends the order with `id`."""

import functools
import operator

import django_filters as filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.validators import RegexValidator
from django.db.models import Q
from drf_spectacular.utils import extend_schema_field

from alliances.domain import registry, visibility
from alliances.domain.search import search
from alliances.models import (
    Agreement,
    Claim,
    Clause,
    Country,
    CuratedRecord,
    Membership,
    Organisation,
    Party,
    Person,
    ProvisionType,
    Status,
)
from sources.models import Citation, Source
from sources.search import MAX_LENGTH, MAX_TERMS, validate_search

from .numbers import AsciiModelChoiceField, FormIntegerField, IsoDateField

MAX_ID = 2**63 - 1
country_code = RegexValidator(r"^[A-Za-z]{2,3}$", "Give an ISO alpha-2 or alpha-3 code.")


def caller(request):
    return getattr(request, "user", None)


def with_code(value: str, user):
    """The country whose iso2 or iso3 code this is, any case, if `user` may see it (an empty
    queryset for none: a hidden country answers as one that does not exist)."""
    code = "iso2" if len(value) == 2 else "iso3"
    return visibility.of(Country, user).filter(**{f"{code}__iexact": value})


@extend_schema_field({"type": "string", "pattern": "^[A-Za-z]{2,3}$", "example": "UZ"})
class CountryFilter(filters.CharFilter):
    """A country by ISO alpha-2 or alpha-3 code, case-insensitive, through the given paths."""

    def __init__(self, *paths: str, **kwargs):
        self.paths = paths
        kwargs.setdefault("help_text", "ISO 3166-1 alpha-2 or alpha-3 code, e.g. UZ or UZB.")
        super().__init__(validators=[country_code], **kwargs)

    def filter(self, queryset, value):
        if not value:
            return queryset
        # Standalone (no filterset) it filters a visible queryset, whose records need a visible country.
        countries = with_code(value, caller(getattr(getattr(self, "parent", None), "request", None)))
        countries = countries.values("pk")
        naming = functools.reduce(operator.or_, (Q(**{f"{path}__in": countries}) for path in self.paths))
        # Through a many-to-many path a record would match once per row: select ids instead.
        return queryset.filter(pk__in=queryset.model._default_manager.filter(naming).values("pk"))


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(filters.Filter):
    field_class = FormIntegerField

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)


class DateFilter(filters.DateFilter):
    field_class = IsoDateField


class StrictBooleanField(forms.NullBooleanField):
    """true or false (1 or 0); anything else is a 400. Django's NullBooleanField reads an
    unknown word as "not given", and the filter would silently return everything."""

    VALUES = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, str) and value.lower() in self.VALUES:
            return self.VALUES[value.lower()]
        raise forms.ValidationError("Give true or false.", code="invalid")

    def validate(self, value):
        pass


@extend_schema_field({"type": "boolean"})
class BooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput)  # a select widget maps unknown words to None
        super().__init__(**kwargs)


class RelatedFilter(filters.ModelChoiceFilter):
    """A related record by id (or `to_field_name`): an unknown one is a 400, and so is one the
    caller may not see, with the same message (no existence oracle). Its form field is a text
    input, so the browsable API's filter form never lists a whole table in a <select>."""

    field_class = AsciiModelChoiceField

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(**kwargs)


def visible_choices(model):
    """The choices of a filter on `model`: the records the request's caller may see."""
    return lambda request: visibility.of(model, caller(request))


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class RecordChoiceFilter(RelatedFilter):
    """A related record by id, filtered through a method."""


@extend_schema_field({"type": "string", "example": "defense"})
class SlugChoiceFilter(RelatedFilter):
    """A related record by slug."""


def by_id(model, field_name=None, **kwargs) -> RelatedFilter:
    public = not issubclass(model, CuratedRecord)  # sources: every one is public
    queryset = model._default_manager.all() if public else visible_choices(model)
    return RelatedFilter(queryset=queryset, field_name=field_name, **kwargs)


def date_range(field: str) -> tuple[filters.DateFilter, filters.DateFilter]:
    """`<x>_after` and `<x>_before`: a partial date counts as the first day of its period."""
    return tuple(
        DateFilter(field_name=field, lookup_expr=lookup, help_text=f"{field} {words} (YYYY-MM-DD).")
        for lookup, words in (("gte", "on or after"), ("lte", "on or before"))
    )


class RecordFilterSet(filters.FilterSet):
    search = filters.CharFilter(
        method="filter_search", validators=[validate_search],
        help_text=f"Words to look for: at most {MAX_TERMS} words or quoted phrases, "
        f"{MAX_LENGTH} characters.",
    )

    def filter_search(self, queryset, name, value):
        return search(queryset, value, getattr(self.request, "user", None)) if value else queryset

    def filter_through(self, queryset, name, value):
        """Through a many-to-many path a record would match once per row: select ids instead."""
        matching = queryset.model._default_manager.filter(**{name: value})
        return queryset.filter(pk__in=matching.values("pk"))

    def visible(self, model):
        """The records of `model` this caller may see, for filters that look through them."""
        return visibility.of(model, caller(self.request))


class CuratedFilterSet(RecordFilterSet):
    status = filters.ChoiceFilter(choices=Status.choices)
    source = RecordChoiceFilter(
        queryset=Source.objects.all(), method="filter_source",
        help_text="Records that cite this source (id).",
    )

    def filter_source(self, queryset, name, source):
        cited = Citation.objects.filter(
            content_type=ContentType.objects.get_for_model(queryset.model), source=source
        )
        return queryset.filter(pk__in=cited.values("object_id"))


class CountryFilterSet(CuratedFilterSet):
    ordering = filters.OrderingFilter(
        fields=("name", "iso2", "iso3", "cow_code", "created_at", "updated_at", "id")
    )

    class Meta:
        model = Country
        fields = ()


class OrganisationFilterSet(CuratedFilterSet):
    kind = filters.ChoiceFilter(choices=Organisation.Kind.choices)
    country = filters.CharFilter(
        method="filter_country", help_text="Organisations this country (iso2 or iso3) is a member of.",
        validators=[country_code],
    )
    founded_after, founded_before = date_range("founded_on")
    ordering = filters.OrderingFilter(
        fields=("name", "acronym", "founded_on", "created_at", "updated_at", "id")
    )

    class Meta:
        model = Organisation
        fields = ()

    def filter_country(self, queryset, name, value):
        members = CountryFilter("country").filter(self.visible(Membership), value)
        return queryset.filter(pk__in=members.values("organisation_id"))


class MembershipFilterSet(CuratedFilterSet):
    country = CountryFilter("country")
    organisation = by_id(Organisation)
    role = filters.ChoiceFilter(choices=Membership.Role.choices)
    as_of = DateFilter(method="filter_as_of", help_text="Memberships active that day (YYYY-MM-DD).")
    joined_after, joined_before = date_range("joined_on")
    left_after, left_before = date_range("left_on")
    ordering = filters.OrderingFilter(
        fields=("joined_on", "left_on", "role", "created_at", "updated_at", "id")
    )

    class Meta:
        model = Membership
        fields = ()

    def filter_as_of(self, queryset, name, day):
        return queryset.active_on(day)


class PersonFilterSet(CuratedFilterSet):
    country = CountryFilter("country")
    organisation = by_id(Organisation)
    ordering = filters.OrderingFilter(fields=("name", "created_at", "updated_at", "id"))

    class Meta:
        model = Person
        fields = ()


class AgreementFilterSet(CuratedFilterSet):
    kind = filters.ChoiceFilter(choices=Agreement.Kind.choices)
    legal_status = filters.ChoiceFilter(choices=Agreement.LegalStatus.choices)
    country = filters.CharFilter(
        method="filter_country", help_text="Agreements this country (iso2 or iso3) has an action on.",
        validators=[country_code],
    )
    organisation = by_id(Organisation)
    parent = by_id(Agreement)
    provision = SlugChoiceFilter(
        queryset=ProvisionType.objects.all(), to_field_name="slug", method="filter_provision",
        help_text="Agreements with a clause of this provision type (slug).",
    )
    as_of = DateFilter(
        method="filter_as_of",
        help_text="Agreements binding at least one country that day (YYYY-MM-DD); with `country`, "
        "binding that country that day.",
    )
    signed_after, signed_before = date_range("signed_on")
    in_force_after, in_force_before = date_range("in_force_on")
    ends_after, ends_before = date_range("ends_on")
    ordering = filters.OrderingFilter(
        fields=("title", "signed_on", "in_force_on", "ends_on", "created_at", "updated_at", "id")
    )

    class Meta:
        model = Agreement
        fields = ()

    def filter_country(self, queryset, name, value):
        actions = CountryFilter("country").filter(self.visible(Party), value)
        return queryset.filter(pk__in=actions.values("agreement_id"))

    def filter_provision(self, queryset, name, provision):
        clauses = self.visible(Clause).filter(provision_types=provision)
        return queryset.filter(pk__in=clauses.values("agreement_id"))

    def filter_as_of(self, queryset, name, day):
        code = self.form.cleaned_data.get("country")
        countries = with_code(code, caller(self.request)) if code else None
        return queryset.binding_on(day, parties=self.visible(Party), countries=countries)


class PartyFilterSet(CuratedFilterSet):
    agreement = by_id(Agreement)
    country = CountryFilter("country")
    action = filters.ChoiceFilter(choices=Party.Action.choices)
    date_after, date_before = date_range("date")
    ordering = filters.OrderingFilter(fields=("date", "agreement", "created_at", "updated_at", "id"))

    class Meta:
        model = Party
        fields = ()


class ClauseFilterSet(CuratedFilterSet):
    agreement = by_id(Agreement)
    provision = SlugChoiceFilter(
        queryset=ProvisionType.objects.all(), to_field_name="slug", field_name="provision_types",
        help_text="Clauses of this provision type (slug).",
    )
    binding = filters.ChoiceFilter(choices=Clause.Binding.choices)
    country = CountryFilter(
        "obligors", "beneficiaries", help_text="Clauses naming this country (iso2 or iso3) as obligor "
        "or beneficiary.",
    )
    ordering = filters.OrderingFilter(fields=("label", "agreement", "created_at", "updated_at", "id"))

    class Meta:
        model = Clause
        fields = ()


class ProvisionTypeFilterSet(RecordFilterSet):
    atop_variable = filters.ChoiceFilter(choices=ProvisionType.AtopVariable.choices)
    ordering = filters.OrderingFilter(fields=("slug", "name", "id"))

    class Meta:
        model = ProvisionType
        fields = ()


class ClaimFilterSet(CuratedFilterSet):
    kind = filters.ChoiceFilter(choices=Claim.Kind.choices)
    rank = filters.ChoiceFilter(choices=Claim.Rank.choices)
    claimant = by_id(Person)
    country = CountryFilter("subject_countries", help_text="Claims about this country (iso2 or iso3).")
    organisation = RecordChoiceFilter(
        queryset=visible_choices(Organisation), field_name="subject_organisations", method="filter_through",
        help_text="Claims about this organisation (id).",
    )
    agreement = RecordChoiceFilter(
        queryset=visible_choices(Agreement), field_name="subject_agreements", method="filter_through",
        help_text="Claims about this agreement (id).",
    )
    claimed_after, claimed_before = date_range("claimed_on")
    ordering = filters.OrderingFilter(fields=("claimed_on", "created_at", "updated_at", "id"))

    class Meta:
        model = Claim
        fields = ()


class SourceFilterSet(RecordFilterSet):
    kind = filters.ChoiceFilter(choices=Source.Kind.choices)
    language = filters.CharFilter(help_text="ISO 639-1 code, e.g. en.")
    published_after, published_before = date_range("published_on")
    retrieved_after, retrieved_before = date_range("retrieved_on")
    ordering = filters.OrderingFilter(
        fields=("title", "published_on", "retrieved_on", "created_at", "updated_at", "id")
    )

    class Meta:
        model = Source
        fields = ()


class CitationFilterSet(RecordFilterSet):
    source = by_id(Source)
    record_type = filters.ChoiceFilter(
        choices=[(name, name) for name in sorted(registry.by_name())], method="filter_record_type",
        help_text="Type of the cited record.",
    )
    record_id = IdFilter(field_name="object_id", help_text="Id of the cited record (with record_type).")
    field = filters.CharFilter(help_text="Citations supporting this field of their record.")
    match = filters.ChoiceFilter(choices=Citation.Match.choices)
    verified = BooleanFilter(
        method="filter_verified", help_text="true: verified citations; false: the others.",
    )
    ordering = filters.OrderingFilter(fields=("start", "created_at", "updated_at", "id"))

    class Meta:
        model = Citation
        fields = ()

    def filter_record_type(self, queryset, name, value):
        return queryset.filter(content_type=ContentType.objects.get_for_model(registry.by_name()[value]))

    def filter_verified(self, queryset, name, value):
        verified = queryset.filter(match__in=Citation.VERIFIED_MATCHES)
        return verified if value else queryset.exclude(match__in=Citation.VERIFIED_MATCHES)
