"""Every error under /api/ answers JSON: field messages for bad input, never an HTML page."""

import logging

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from alliances.domain.publishing import LeftUnsupported
from config.database_unavailable import unreachable

logger = logging.getLogger(__name__)


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = (
        "The record changed since you read it (If-Match does not match its ETag): fetch it again."
    )
    default_code = "precondition_failed"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"

    def __init__(self):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        super().__init__(f"The request body is larger than the API takes: at most {limit} bytes.")


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The write conflicts with another record."
    default_code = "conflict"


def django_validation_error(error: DjangoValidationError) -> exceptions.ValidationError:
    """The model's full_clean() refusal, as DRF's 400 with the same field messages."""
    if hasattr(error, "error_dict"):
        detail = {
            api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field: messages
            for field, messages in error.message_dict.items()
        }
    else:
        detail = {api_settings.NON_FIELD_ERRORS_KEY: error.messages}
    return exceptions.ValidationError(detail)


def exception_handler(exc, context):
    if unreachable(exc):
        # config.database_unavailable answers 503 for every URL; other database errors are bugs.
        return None
    if isinstance(exc, DjangoValidationError):
        exc = django_validation_error(exc)
    elif isinstance(exc, LeftUnsupported):
        exc = Conflict(exc.args[0])
    elif isinstance(exc, ProtectedError | RestrictedError):
        referring = sorted({str(type(obj)._meta.verbose_name_plural) for obj in exc.args[1]})
        exc = Conflict(f"It cannot be deleted: other records refer to it ({', '.join(referring)}).")
    elif isinstance(exc, IntegrityError):
        # A race past full_clean(): another request wrote the same unique values first.
        exc = Conflict()
    response = drf_exception_handler(exc, context)
    if response is None and not settings.DEBUG:
        logger.exception("Unhandled error in %s", context.get("view"), exc_info=exc)
        return Response({"detail": "Internal server error."}, status=status.HTTP_500_INTERNAL_SERVER_ERROR)
    return response


@csrf_exempt  # a POST to an unknown path is a 404 too, not the CSRF failure page
def not_found(request, *args, **kwargs):
    """Unknown URLs under /api/: a JSON 404 (a GET missing its trailing slash is redirected)."""
    if request.method in ("GET", "HEAD") and not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not not_found:
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(request.path + "/" + (f"?{query}" if query else ""))
    return JsonResponse({"detail": "Not found."}, status=404)
