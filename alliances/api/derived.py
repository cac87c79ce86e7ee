"""The derived, read-only files of the export core as API resources: `dyad-years`,
`state-years`, `members` (member level) and `agreement-level`, in JSON pages or as CSV.

One view class serves them all; the router's basename names the file. Each takes the filters
of its export function (validated here, 400 for a bad value, bonds.InvalidFilter for a code
that names nothing) and reads the agreements, party actions and clauses the caller may see:
published ones for anonymous callers, as the other resources. The rows are computed whole (the
Party rule runs over every agreement), so JSON pages keep the `{next, previous, results}`
shape and `cursor`/`page_size` parameters of the other lists, with a cursor that is a position
in the file. CSV (`?format=csv`, `Accept: text/csv`) is the whole file, streamed.
"""

from dataclasses import dataclass
from itertools import islice
from types import ModuleType

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny

from alliances.domain import visibility
from alliances.exports import agreement_level, dyad_years, members, state_years
from alliances.exports.bonds import InvalidFilter
from alliances.exports.csv_stream import csv_response
from alliances.models import Agreement, Clause, Country, Party

from .csv import wants_csv
from .numbers import QueryIntegerField
from .pagination import KeysetCursorPagination
from .schema import ApiSchema
from .viewsets import ALWAYS_ACCEPTED, PAGINATION_PARAMS, StrictQueryMixin

country = serializers.RegexField(
    r"^[A-Za-z]{2,3}$", required=False, help_text="ISO 3166-1 alpha-2 or alpha-3 code, e.g. UZ or UZB.",
    error_messages={"invalid": "Give an ISO alpha-2 or alpha-3 code."},
)
provision = serializers.CharField(
    required=False, max_length=100,
    help_text="Provision type slug or ATOP variable (defense, offense, neutral, nonagg, consul).",
)


def year(words: str) -> QueryIntegerField:
    return QueryIntegerField(required=False, min_value=1, max_value=9999, help_text=words)


class MembersQuery(serializers.Serializer):
    country = country


class AgreementLevelQuery(serializers.Serializer):
    provision = provision


class StateYearsQuery(serializers.Serializer):
    country = country
    year_from = year("First year (default: the earliest in the data).")
    year_to = year("Last year (default: the current year).")
    provision = provision

    def validate(self, data):
        if data.get("year_from") and data.get("year_to") and data["year_from"] > data["year_to"]:
            raise ValidationError({"year_to": ["Give a year on or after year_from."]})
        return data


class DyadYearsQuery(StateYearsQuery):
    directed = serializers.BooleanField(
        required=False, default=False,
        help_text="true: directed dyads (obligor to beneficiary); default: non-directed "
        "(lower COW code first).",
    )


@dataclass(frozen=True)
class DerivedFile:
    module: ModuleType  # records(**filters) -> (FileSpec, rows) and spec()
    query: type[serializers.Serializer]
    reads: tuple[str, ...]  # which base querysets records() takes
    description: str


READS = {"agreements": Agreement, "parties": Party, "clauses": Clause, "countries": Country}
FILES = {
    "dyad-years": DerivedFile(
        dyad_years, DyadYearsQuery, ("agreements", "parties", "clauses", "countries"),
        "Country dyads per year in which both are bound by a common agreement (COW / ATOP style).",
    ),
    "state-years": DerivedFile(
        state_years, StateYearsQuery, ("agreements", "parties", "clauses", "countries"),
        "Countries per year in which they are bound by at least one agreement.",
    ),
    "members": DerivedFile(
        members, MembersQuery, ("agreements", "parties", "countries"),
        "Member level: one row per country per agreement it joined, with entry and exit.",
    ),
    "agreement-level": DerivedFile(
        agreement_level, AgreementLevelQuery, ("agreements", "parties", "clauses"),
        "One row per agreement that can bind: members, span, provision flags.",
    ),
}


# Far beyond any file's length (a page there is empty), and within what islice() takes.
MAX_POSITION = 2**31


class PositionPagination(KeysetCursorPagination):
    """The page shape of the other lists over rows computed in memory: the cursor holds the
    position of the page's first row in the file."""

    def paginate_rows(self, rows, request) -> list:
        self.request = request
        size = self.get_page_size(request)
        start = self.position(request)
        page = list(islice(rows, start, start + size + 1))
        self.next = self.link(start + size) if len(page) > size else None
        self.previous = self.link(max(start - size, 0)) if start else None
        return page[:size]

    def link(self, position: int) -> str:
        return self.cursor_link({"o": position})

    def position(self, request) -> int:
        data = self.cursor_data(request)
        if data is None:
            return 0
        position = data.get("o") if isinstance(data, dict) else None
        if type(position) is not int or not 0 <= position <= MAX_POSITION:
            raise self.invalid_cursor()
        return position


def row_schema(file: DerivedFile) -> dict:
    """A row of the file, from its columns (the provision flags vary with the taxonomy)."""
    if file.module is members:
        specs = [members.spec()]
    elif file.module is dyad_years:  # ?directed=true names the sides a and b instead of 1 and 2
        specs = [dyad_years.spec([]), dyad_years.spec([], directed=True)]
    else:
        specs = [file.module.spec([])]
    properties = {
        column.name: {"type": "integer" if column.type == "integer" else "string", "nullable": True,
                      "description": column.description}
        for spec in specs for column in spec.columns
    }
    schema = {"type": "object", "properties": properties}
    if file.module is not members:
        schema["additionalProperties"] = {
            "type": "integer", "enum": [0, 1],
            "description": "One 0/1 flag per provision type: defense, offense, neutral, nonagg, consul, "
            "then the other types by slug.",
        }
    return schema


class DerivedFileSchema(ApiSchema):
    def get_override_parameters(self):
        return [*super().get_override_parameters(), self.view.file.query]

    def get_response_serializers(self):
        return {
            (200, "application/json"): row_schema(self.view.file),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description=self.view.file.description),
        }

    def get_description(self):
        return self.view.file.description

    def get_operation_id(self):
        return f"{self.view.basename.replace('-', '_')}_list"


class DerivedFileViewSet(StrictQueryMixin, viewsets.ViewSet):
    """A derived file (FILES[basename]): JSON pages or the whole file as CSV."""

    permission_classes = [AllowAny]  # read-only: the only action is list
    pagination_class = PositionPagination
    schema = DerivedFileSchema()

    @property
    def file(self) -> DerivedFile:
        return FILES[self.basename]

    def accepted_query_params(self) -> set[str]:
        return {*ALWAYS_ACCEPTED, *PAGINATION_PARAMS, *self.file.query().fields}

    def list(self, request, *args, **kwargs):
        query = self.file.query(data=request.query_params)
        query.is_valid(raise_exception=True)
        bases = {name: visibility.of(READS[name], self.request.user) for name in self.file.reads}
        try:
            spec, rows = self.file.module.records(**bases, **query.validated_data)
        except InvalidFilter as error:
            raise ValidationError({error.name: [str(error)]}) from None
        if wants_csv(request):
            return csv_response(spec.render(rows), spec.filename)
        paginator = self.pagination_class()
        page = paginator.paginate_rows(rows, request)
        return paginator.get_paginated_response([{name: row[name] for name in spec.header} for row in page])

