"""The editors' admin: every curated model, its citations inline and the publishing rule.

Registration happens on import of the modules below (Django autodiscovers this package).
"""

from django.contrib import admin

import sources.admin  # noqa: F401  (registered before the CSV action is offered on it)

from . import agreements, citations, claims, reference, snapshots  # noqa: F401
from .actions import offer_csv_export

admin.site.site_header = "Alliance Register"
admin.site.site_title = "Alliance Register"
admin.site.index_title = "Curation"
# The index adds links to the review queue and the network picture (alliances/admin/urls.py).
admin.site.index_template = "alliances/admin/index.html"
# “Export selected as CSV” on every exported model's changelist (alliances/admin/actions.py).
offer_csv_export(admin.site)
