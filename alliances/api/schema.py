"""The OpenAPI description of what drf-spectacular cannot see: list endpoints also answer CSV
(`?format=csv` or `Accept: text/csv`), whose body is text, not the JSON page."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

CSV_DESCRIPTION = (
    "CSV (`?format=csv` or `Accept: text/csv`): every row the filters match, in the list's order, "
    "streamed, with a header row; the columns are those of the dataset's file of the same name. "
    "`cursor` and `page_size` are refused (400): a CSV download has no pages."
)


class ApiSchema(AutoSchema):
    def lists(self) -> bool:
        return getattr(self.view, "action", None) == "list" and self.method == "GET"

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if self.lists():
            parameters = [*parameters, OpenApiParameter(
                "format", str, enum=["json", "csv"],
                description="`csv`: the whole list as CSV (as `Accept: text/csv`).",
            )]
        return parameters

    def get_response_serializers(self):
        serializers = super().get_response_serializers()
        if not self.lists():
            return serializers
        return {
            (200, "application/json"): serializers,
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description=CSV_DESCRIPTION),
        }
