"""The OpenAPI description of what drf-spectacular cannot see: list endpoints also answer CSV
(`?format=csv` or `Accept: text/csv`), whose body is text, not the JSON page; and the error
responses each operation can give, with their one JSON shape (alliances.api.exceptions)."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

CSV_DESCRIPTION = (
    "CSV (`?format=csv` or `Accept: text/csv`): every row the filters match, in the list's order, "
    "streamed, with a header row; the columns are those of the dataset's file of the same name. "
    "`cursor` and `page_size` are refused (400): a CSV download has no pages."
)


ERROR_SCHEMA = {
    "type": "object",
    "description": "`detail` says what went wrong; bad input names each field instead, with its "
    "messages (a list of texts, or an object for a nested field).",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": {"anyOf": [{"type": "array", "items": {}}, {"type": "object"}]},
}
ERRORS = {
    "400": "Bad input: a field, filter value or unknown query parameter (messages by name).",
    "401": "The token or session given is not valid.",
    "403": "Signed in, but without the permission this needs.",
    "404": "No such record (or not one the caller may see).",
    "406": "No representation in the format asked for (`format` or `Accept`).",
    "409": "The write conflicts with other records (a unique value, records referring to it).",
    "412": "`If-Match` does not name the record's current ETag: fetch it again.",
    "413": "The request body is larger than the API takes.",
    "429": "Too many requests: wait for `Retry-After` seconds.",
}
WRITES = ("POST", "PUT", "PATCH", "DELETE")


def error_codes(method: str, path: str) -> list[str]:
    """The 4xx responses an operation can give."""
    codes = ["400", "401", "406", "429"]
    if "{" in path:
        codes.append("404")
    if method in WRITES:
        codes += ["403", "409", "413"]
    if method in WRITES[1:]:
        codes.append("412")
    return sorted(codes)


class ApiSchema(AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        component = ResolvedComponent(
            name="Error", type=ResolvedComponent.SCHEMA, object="Error", schema=ERROR_SCHEMA,
        )
        registry.register_on_missing(component)
        responses = operation["responses"]
        for code in error_codes(method, path):
            responses.setdefault(code, {
                "description": ERRORS[code], "content": {"application/json": {"schema": component.ref}},
            })
        if getattr(self.view, "action", None) == "retrieve":
            responses.setdefault("304", {"description": "Not modified: `If-None-Match` names the ETag."})
        return operation

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
