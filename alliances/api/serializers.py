"""Serializers of the v1 resources.

Writes validate exactly as the admin does: the serializer only converts types, then the model's
own full_clean() (field validators, clean(), constraints, the publishing rule) decides. A Django
ValidationError becomes a 400 with field messages in alliances.api.exceptions.
"""

from django.contrib.contenttypes.models import ContentType
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from alliances.domain import registry
from alliances.models import (
    Agreement,
    Claim,
    Clause,
    Country,
    Membership,
    Organisation,
    Party,
    Person,
    ProvisionType,
)
from sources.models import Citation, Source, stored_text

from .fields import (
    CountryField,
    DetailURLField,
    OptionalURLField,
    PartialDateField,
    VisiblePrimaryKeyField,
    WikidataField,
    detail_urls,
    precision_field,
)

TIMESTAMPS = ("created_at", "updated_at")


def api_url(basename: str) -> DetailURLField:
    return DetailURLField(view_name=f"api:{basename}-detail")


class RecordSerializer(serializers.ModelSerializer):
    """Base of every resource's serializer: type conversion here, validation in the model."""

    class Meta:
        # Uniqueness and constraints are checked by full_clean(), with the model's messages.
        validators = []

    def create(self, validated_data):
        many, fields = self._split(validated_data)
        return self._save(self.Meta.model(**fields), many)

    def update(self, instance, validated_data):
        many, fields = self._split(validated_data)
        for name, value in fields.items():
            setattr(instance, name, value)
        return self._save(instance, many)

    def _split(self, validated_data: dict) -> tuple[dict, dict]:
        m2m = {field.name for field in self.Meta.model._meta.many_to_many}
        many = {name: value for name, value in validated_data.items() if name in m2m}
        fields = {name: value for name, value in validated_data.items() if name not in m2m}
        return many, fields

    def _save(self, instance, many: dict):
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            # Recorded by django-simple-history as the author of this version (token auth too).
            instance._history_user = request.user
        instance.full_clean()
        instance.save()
        for name, values in many.items():
            getattr(instance, name).set(values)
        return instance


class CitationEmbedSerializer(serializers.ModelSerializer):
    source_title = serializers.CharField(source="source.title", read_only=True)
    verified = serializers.BooleanField(read_only=True)

    class Meta:
        model = Citation
        fields = ("id", "source", "source_title", "quote", "start", "end", "field", "verified")
        read_only_fields = fields


class CuratedSerializer(RecordSerializer):
    """A curated record: status, timestamps and its embedded citations."""

    citations = CitationEmbedSerializer(many=True, read_only=True, source="citation_list")

    class Meta(RecordSerializer.Meta):
        read_only_fields = TIMESTAMPS


def optional_reference(model, name: str) -> VisiblePrimaryKeyField:
    """An optional reference by id: null where it points at a record the caller may not see."""
    field = model._meta.get_field(name)
    return VisiblePrimaryKeyField(
        queryset=field.related_model._default_manager.all(), required=False, allow_null=True,
        help_text=f"{field.help_text} Null where not published.",
    )


def curated_fields(*fields: str) -> tuple[str, ...]:
    return ("id", "url", *fields, "note", "status", *TIMESTAMPS, "citations")


class CountrySerializer(CuratedSerializer):
    url = api_url("country")
    wikidata_qid = WikidataField()

    class Meta(CuratedSerializer.Meta):
        model = Country
        fields = curated_fields("name", "iso2", "iso3", "cow_code", "wikidata_qid", "aliases")


class OrganisationSerializer(CuratedSerializer):
    url = api_url("organisation")
    wikidata_qid = WikidataField()
    founded_on = PartialDateField()
    founded_on_precision = precision_field()

    class Meta(CuratedSerializer.Meta):
        model = Organisation
        fields = curated_fields(
            "name", "acronym", "aliases", "kind", "founded_on", "founded_on_precision", "wikidata_qid",
        )


class MembershipSerializer(CuratedSerializer):
    url = api_url("membership")
    country = CountryField()
    joined_on = PartialDateField()
    joined_on_precision = precision_field()
    left_on = PartialDateField()
    left_on_precision = precision_field()

    class Meta(CuratedSerializer.Meta):
        model = Membership
        fields = curated_fields(
            "organisation", "country", "role",
            "joined_on", "joined_on_precision", "left_on", "left_on_precision",
        )


class PersonSerializer(CuratedSerializer):
    url = api_url("person")
    wikidata_qid = WikidataField()
    country = CountryField(required=False, allow_null=True)
    organisation = optional_reference(Person, "organisation")

    class Meta(CuratedSerializer.Meta):
        model = Person
        fields = curated_fields(
            "name", "aliases", "affiliation", "country", "organisation", "wikidata_qid",
        )


class ProvisionTypeSerializer(RecordSerializer):
    url = api_url("provisiontype")

    class Meta(RecordSerializer.Meta):
        model = ProvisionType
        fields = ("id", "url", "slug", "name", "description", "atop_variable", "cow_type")


@extend_schema_field(OpenApiTypes.STR)  # read from a prefetched list: no model field to describe it
class ProvisionTypeSlugField(serializers.SlugRelatedField):
    pass


def provision_types_field(**kwargs) -> serializers.SlugRelatedField:
    if kwargs.get("read_only"):
        field = ProvisionTypeSlugField
    else:
        field, kwargs["queryset"] = serializers.SlugRelatedField, ProvisionType.objects.all()
    return field(slug_field="slug", many=True, help_text="Provision types, by slug.", **kwargs)


class PartyEmbedSerializer(serializers.ModelSerializer):
    url = api_url("party")
    country = CountryField(read_only=True)
    date = PartialDateField(read_only=True)
    date_precision = precision_field()

    class Meta:
        model = Party
        fields = ("id", "url", "country", "action", "date", "date_precision", "status")
        read_only_fields = fields


class ClauseEmbedSerializer(serializers.ModelSerializer):
    url = api_url("clause")
    provision_types = provision_types_field(read_only=True, source="provision_type_list")
    obligors = CountryField(many=True, read_only=True, source="obligor_list")
    beneficiaries = CountryField(many=True, read_only=True, source="beneficiary_list")

    class Meta:
        model = Clause
        fields = (
            "id", "url", "label", "text", "provision_types", "conditions", "binding",
            "obligors", "beneficiaries", "status",
        )
        read_only_fields = fields


class AgreementSerializer(CuratedSerializer):
    url = api_url("agreement")
    signed_on = PartialDateField()
    signed_on_precision = precision_field()
    in_force_on = PartialDateField()
    in_force_on_precision = precision_field()
    ends_on = PartialDateField()
    ends_on_precision = precision_field()
    parties = PartyEmbedSerializer(many=True, read_only=True, source="party_list")
    clauses = ClauseEmbedSerializer(many=True, read_only=True, source="clause_list")
    parent = optional_reference(Agreement, "parent")
    organisation = optional_reference(Agreement, "organisation")

    class Meta(CuratedSerializer.Meta):
        model = Agreement
        fields = curated_fields(
            "title", "short_name", "aliases", "kind", "legal_status",
            "signed_on", "signed_on_precision", "signed_at", "in_force_on", "in_force_on_precision",
            "ends_on", "ends_on_precision", "parent", "summary", "organisation", "atopid", "cow_id",
            "parties", "clauses",
        )


class PartySerializer(CuratedSerializer):
    url = api_url("party")
    country = CountryField()
    date = PartialDateField()
    date_precision = precision_field()
    signed_by = optional_reference(Party, "signed_by")

    class Meta(CuratedSerializer.Meta):
        model = Party
        fields = curated_fields("agreement", "country", "action", "date", "date_precision", "signed_by")


class ClauseSerializer(CuratedSerializer):
    url = api_url("clause")
    provision_types = provision_types_field(required=False)
    obligors = CountryField(many=True, required=False)
    beneficiaries = CountryField(many=True, required=False)

    class Meta(CuratedSerializer.Meta):
        model = Clause
        fields = curated_fields(
            "agreement", "label", "text", "provision_types", "conditions", "binding",
            "obligors", "beneficiaries",
        )


class ClaimantSerializer(serializers.ModelSerializer):
    url = api_url("person")

    class Meta:
        model = Person
        fields = ("id", "url", "name", "affiliation")
        read_only_fields = fields


class SubjectsSerializer(serializers.Serializer):
    """What a claim is about; written and read as one object."""

    countries = CountryField(source="subject_countries", many=True, required=False)
    organisations = serializers.PrimaryKeyRelatedField(
        source="subject_organisations", queryset=Organisation.objects.all(), many=True, required=False,
    )
    agreements = serializers.PrimaryKeyRelatedField(
        source="subject_agreements", queryset=Agreement.objects.all(), many=True, required=False,
    )


class ClaimSerializer(CuratedSerializer):
    url = api_url("claim")
    claimant = ClaimantSerializer(
        read_only=True, allow_null=True, source="visible_claimant",
        help_text="Who made the claim; null: the source itself (or a person not published yet).",
    )
    claimant_id = serializers.PrimaryKeyRelatedField(
        source="claimant", queryset=Person.objects.all(), required=False, allow_null=True,
        write_only=True, help_text="Id of the person who made the claim; null: the source itself.",
    )
    claimed_on = PartialDateField()
    claimed_on_precision = precision_field()
    subjects = SubjectsSerializer(source="*", required=False)
    period_start = PartialDateField()
    period_start_precision = precision_field()
    period_end = PartialDateField()
    period_end_precision = precision_field()

    class Meta(CuratedSerializer.Meta):
        model = Claim
        fields = curated_fields(
            "text", "kind", "claimant", "claimant_id", "claimed_on", "claimed_on_precision", "subjects",
            "quantity_value", "quantity_unit", "quantity_bound", "period_start", "period_start_precision",
            "period_end", "period_end_precision", "rank", "rank_reason", "contradicts",
        )


class SourceSerializer(RecordSerializer):
    """A source document. `document_url` is where it was published (the model's `url`)."""

    url = api_url("source")
    document_url = OptionalURLField(source="url", help_text="Where the document was published.")
    published_on = PartialDateField()
    published_on_precision = precision_field()

    class Meta(RecordSerializer.Meta):
        model = Source
        fields = (
            "id", "url", "title", "publisher", "author", "document_url", "published_on",
            "published_on_precision", "retrieved_on", "language", "kind", "text", "sha256", *TIMESTAMPS,
        )
        read_only_fields = ("sha256", *TIMESTAMPS)

    def validate_text(self, value: str) -> str:
        return stored_text(value)


class SourceListSerializer(SourceSerializer):
    """Lists leave out the stored text: fetch a source's detail for it."""

    class Meta(SourceSerializer.Meta):
        fields = tuple(name for name in SourceSerializer.Meta.fields if name != "text")


class RecordTypeField(serializers.ChoiceField):
    """The cited record's type, by model name (agreement, claim, ...); stored as a content type."""

    def __init__(self, **kwargs):
        super().__init__(choices=sorted(registry.by_name()), **kwargs)

    def get_attribute(self, instance):
        return ContentType.objects.get_for_id(instance.content_type_id).model

    def to_internal_value(self, data):
        return ContentType.objects.get_for_model(registry.by_name()[super().to_internal_value(data)])


# A citation's place: API field, model attribute.
CITED_WHERE = (("source", "source"), ("record_type", "content_type"), ("record_id", "object_id"))


class CitationSerializer(RecordSerializer):
    url = api_url("citation")
    source_title = serializers.CharField(source="source.title", read_only=True)
    record_type = RecordTypeField(source="content_type")
    record_id = serializers.IntegerField(source="object_id", min_value=1)
    record_url = serializers.SerializerMethodField()
    verified = serializers.BooleanField(read_only=True)

    class Meta(RecordSerializer.Meta):
        model = Citation
        fields = (
            "id", "url", "source", "source_title", "record_type", "record_id", "record_url", "field",
            "quote", "text_fragment", "prefix", "suffix", "start", "end", "match", "verified",
            "anchored_sha256", *TIMESTAMPS,
        )
        read_only_fields = ("start", "end", "match", "anchored_sha256", *TIMESTAMPS)
        # The anchoring computes the context; a client's chooses an occurrence (Citation.clean).
        extra_kwargs = {
            name: {"help_text": f"Up to 32 characters of text {where} the passage, as anchored. Sent "
                   "with a new or changed quote, or differing from the stored one, it chooses which "
                   "occurrence of a repeated quote is meant (W3C TextQuoteSelector); otherwise ignored."}
            for name, where in (("prefix", "before"), ("suffix", "after"))
        }

    def get_record_url(self, citation) -> str:
        model = ContentType.objects.get_for_id(citation.content_type_id).model
        return detail_urls(self.context)(f"api:{model}-detail", citation.object_id)

    def validate(self, attrs):
        if self.instance is not None:
            # As in the admin: a citation is corrected, not moved (which could leave the record
            # it supported without one, and would rewrite what its history says it supported).
            moved = {
                name: "A citation cannot be moved to another source or record: cite there anew."
                for name, attr in CITED_WHERE
                if attr in attrs and attrs[attr] != getattr(self.instance, attr)
            }
            if moved:
                raise serializers.ValidationError(moved)
        content_type = attrs.get("content_type", getattr(self.instance, "content_type", None))
        object_id = attrs.get("object_id", getattr(self.instance, "object_id", None))
        model = content_type.model_class()
        if not model._default_manager.filter(pk=object_id).exists():
            raise serializers.ValidationError(
                {"record_id": f"There is no {model._meta.verbose_name} with id {object_id}."}
            )
        return attrs


class SnapshotRequestSerializer(serializers.Serializer):
    text = serializers.CharField(trim_whitespace=False, help_text="The corrected text.")
    confirm = serializers.BooleanField(
        default=False, help_text="Store it; without, only say what storing it would do.",
    )


class SnapshotSerializer(serializers.Serializer):
    """What a new snapshot does (or would do): citations moved to it, citations left on the old
    one, and the published records none of whose citations moves."""

    snapshot = SourceListSerializer(allow_null=True, help_text="The new source, once stored.")
    moving = serializers.SerializerMethodField()
    staying = serializers.SerializerMethodField()
    losing_support = serializers.SerializerMethodField()

    def get_moving(self, value) -> list[int]:
        return [citation.pk for citation in value["plan"].moving]

    def get_staying(self, value) -> list[int]:
        return [citation.pk for citation in value["plan"].staying]

    def get_losing_support(self, value) -> list[dict]:
        return [{"record_type": record._meta.model_name, "record_id": record.pk, "label": str(record)}
                for record in value["plan"].losing]
