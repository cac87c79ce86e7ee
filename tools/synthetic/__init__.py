"""Synthetic data at scale, for benchmarks: deterministic for a seed, every quote anchored.

    generate(Scale.for_citations(1_000_000), seed=1)

writes a register of published records whose proportions follow ``scale.PER_MILLION``. The
sources' texts are made of synthetic sentences and every citation quotes a run of them, with
the offsets and context that ``Citation.anchor()`` would compute (tests re-anchor them all).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import connections, transaction

from alliances.bulk_loads import analyze, reset_sequences

from .generator import SYNTHETIC_URL, Generator, Report
from .scale import Scale

__all__ = [
    "GENERATOR_VERSION", "SYNTHETIC_URL", "Report", "Scale", "checksum", "generate", "holds_synthetic_data",
]

# Raise when a change makes the same seed give different rows, so that cached benchmark
# databases (bench/) are generated again instead of silently reused.
GENERATOR_VERSION = 1

# Tables and columns that define the data set; timestamps say when it was loaded, not what.
CHECKSUM_COLUMNS = {
    "alliances_country": "id, iso3, name",
    "alliances_agreement": "id, title, kind, legal_status, signed_on, signed_on_precision, in_force_on, "
    "ends_on, parent_id, organisation_id",
    "alliances_party": "id, agreement_id, country_id, action, date, date_precision, signed_by_id",
    "alliances_clause": "id, agreement_id, label, text, binding",
    "alliances_claim": "id, text, kind, claimant_id, claimed_on, claimed_on_precision, quantity_value, rank",
    "sources_source": "id, title, url, sha256, published_on, published_on_precision",
    "sources_citation": "id, source_id, content_type_id, object_id, field, start, end, quote, prefix, "
    "suffix, match, anchored_sha256",
}


def holds_synthetic_data(using: str = "default") -> bool:
    from sources.models import Source

    return Source.objects.using(using).filter(url__startswith=SYNTHETIC_URL).exists()


def generate(scale: Scale, seed: int, progress: Callable[[int], None] = lambda n: None,
             using: str = "default") -> Report:
    """Write the data set in one transaction; returns the row counts and the time taken."""
    started = time.perf_counter()
    with fast_bulk_load(using), transaction.atomic(using=using):
        generator = Generator(scale, seed, progress)
        counts = generator.run()
        reset_sequences(generator.writers, using)
    analyze(using)
    return Report(counts=counts, seconds=time.perf_counter() - started)


@contextmanager
def fast_bulk_load(using: str = "default") -> Iterator[None]:
    """On SQLite: no fsync during the load and a bigger page cache. The data is one
    transaction, so a crash leaves the database as it was; durability is back afterwards."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        yield
        return
    # SQLite refuses to change the safety level inside a transaction (the caller's, then).
    outermost = not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        synchronous = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size")
        cache_size = cursor.fetchone()[0]
        if outermost:
            cursor.execute("PRAGMA synchronous = OFF")
        cursor.execute("PRAGMA cache_size = -262144")  # 256 MiB
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if outermost:
                cursor.execute(f"PRAGMA synchronous = {int(synchronous)}")
            cursor.execute(f"PRAGMA cache_size = {int(cache_size)}")


def checksum(using: str = "default") -> str:
    """SHA-256 over the defining columns of the main tables, in id order."""
    digest = hashlib.sha256()
    with connections[using].cursor() as cursor:
        for table, columns in CHECKSUM_COLUMNS.items():
            quoted = ", ".join(f'"{name.strip()}"' for name in columns.split(","))
            cursor.execute(f'SELECT {quoted} FROM "{table}" ORDER BY "id"')
            while rows := cursor.fetchmany(10_000):
                digest.update(repr(rows).encode())
    return digest.hexdigest()
