"""CSV downloads of the list endpoints: `?format=csv` or `Accept: text/csv`.

Every row the filters match (no pages), in the list's order, with the columns of the export
core's table for the resource (alliances.exports.tables.TABLES: one definition for the API,
the admin and the dataset), streamed in blocks from the database. The renderer below only
takes part in content negotiation: the list action returns the StreamingHttpResponse itself,
so no row goes through DRF's rendering, and any Response under it (an error) is rendered as
JSON by ApiViewSet.finalize_response.
"""

from rest_framework.renderers import BaseRenderer

from alliances.domain import registry
from alliances.domain.visibility import can_view_drafts
from alliances.exports.tables import TABLE_OF_MODEL, table_csv_response

from .pagination import ordering_keys


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        raise NotImplementedError("CSV is streamed by the view (alliances.api.csv.list_csv).")


def wants_csv(request) -> bool:
    return isinstance(getattr(request, "accepted_renderer", None), CSVRenderer)


def list_csv(queryset, user):
    """The filtered list as CSV, ordered as its JSON pages are (the ordering, then id); list
    columns leave out the drafts the user may not see, as the JSON embeds do."""
    keys = ordering_keys(queryset)
    ordered = queryset.order_by(*(key.expression(backwards=False) for key in keys))
    hidden = frozenset(model for model in registry.CURATED if not can_view_drafts(user, model))
    name = TABLE_OF_MODEL[queryset.model._meta.label_lower]
    return table_csv_response(name, ordered, order_by=None, drafts_hidden=hidden)
