"""/api/: version 1 on one router, its schema and docs, and a JSON 404 for anything else.

The docs are Swagger UI served from drf-spectacular-sidecar's static files (no CDN); ReDoc is
left out because its page loads web fonts from Google.
"""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from . import derived, network, pending, views
from .exceptions import not_found

app_name = "api"

router = DefaultRouter()
router.register("countries", views.CountryViewSet, basename="country")
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("memberships", views.MembershipViewSet, basename="membership")
router.register("persons", views.PersonViewSet, basename="person")
router.register("agreements", views.AgreementViewSet, basename="agreement")
router.register("parties", views.PartyViewSet, basename="party")
router.register("clauses", views.ClauseViewSet, basename="clause")
router.register("provision-types", views.ProvisionTypeViewSet, basename="provisiontype")
router.register("claims", views.ClaimViewSet, basename="claim")
router.register("sources", views.SourceViewSet, basename="source")
router.register("citations", views.CitationViewSet, basename="citation")
router.register("pending-changes", pending.PendingChangeViewSet, basename="pendingchange")
# Derived, read-only files of the dataset: one view, the basename names the file.
for name in derived.FILES:
    router.register(name, derived.DerivedFileViewSet, basename=name)

v1 = [
    path("schema/", views.SchemaView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("network.svg", network.network_svg, name="network-svg"),
    path("", include(router.urls)),
]

urlpatterns = [
    path("v1/", include(v1)),
    re_path(r"", not_found),
]
