"""The citations' changelist, with the publishing rule of alliances: a deletion that would leave
a published record without a verified citation is refused on the confirmation page (Django's
list of protected objects), before anything is deleted. The sources app registers its admin
without knowing about published records; this one replaces it."""

from django.contrib import admin

from alliances.domain.publishing import left_unsupported, unsupported_reason
from sources.admin import CitationAdmin as SourcesCitationAdmin
from sources.models import Citation

from .base import OneSearchMixin


class CitationAdmin(OneSearchMixin, SourcesCitationAdmin):
    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        refused = [unsupported_reason(record) for record in left_unsupported(list(objs))]
        return deleted, counts, perms_needed, [*protected, *refused]


admin.site.unregister(Citation)
admin.site.register(Citation, CitationAdmin)
