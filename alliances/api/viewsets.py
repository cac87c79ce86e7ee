"""What every resource's viewset shares: strict query parameters, ETags and If-Match,
writes through the model's validation inside a transaction, and the history endpoint."""

import hashlib
import json

from django.conf import settings
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.utils.cache import get_conditional_response
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAcceptable, PermissionDenied, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.utils.encoders import JSONEncoder

from alliances.domain import publishing, visibility
from alliances.models import Status

from .csv import CSVRenderer, list_csv, wants_csv
from .exceptions import PayloadTooLarge, PreconditionFailed
from .numbers import ascii_int
from .permissions import codename
from .schema import ApiSchema

PAGINATION_PARAMS = ("cursor", "page_size")
ALWAYS_ACCEPTED = ("format",)


def etag_of(data) -> str:
    """A strong ETag: a digest of the representation the caller was given."""
    body = json.dumps(data, cls=JSONEncoder, sort_keys=True, separators=(",", ":"))
    return f'"{hashlib.sha256(body.encode()).hexdigest()[:40]}"'


class VersionSerializer(serializers.Serializer):
    history_id = serializers.IntegerField()
    history_date = serializers.DateTimeField()
    history_type = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    history_user = serializers.CharField(
        allow_null=True, help_text="Username of who made the change; null for anonymous callers.",
    )
    history_change_reason = serializers.CharField(
        allow_null=True, help_text="Why (an internal comment); null for anonymous callers.",
    )
    changed_fields = serializers.ListField(
        child=serializers.CharField(), help_text="Fields that differ from the previous version.",
    )


HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}
# Bookkeeping and the search document (derived from the other fields): not changes anyone made.
NOT_DIFFED = ["updated_at", "search_document"]


def versions(record, user) -> list[dict]:
    """A record's versions, newest first, each with the fields it changed since the one before.

    What the public is shown (alliances.domain.visibility): a caller who may not see drafts gets
    the published versions only (an earlier draft's wording never leaks), compared with each
    other, and no staff username or internal comment."""
    history = record.history.select_related("history_user").order_by("-history_date", "-history_id")
    staff = visibility.can_view_drafts(user, type(record))
    if not staff and hasattr(record, "status"):  # sources and provision types have no drafts
        history = history.filter(status=Status.PUBLISHED)
    history = list(history)
    rows = []
    # zip stops at the shorter list: no versions at all (seeded by a migration) gives no rows.
    for version, previous in zip(history, [*history[1:], None], strict=False):
        changed = []
        if previous is not None and version.history_type == "~":
            changed = sorted(version.diff_against(previous, excluded_fields=NOT_DIFFED).changed_fields)
        rows.append(
            {
                "history_id": version.history_id,
                "history_date": version.history_date,
                "history_type": HISTORY_TYPES[version.history_type],
                "history_user": version.history_user.get_username() if staff and version.history_user
                else None,
                "history_change_reason": version.history_change_reason if staff else None,
                "changed_fields": changed,
            }
        )
    return rows


def refuse_unknown_params(request, accepted) -> None:
    """A 400 naming the query parameters not in `accepted` (with the accepted ones)."""
    unknown = sorted(set(request.query_params) - set(accepted))
    if unknown:
        message = f"Unknown query parameter. Accepted: {', '.join(sorted(accepted))}."
        raise ValidationError({name: [message] for name in unknown})


class StrictQueryMixin:
    """Unknown query parameters are refused, and lists answer CSV too (alliances.api.csv)."""

    schema = ApiSchema()

    def accepted_query_params(self) -> set[str]:
        raise NotImplementedError

    def initial(self, request, *args, **kwargs):
        """django-filter ignores a parameter it does not know, and a misspelled filter would
        return everything: refuse it instead."""
        super().initial(request, *args, **kwargs)
        # Under WSGI the body is at most CONTENT_LENGTH bytes long (Django reads no further).
        if (ascii_int(request.META.get("CONTENT_LENGTH")) or 0) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            raise PayloadTooLarge()
        refuse_unknown_params(request, self.accepted_query_params())
        if wants_csv(request):
            paging = sorted(set(request.query_params) & set(PAGINATION_PARAMS))
            message = "A CSV download has every matching row, in one response: it takes no pages."
            if paging:
                raise ValidationError({name: [message] for name in paging})

    def get_renderers(self):
        renderers = super().get_renderers()
        return [*renderers, CSVRenderer()] if self.action == "list" else renderers

    def perform_content_negotiation(self, request, force=False):
        try:
            return super().perform_content_negotiation(request, force)
        except Http404:  # DRF's answer to a ?format= no renderer of this action has
            offered = ", ".join(renderer.format for renderer in self.get_renderers())
            raise NotAcceptable(f"Formats offered here: {offered}.") from None

    def finalize_response(self, request, response, *args, **kwargs):
        # A CSV list is a StreamingHttpResponse; a Response under the CSV renderer is an error.
        if isinstance(response, Response) and wants_csv(request):
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


class ApiViewSet(StrictQueryMixin, viewsets.ModelViewSet):
    lookup_value_regex = r"[0-9]+"
    list_serializer_class = None

    # Query parameters ------------------------------------------------------------------

    def accepted_query_params(self) -> set[str]:
        accepted = set(ALWAYS_ACCEPTED)
        if self.action == "list":
            accepted |= set(self.filterset_class.base_filters) | set(PAGINATION_PARAMS)
        return accepted

    def list(self, request, *args, **kwargs):
        if wants_csv(request):
            return list_csv(self.filter_queryset(self.get_queryset()), request.user)
        return super().list(request, *args, **kwargs)

    def get_serializer_class(self):
        if self.action == "list" and self.list_serializer_class is not None:
            return self.list_serializer_class
        return super().get_serializer_class()

    # Reads with ETags ------------------------------------------------------------------

    def detail_response(self, instance, status_code=status.HTTP_200_OK, headers=None) -> Response:
        data = self.get_serializer(instance).data
        return Response(data, status=status_code, headers={"ETag": etag_of(data), **(headers or {})})

    def retrieve(self, request, *args, **kwargs):
        response = self.detail_response(self.get_object())
        # Django's reading of RFC 9110: If-None-Match (`*` included) gives a 304 with the ETag.
        return get_conditional_response(request, etag=response["ETag"], response=response)

    def locked_object(self):
        """The record to write, its row locked until the write's transaction ends and read again
        after the lock, so that If-Match is compared with what is stored now: of two writers
        sending the same ETag, the second waits for the first and then gets 412."""
        instance = self.get_object()
        model = type(instance)
        list(model._default_manager.select_for_update().filter(pk=instance.pk).values_list("pk"))
        instance = self.get_object()
        self.check_precondition(instance)
        return instance

    def check_precondition(self, instance) -> None:
        """If-Match (and If-None-Match), compared by Django's conditional-request rules."""
        if not {"If-Match", "If-None-Match"} & set(self.request.headers):
            return
        etag = etag_of(self.get_serializer(instance).data)
        refused = get_conditional_response(self.request, etag=etag)
        if refused is not None and refused.status_code == status.HTTP_412_PRECONDITION_FAILED:
            raise PreconditionFailed()

    def refreshed(self, instance):
        """The record as a GET would show it (prefetches and visibility of get_queryset). A caller
        who may write but not read drafts is shown the draft just written, with what they may see."""
        queryset = self.get_queryset()
        found = queryset.filter(pk=instance.pk).first()
        if found is None:
            prefetch_related_objects([instance], *queryset._prefetch_related_lookups)
        return found or instance

    # Writes ----------------------------------------------------------------------------

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        instance = self.refreshed(serializer.instance)
        location = self.reverse_action("detail", args=[instance.pk])
        return self.detail_response(instance, status.HTTP_201_CREATED, {"Location": location})

    def update(self, request, *args, partial=False, **kwargs):
        with transaction.atomic():
            serializer = self.get_serializer(self.locked_object(), data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            self.perform_update(serializer)
        return self.detail_response(self.refreshed(serializer.instance))

    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            self.perform_destroy(self.locked_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    def perform_create(self, serializer):
        with transaction.atomic():
            serializer.save()

    def perform_update(self, serializer):
        with transaction.atomic():
            serializer.save()

    def perform_destroy(self, instance):
        instance._history_user = self.request.user  # the deleted row's history names its deleter
        with transaction.atomic():
            instance.delete()

    # History ---------------------------------------------------------------------------

    @extend_schema(responses=VersionSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request, *args, **kwargs):
        """The record's versions, newest first: who changed what, and when."""
        return Response(VersionSerializer(versions(self.get_object(), request.user), many=True).data)


class CuratedViewSet(ApiViewSet):
    """A curated record: drafts need the view permission, publishing the publish permission."""

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)

    def check_publish(self, old_status, new_status) -> None:
        model = self.get_queryset().model
        if publishing.publish_refusal(self.request.user, model, old_status, new_status):
            raise PermissionDenied(
                f"Only reviewers may publish: setting status to “{Status.PUBLISHED}” needs the "
                f"{codename(model, 'publish')} permission. Save the {model._meta.verbose_name} as "
                f"“{Status.REVIEW}” (awaiting review) instead."
            )

    def update(self, request, *args, partial=False, **kwargs):
        """An edit of a published record by someone who may not publish is stored as a pending
        change (202); the record, as the public sees it, is unchanged until a reviewer accepts."""
        with transaction.atomic():
            instance = self.locked_object()
            if not publishing.needs_review(request.user, instance):
                return super().update(request, *args, partial=partial, **kwargs)
            serializer = self.get_serializer(instance, data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            change = publishing.propose(instance, dict(serializer.validated_data), request.user)
        if change is None:
            return self.detail_response(self.refreshed(instance))
        location = reverse("api:pendingchange-detail", args=[change.pk], request=request)
        return Response(
            {"detail": f"The {instance._meta.verbose_name} is published: your change awaits a reviewer "
                       "and the public sees the published version until it is accepted.",
             "status": change.status, "pending_change": location},
            status=status.HTTP_202_ACCEPTED, headers={"Location": location},
        )

    def perform_create(self, serializer):
        self.check_publish(None, serializer.validated_data.get("status"))
        super().perform_create(serializer)

    def perform_update(self, serializer):
        old = serializer.instance.status
        self.check_publish(old, serializer.validated_data.get("status", old))
        super().perform_update(serializer)
