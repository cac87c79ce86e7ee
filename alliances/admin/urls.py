"""The editors' pages that are not one model's: the review queue and the alliance network.
Included under /admin/ before the admin site's own URLs (config/urls.py); staff only."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.urls import path

from . import pictures, review

app_name = "alliances_admin"


def needs(permission: str, view):
    def guarded(request, *args, **kwargs):
        if not request.user.has_perm(permission):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return admin.site.admin_view(guarded)


urlpatterns = [
    path("review/", needs("alliances.view_agreement", review.review_queue_view), name="review-queue"),
    path("network/", needs("alliances.view_agreement", pictures.network_view), name="network"),
]
