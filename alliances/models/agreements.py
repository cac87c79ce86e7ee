"""Agreements, the actions of their parties, their clauses and the provision taxonomy."""

import datetime

from django.db import models
from django.db.models import Exists, OuterRef, Q
from simple_history.models import HistoricalRecords

from alliances.domain import binding
from sources.partial_dates import partial_date_constraint, partial_date_fields
from sources.search import SearchDocument

from .base import CuratedQuerySet, CuratedRecord, date_order_constraint, related_label, status_constraint
from .fields import aliases_field
from .reference import Country, Organisation, Person


class ProvisionType(SearchDocument, models.Model):
    """The provision taxonomy: ATOP's core obligations plus the kinds of cooperation the
    sources describe. Seeded by a data migration."""
    search_fields = ("slug", "name", "description")

    class AtopVariable(models.TextChoices):
        DEFENSE = "defense", "defense"
        OFFENSE = "offense", "offense"
        NEUTRAL = "neutral", "neutral"
        NONAGG = "nonagg", "nonagg"
        CONSUL = "consul", "consul"

    slug = models.SlugField(max_length=40, unique=True, help_text="Stable identifier, e.g. defense.")
    name = models.CharField(max_length=100, unique=True, help_text="Human-readable name.")
    description = models.TextField(blank=True, help_text="What a clause of this type obliges.")
    atop_variable = models.CharField(
        "ATOP variable", max_length=10, choices=AtopVariable.choices, blank=True,
        help_text="The ATOP alliance-level variable this type maps to, if any.",
    )
    cow_type = models.CharField(
        "COW type", max_length=30, blank=True,
        help_text="The Correlates of War alliance type it corresponds to, if any "
        "(I defense pact, II neutrality/non-aggression, III entente).",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class PartyQuerySet(CuratedQuerySet):
    def bound_on(self, day: datetime.date):
        """Joining actions, among these (the ones the caller may see), of countries bound on
        `day`: the Party rule of alliances.domain.binding."""
        return binding.bound_on(self, day)


class AgreementQuerySet(CuratedQuerySet):
    def binding_on(self, day: datetime.date, parties=None, countries=None):
        """Agreements that bind at least one country on `day` (of `countries`, a queryset of
        countries, if given), by the actions in `parties` (the caller's visible ones; all by default)."""
        bound = (Party.objects.all() if parties is None else parties).bound_on(day)
        if countries is not None:
            bound = bound.filter(country__in=countries)
        return self.filter(Exists(bound.filter(agreement=OuterRef("pk"))))


class Agreement(SearchDocument, CuratedRecord):
    search_fields = ("title", "short_name", "aliases", "summary", "signed_at")

    class Kind(models.TextChoices):
        TREATY = "treaty", "treaty"
        DECLARATION = "declaration", "declaration"
        FRAMEWORK_AGREEMENT = "framework_agreement", "framework agreement"
        AGREEMENT = "agreement", "agreement"
        PLAN = "plan", "plan"
        PROGRAMME = "programme", "programme"
        MEMORANDUM = "memorandum", "memorandum"
        PROTOCOL = "protocol", "protocol"
        DECREE = "decree", "decree"
        LAW = "law", "law"
        OTHER = "other", "other"

    class LegalStatus(models.TextChoices):
        PROPOSED = "proposed", "proposed"
        SIGNED = "signed", "signed"
        IN_FORCE = "in_force", "in force"
        EXPIRED = "expired", "expired"
        TERMINATED = "terminated", "terminated"

    requires_provenance = True
    partial_dates = ("signed_on", "in_force_on", "ends_on")
    date_ranges = (("signed_on", "in_force_on"), ("signed_on", "ends_on"))

    title = models.CharField(max_length=500, help_text="Full title of the agreement.")
    short_name = models.CharField(max_length=200, blank=True, help_text="Usual short name.")
    aliases = aliases_field()
    kind = models.CharField(
        max_length=30, choices=Kind.choices, help_text="treaty, declaration, framework agreement, plan, ...",
    )
    legal_status = models.CharField(
        max_length=20, choices=LegalStatus.choices,
        help_text="proposed, signed, in force, expired or terminated.",
    )
    signed_on, signed_on_precision = partial_date_fields("signed on", "Date of signature.")
    signed_at = models.CharField(max_length=200, blank=True, help_text="Place of signature.")
    in_force_on, in_force_on_precision = partial_date_fields("in force on", "Date of entry into force.")
    ends_on, ends_on_precision = partial_date_fields(
        "ends on", "Date the agreement ends or ended (expiry, termination)."
    )
    # PROTECT: an accession or protocol must not lose the agreement it joins or extends.
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
        help_text="The agreement this one joins or extends (for accessions and protocols).",
    )
    summary = models.TextField(blank=True, help_text="What the agreement does, in the editors' words.")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="agreements",
        help_text="The organisation whose framework the agreement sits in, if any.",
    )
    atopid = models.PositiveIntegerField(
        "ATOP id", null=True, blank=True, help_text="ATOP alliance id, for crosswalks (optional).",
    )
    cow_id = models.PositiveIntegerField(
        "COW id", null=True, blank=True,
        help_text="Correlates of War alliance id, for crosswalks (optional).",
    )

    objects = AgreementQuerySet.as_manager()

    class Meta(CuratedRecord.Meta):
        constraints = [
            status_constraint("agreement"),
            partial_date_constraint("agreement", "signed_on"),
            partial_date_constraint("agreement", "in_force_on"),
            partial_date_constraint("agreement", "ends_on"),
            date_order_constraint("agreement", "signed_on", "in_force_on"),
            date_order_constraint("agreement", "signed_on", "ends_on"),
            models.CheckConstraint(
                condition=Q(legal_status__in=["proposed", "signed", "in_force", "expired", "terminated"]),
                name="agreement_legal_status_vocabulary",
            ),
        ]

    def __str__(self) -> str:
        return self.short_name or self.title


class Party(CuratedRecord):
    """One action of one country on one agreement, as the UN Treaty Collection lists them."""

    class Action(models.TextChoices):
        SIGNATURE = "signature", "signature"
        RATIFICATION = "ratification", "ratification"
        ACCESSION = "accession", "accession"
        ENTRY_INTO_FORCE = "entry_into_force", "entry into force"
        WITHDRAWAL = "withdrawal", "withdrawal"
        DENUNCIATION = "denunciation", "denunciation"

    JOINING, LEAVING = binding.JOINING, binding.LEAVING

    requires_provenance = True
    partial_dates = ("date",)

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="parties", help_text="The agreement acted on.",
    )
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="party_actions", help_text="The acting state.",
    )
    action = models.CharField(
        max_length=20, choices=Action.choices,
        help_text="signature, ratification, accession, entry into force, withdrawal or denunciation.",
    )
    date, date_precision = partial_date_fields("date", "Date of the action.")
    signed_by = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="signatures",
        help_text="Who performed the action for the state (the signatory), if known.",
    )

    objects = PartyQuerySet.as_manager()

    class Meta(CuratedRecord.Meta):
        verbose_name = "party action"
        ordering = ["agreement_id", "date", "id"]
        constraints = [
            status_constraint("party"),
            partial_date_constraint("party", "date"),
            models.UniqueConstraint(
                fields=["agreement", "country", "action", "date"], name="party_unique_action",
                violation_error_message="This country already has this action on this date "
                "for this agreement.",
            ),
        ]

    def __str__(self) -> str:
        country, agreement = related_label(self, "country"), related_label(self, "agreement")
        return f"{country} – {self.get_action_display()} – {agreement}"


class Clause(SearchDocument, CuratedRecord):
    search_fields = ("label", "text", "conditions")

    class Binding(models.TextChoices):
        BINDING = "binding", "binding"
        ASPIRATIONAL = "aspirational", "aspirational"

    requires_provenance = True

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="clauses", help_text="The agreement.",
    )
    label = models.CharField(
        max_length=200, help_text="Article number (Article 3) or a short heading; unique in its agreement.",
    )
    text = models.TextField(help_text="The clause's wording or a faithful paraphrase.")
    provision_types = models.ManyToManyField(
        ProvisionType, blank=True, related_name="clauses", help_text="What kinds of obligation it sets.",
    )
    conditions = models.TextField(
        blank=True, help_text='When the obligation applies, e.g. "in case of aggression by a third state".',
    )
    binding = models.CharField(
        max_length=15, choices=Binding.choices, default=Binding.BINDING,
        help_text="binding (an obligation) or aspirational (an intention).",
    )
    obligors = models.ManyToManyField(
        Country, blank=True, related_name="obligor_clauses",
        help_text="States the clause obliges; "
        "empty with no beneficiaries: every party to every other.",
    )
    beneficiaries = models.ManyToManyField(
        Country, blank=True, related_name="beneficiary_clauses",
        help_text="States the clause benefits; empty with no obligors: every party to every other.",
    )

    objects = CuratedQuerySet.as_manager()

    class Meta(CuratedRecord.Meta):
        ordering = ["agreement_id", "id"]
        constraints = [
            status_constraint("clause"),
            models.UniqueConstraint(fields=["agreement", "label"], name="clause_unique_label"),
        ]

    def __str__(self) -> str:
        return f"{related_label(self, 'agreement')}: {self.label}"
