"""The v1 resources. Each get_queryset() loads what its serializer shows, in a fixed number of
queries whatever the page size (pinned by tests/test_api_queries.py)."""

import functools
import operator

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Prefetch, Q
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from alliances.domain import publishing, registry
from alliances.domain.visibility import can_view_drafts
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
from sources.models import Citation, Source

from . import filters, serializers
from .serializers import SnapshotRequestSerializer, SnapshotSerializer
from .viewsets import ApiViewSet, CuratedViewSet, refuse_unknown_params


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema; an unknown query parameter is a 400 here too."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        refuse_unknown_params(request, ("format", "lang"))

    def finalize_response(self, request, response, *args, **kwargs):
        if getattr(response, "exception", False):  # an error is JSON, not an OpenAPI document
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


# Embedded lists are prefetched into plain lists (to_attr): a prefetch into the related manager
# builds a queryset per record, about two thousand on a page of nested agreements.


def citations():
    """Embedded citations with their source's title (never its whole text)."""
    return Prefetch(
        "citations", queryset=Citation.objects.select_related("source").defer("source__text"),
        to_attr="citation_list",
    )


class CountryViewSet(CuratedViewSet):
    queryset = Country.objects.all()
    serializer_class = serializers.CountrySerializer
    filterset_class = filters.CountryFilterSet

    def get_queryset(self):
        return super().get_queryset().prefetch_related(citations())


class OrganisationViewSet(CuratedViewSet):
    queryset = Organisation.objects.all()
    serializer_class = serializers.OrganisationSerializer
    filterset_class = filters.OrganisationFilterSet

    def get_queryset(self):
        return super().get_queryset().prefetch_related(citations())


class MembershipViewSet(CuratedViewSet):
    queryset = Membership.objects.all()
    serializer_class = serializers.MembershipSerializer
    filterset_class = filters.MembershipFilterSet

    def get_queryset(self):
        return super().get_queryset().select_related("country").prefetch_related(citations())


class PersonViewSet(CuratedViewSet):
    queryset = Person.objects.all()
    serializer_class = serializers.PersonSerializer
    filterset_class = filters.PersonFilterSet

    def get_queryset(self):
        return super().get_queryset().select_related("country", "organisation").prefetch_related(citations())


class AgreementViewSet(CuratedViewSet):
    """Agreements embed their parties' actions and their clauses (those the caller may see)."""

    queryset = Agreement.objects.all()
    serializer_class = serializers.AgreementSerializer
    filterset_class = filters.AgreementFilterSet

    def get_queryset(self):
        # The clauses' lists as lookups of this queryset, not of the clauses' queryset: Django
        # would run those twice (once evaluating the clauses, once more walking them).
        user = self.request.user
        return super().get_queryset().select_related("parent", "organisation").prefetch_related(
            citations(),
            Prefetch("parties", queryset=Party.objects.visible_to(user).select_related("country"),
                     to_attr="party_list"),
            Prefetch("clauses", queryset=Clause.objects.visible_to(user), to_attr="clause_list"),
            Prefetch("clause_list__provision_types", to_attr="provision_type_list"),
            Prefetch("clause_list__obligors", to_attr="obligor_list"),
            Prefetch("clause_list__beneficiaries", to_attr="beneficiary_list"),
        )


class PartyViewSet(CuratedViewSet):
    queryset = Party.objects.all()
    serializer_class = serializers.PartySerializer
    filterset_class = filters.PartyFilterSet

    def get_queryset(self):
        return super().get_queryset().select_related("country", "signed_by").prefetch_related(citations())


class ClauseViewSet(CuratedViewSet):
    queryset = Clause.objects.all()
    serializer_class = serializers.ClauseSerializer
    filterset_class = filters.ClauseFilterSet

    def get_queryset(self):
        return super().get_queryset().prefetch_related(
            citations(), "provision_types", "obligors", "beneficiaries"
        )


class ProvisionTypeViewSet(ApiViewSet):
    queryset = ProvisionType.objects.all()
    serializer_class = serializers.ProvisionTypeSerializer
    filterset_class = filters.ProvisionTypeFilterSet


class ClaimViewSet(CuratedViewSet):
    """Claims embed their claimant and their subjects (those the caller may see)."""

    queryset = Claim.objects.all()
    serializer_class = serializers.ClaimSerializer
    filterset_class = filters.ClaimFilterSet

    def get_queryset(self):
        user = self.request.user
        return super().get_queryset().prefetch_related(
            citations(),
            Prefetch("claimant", queryset=Person.objects.visible_to(user), to_attr="visible_claimant"),
            Prefetch("subject_countries", queryset=Country.objects.visible_to(user)),
            Prefetch("subject_organisations", queryset=Organisation.objects.visible_to(user)),
            Prefetch("subject_agreements", queryset=Agreement.objects.visible_to(user)),
            Prefetch("contradicts", queryset=Claim.objects.visible_to(user)),
        )


class SourceViewSet(ApiViewSet):
    """Sources are public: they are what the published records cite. Lists leave out the text."""

    queryset = Source.objects.all()
    serializer_class = serializers.SourceSerializer
    list_serializer_class = serializers.SourceListSerializer
    filterset_class = filters.SourceFilterSet

    def get_queryset(self):
        queryset = super().get_queryset()
        return queryset.defer("text") if self.action == "list" else queryset

    def perform_update(self, serializer):
        if "text" in serializer.validated_data:
            publishing.refuse_text_change(serializer.instance, serializer.validated_data["text"])
        super().perform_update(serializer)

    @extend_schema(request=SnapshotRequestSerializer, responses=SnapshotSerializer)
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def snapshot(self, request, *args, **kwargs):
        """A corrected text as a new snapshot of this source: the citations that re-anchor in it
        move there. Without `confirm`, only says what would happen (which published records
        would lose support); with `confirm: true`, stores it (201)."""
        if not request.user.has_perm("sources.add_source"):
            raise PermissionDenied("Storing a new snapshot needs the sources.add_source permission.")
        source = self.get_object()
        asked = SnapshotRequestSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        text, confirm = asked.validated_data["text"], asked.validated_data["confirm"]
        if confirm:
            snapshot, plan = publishing.new_snapshot(source, text, request.user)
        else:
            snapshot, plan = None, publishing.snapshot_plan(source, text)
        found = {"snapshot": snapshot, "plan": plan}
        body = SnapshotSerializer(found, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED if confirm else status.HTTP_200_OK)


class CitationViewSet(ApiViewSet):
    """Citations of the records the caller may see: for anonymous callers, of published ones."""

    queryset = Citation.objects.all()
    serializer_class = serializers.CitationSerializer
    filterset_class = filters.CitationFilterSet

    def get_queryset(self):
        queryset = super().get_queryset().select_related("source").defer("source__text")
        user = self.request.user
        models = registry.CURATED
        content_types = ContentType.objects.get_for_models(*models)
        # Written as what is hidden (citations of other types, and of records the caller may
        # not see), so that the database reads the table in id order and stops at a page:
        # the same rows as "cites a visible record", without sorting them all first. A
        # correlated EXISTS looks up each row's record by its key; `object_id IN (published
        # ids)` would collect every published record first (80 ms at a million citations).
        hidden = [~Q(content_type__in=content_types.values())] + [
            Q(content_type=content_types[model])
            & ~Q(Exists(model.objects.published().filter(pk=OuterRef("object_id"))))
            for model in models
            if not can_view_drafts(user, model)
        ]
        return queryset.exclude(functools.reduce(operator.or_, hidden))
