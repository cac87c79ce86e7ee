"""What a bulk load owes the query planner."""

from collections.abc import Iterable

from django.core.management.color import no_style
from django.db import connections, models


def reset_sequences(written: Iterable[type[models.Model]], using: str = "default") -> None:
    """Rows went in with explicit ids: move PostgreSQL's id sequences past them (SQLite needs
    nothing, it numbers after the largest rowid)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), list(written)):
            cursor.execute(statement)


def analyze(using: str = "default") -> None:
    """Gather the planner's statistics after a bulk load. Without them SQLite takes any
    equality on an indexed column as selective, and answers `status = 'published' AND
    agreement_id IN (...)` by the status index: every row, when all are published (a nested
    page of agreements took 90 ms more at a million citations). PostgreSQL's autovacuum would
    get there too, later."""
    with connections[using].cursor() as cursor:
        cursor.execute("ANALYZE")
