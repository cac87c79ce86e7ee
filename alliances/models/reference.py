"""Countries, organisations, their memberships, and persons."""

import datetime

import pycountry
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from sources.partial_dates import partial_date_constraint, partial_date_fields
from sources.search import SearchDocument

from .base import CuratedQuerySet, CuratedRecord, date_order_constraint, related_label, status_constraint
from .fields import aliases_field, validate_iso2, validate_iso3, wikidata_field

# Correlates of War state codes are positive three-digit numbers (2 for the USA, 990 for Samoa).
MAX_COW_CODE = 999


class Country(SearchDocument, CuratedRecord):
    search_fields = ("name", "iso2", "iso3", "aliases")

    name = models.CharField(max_length=200, help_text="Common English name of the state.")
    iso2 = models.CharField(
        "ISO alpha-2", max_length=2, unique=True, validators=[validate_iso2],
        help_text="ISO 3166-1 alpha-2 code, e.g. UZ.",
    )
    iso3 = models.CharField(
        "ISO alpha-3", max_length=3, unique=True, validators=[validate_iso3],
        help_text="ISO 3166-1 alpha-3 code, e.g. UZB; how other resources refer to the country.",
    )
    # Checked here, not only by the column: SQLite stores any integer in a small-integer column.
    cow_code = models.PositiveSmallIntegerField(
        "COW code", null=True, blank=True, unique=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_COW_CODE)],
        help_text="Correlates of War state code (ccode), e.g. 704 for Uzbekistan.",
    )
    wikidata_qid = wikidata_field()
    aliases = aliases_field()

    class Meta(CuratedRecord.Meta):
        verbose_name_plural = "countries"
        ordering = ["name", "id"]
        constraints = [
            status_constraint("country"),
            models.CheckConstraint(condition=Q(iso2__regex=r"^[A-Z]{2}$"), name="country_iso2_format"),
            models.CheckConstraint(condition=Q(iso3__regex=r"^[A-Z]{3}$"), name="country_iso3_format"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.iso2, self.iso3 = self.iso2.upper(), self.iso3.upper()
        super().clean()
        iso = pycountry.countries.get(alpha_2=self.iso2)
        if iso is not None and self.iso3 and iso.alpha_3 != self.iso3:
            raise ValidationError(
                {"iso3": f"{self.iso2} is {iso.name}, whose alpha-3 code is {iso.alpha_3}, not {self.iso3}."}
            )


class Organisation(SearchDocument, CuratedRecord):
    search_fields = ("name", "acronym", "aliases")

    class Kind(models.TextChoices):
        MILITARY_ALLIANCE = "military_alliance", "military alliance"
        SECURITY_ORGANISATION = "security_organisation", "security organisation"
        ECONOMIC_UNION = "economic_union", "economic union"
        REGIONAL_FORUM = "regional_forum", "regional forum"
        POLITICAL_UNION = "political_union", "political union"
        INTERNATIONAL_ORGANISATION = "international_organisation", "international organisation"
        OTHER = "other", "other"

    partial_dates = ("founded_on",)

    name = models.CharField(max_length=300, unique=True, help_text="Official English name.")
    acronym = models.CharField(max_length=30, blank=True, help_text="Acronym, e.g. OTS.")
    aliases = aliases_field()
    kind = models.CharField(
        max_length=30, choices=Kind.choices, default=Kind.OTHER,
        help_text="What kind of organisation: military alliance, economic union, regional forum, ...",
    )
    founded_on, founded_on_precision = partial_date_fields("founded on", "When it was founded.")
    wikidata_qid = wikidata_field()

    class Meta(CuratedRecord.Meta):
        ordering = ["name", "id"]
        constraints = [
            status_constraint("organisation"),
            partial_date_constraint("organisation", "founded_on"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name


class MembershipQuerySet(CuratedQuerySet):
    def active_on(self, day: datetime.date):
        """Memberships in force on `day`: joined on or before it, not left before it.
        A partial date counts from the first day of its period."""
        return self.filter(
            Q(joined_on__isnull=True) | Q(joined_on__lte=day),
            Q(left_on__isnull=True) | Q(left_on__gt=day),
        )


class Membership(CuratedRecord):
    class Role(models.TextChoices):
        MEMBER = "member", "member"
        OBSERVER = "observer", "observer"
        PARTNER = "partner", "partner"
        CANDIDATE = "candidate", "candidate"

    requires_provenance = True
    partial_dates = ("joined_on", "left_on")
    date_ranges = (("joined_on", "left_on"),)

    organisation = models.ForeignKey(
        # PROTECT, as for the country: an organisation with memberships is not deleted from under them.
        Organisation, on_delete=models.PROTECT, related_name="memberships",
        help_text="The organisation.",
    )
    # PROTECT: a country that records refer to is never deleted from under them.
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="memberships", help_text="The member state.",
    )
    role = models.CharField(
        max_length=10, choices=Role.choices, default=Role.MEMBER,
        help_text="member, observer, partner or candidate.",
    )
    joined_on, joined_on_precision = partial_date_fields("joined on", "When the country joined.")
    left_on, left_on_precision = partial_date_fields("left on", "When the country left, if it did.")

    objects = MembershipQuerySet.as_manager()

    class Meta(CuratedRecord.Meta):
        constraints = [
            status_constraint("membership"),
            partial_date_constraint("membership", "joined_on"),
            partial_date_constraint("membership", "left_on"),
            date_order_constraint("membership", "joined_on", "left_on"),
            models.UniqueConstraint(
                fields=["organisation", "country", "role", "joined_on"],
                name="membership_unique_spell",
            ),
        ]

    def __str__(self) -> str:
        organisation = related_label(self, "organisation", lambda org: org.acronym or org.name)
        return f"{related_label(self, 'country')} – {organisation} ({self.role})"


class Person(SearchDocument, CuratedRecord):
    search_fields = ("name", "affiliation", "aliases")

    name = models.CharField(max_length=200, help_text="Full name as usually written in English.")
    aliases = aliases_field()
    affiliation = models.CharField(
        max_length=300, blank=True,
        help_text="Role or office at the time of the sources, e.g. President of Uzbekistan.",
    )
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, null=True, blank=True, related_name="persons",
        help_text="The state the person serves or represents, if any.",
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="persons",
        help_text="The organisation the person serves or represents, if any.",
    )
    wikidata_qid = wikidata_field()

    class Meta(CuratedRecord.Meta):
        verbose_name_plural = "persons"
        ordering = ["name", "id"]
        constraints = [status_constraint("person")]

    def __str__(self) -> str:
        return self.name
