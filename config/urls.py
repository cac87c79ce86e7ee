from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    # The review queue and the network picture; before the admin site, whose last pattern catches all.
    path("admin/", include("alliances.admin.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("alliances.api.urls")),
]
