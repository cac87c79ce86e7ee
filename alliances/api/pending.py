"""`pending-changes`: edits of published records that wait for a reviewer
(alliances.domain.publishing). Read by the author and by whoever may read drafts of that kind of
record; accepted or rejected by reviewers. Anonymous callers see none."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from alliances.domain import publishing, registry
from alliances.domain.visibility import can_view_drafts
from alliances.models import ProposedChange

from .viewsets import StrictQueryMixin


class ProposedChangeSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:pendingchange-detail")
    record_type = serializers.CharField(source="content_type.model", read_only=True)
    record_id = serializers.IntegerField(source="object_id", read_only=True)
    author = serializers.CharField(
        source="author.get_username", default=None, read_only=True, allow_null=True,
    )
    decided_by = serializers.CharField(
        source="decided_by.get_username", default=None, read_only=True, allow_null=True,
        help_text="Username of the reviewer who decided; null while pending.",
    )
    # Plain text, not a choice: its values (pending, accepted, rejected) are not a record's status.
    status = serializers.CharField(read_only=True, help_text="pending, accepted or rejected.")

    class Meta:
        model = ProposedChange
        fields = ("id", "url", "record_type", "record_id", "data", "reason", "author", "created_at",
                  "status", "decided_by", "decided_at", "comment")
        read_only_fields = fields


class DecisionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class PendingChangeViewSet(StrictQueryMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ProposedChangeSerializer
    permission_classes = [permissions.IsAuthenticated]
    lookup_value_regex = r"[0-9]+"

    def accepted_query_params(self) -> set[str]:
        return {"format", "cursor", "page_size"} if self.action == "list" else {"format"}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator, without a database
            return ProposedChange.objects.none()
        user = self.request.user
        types = ContentType.objects.get_for_models(*registry.CURATED)
        readable = [types[model].pk for model in registry.CURATED if can_view_drafts(user, model)]
        return ProposedChange.objects.filter(Q(content_type__in=readable) | Q(author=user)).select_related(
            "content_type", "author", "decided_by"
        )

    def _decide(self, request, decision):
        change = self.get_object()
        if not publishing.may_publish(request.user, change.content_type.model_class()):
            raise PermissionDenied("Only reviewers may accept or reject proposed changes.")
        decision_data = DecisionSerializer(data=request.data)
        decision_data.is_valid(raise_exception=True)
        decision(change, request.user, decision_data.validated_data["comment"])
        change.refresh_from_db()
        return Response(self.get_serializer(change).data)

    @extend_schema(request=DecisionSerializer, responses=ProposedChangeSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, *args, **kwargs):
        """Apply the change to the published record (reviewers)."""
        return self._decide(request, publishing.accept)

    @extend_schema(request=DecisionSerializer, responses=ProposedChangeSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, *args, **kwargs):
        """Discard the change; the record stays as published (reviewers)."""
        return self._decide(request, publishing.reject)
