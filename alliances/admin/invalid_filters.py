"""A changelist filtered by a regular expression the database refuses (`?title__regex=(`) is the
client's mistake: a 400 page saying so, not a 500 (PostgreSQL: SQLSTATE 2201B) or a false 503
(SQLite runs Python's `re` in a user function, whose failure is an OperationalError)."""

from django.db import DatabaseError
from django.shortcuts import render

REGEX_LOOKUPS = ("__regex", "__iregex")
SQLITE_FUNCTION_FAILED = "user-defined function raised exception"


def invalid_regex(error: BaseException) -> bool:
    return isinstance(error, DatabaseError) and (
        getattr(error.__cause__, "sqlstate", None) == "2201B" or SQLITE_FUNCTION_FAILED in str(error)
    )


class InvalidRegexMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        filters = sorted(name for name in request.GET if name.endswith(REGEX_LOOKUPS))
        if not filters or not invalid_regex(exception):
            return None
        context = {"title": "Invalid filter", "filters": filters, "path": request.path}
        return render(request, "admin/invalid_filter.html", context, status=400)
