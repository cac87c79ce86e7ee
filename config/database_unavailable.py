"""A database that does not answer is a 503 (try again shortly), never a 500 with a traceback.

While PostgreSQL restarts or a network link drops, every request would fail with
django.db.OperationalError or InterfaceError. This middleware answers them with
503 Service Unavailable and a Retry-After header: JSON under /api/, a short plain page elsewhere.
Once the database is back, the next request reconnects (CONN_HEALTH_CHECKS drops the dead
persistent connection), without restarting the application.

It acts at two points:
- before the view: the request's database connection is opened (or health-checked) first, so a
  database that is down is reported before any view or middleware half-runs;
- an exception from a view (admin, API: its exception handler passes outages on), when the
  driver's error says the database cannot be reached (`unreachable`). A missing table or a bad
  query is a bug, not an outage: it stays a logged 500.
"""

import logging

from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse

logger = logging.getLogger(__name__)

UNAVAILABLE = (OperationalError, InterfaceError)
# PostgreSQL SQLSTATEs of a server that cannot take the request now: class 08 (connection
# exception) and admin shutdown, crash shutdown, cannot connect now (starting up), too many
# connections. Client-side failures (refused, closed, timed out) carry no SQLSTATE.
UNREACHABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300")
# SQLite primary result codes of a file that cannot be used now: BUSY, LOCKED, IOERR, CANTOPEN.
UNREACHABLE_SQLITE_CODES = {5, 6, 10, 14}
RETRY_AFTER_SECONDS = 5
MESSAGE = "The database is unavailable. Try again in a few seconds."


def unreachable(error: BaseException) -> bool:
    """Whether a database error means the database cannot be reached (vs. a bug in a query)."""
    if not isinstance(error, UNAVAILABLE):
        return False
    cause = error.__cause__  # the driver's exception, which Django wraps
    if hasattr(cause, "sqlite_errorcode"):
        return cause.sqlite_errorcode & 0xFF in UNREACHABLE_SQLITE_CODES
    if cause is not None and hasattr(cause, "sqlstate"):
        return cause.sqlstate is None or cause.sqlstate.startswith(UNREACHABLE_SQLSTATES)
    return False


def unavailable(request, error=None) -> HttpResponse:
    logger.warning("503 for %s %s: database unavailable (%s)", request.method, request.path,
                   str(error).strip().splitlines()[0] if error else "connection lost")
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": MESSAGE}, status=503)
    else:
        response = HttpResponse(MESSAGE, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def connect(alias: str = DEFAULT_DB_ALIAS) -> None:
    """Open the connection, or check the persistent one still works (once per request, the
    check CONN_HEALTH_CHECKS would run on the first query anyway)."""
    connection = connections[alias]
    connection.close_if_health_check_failed()
    connection.ensure_connection()


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            connect()
        except UNAVAILABLE as error:
            return unavailable(request, error)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if unreachable(exception):
            return unavailable(request, exception)
        return None
