from django.contrib import admin
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path


def favicon(request):
    """Browsers ask /favicon.ico of every page that names no icon (JSON answers, the network
    image): the admin's and the browsable API's pages name this one themselves."""
    return redirect(static("alliances/favicon.svg"))


urlpatterns = [
    # The review queue and the network picture; before the admin site, whose last pattern catches all.
    path("admin/", include("alliances.admin.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("alliances.api.urls")),
    path("favicon.ico", favicon),
]
