"""Stored texts with CR line endings (pasted in the admin before every way in stored LF) get LF
line endings, and the citations anchored in them move with their passages.

Dropping the CR of each CRLF is a known map of offsets: every start and end moves back by the
number of CRs dropped before it, and a lone CR becomes an LF in place. So each citation keeps
exactly its passage, which re-anchoring by quote and context cannot promise (two occurrences
whose context differs only in a line ending would tie, and an exact match would become a
normalised one). Prefix and suffix are taken again from the new text, the anchor's SHA-256 is
the new text's, and every row changed here gets a history entry saying why.

Two sources whose texts differ only in line endings would hold the same text afterwards, which
the unique SHA-256 forbids: the migration then stops, naming them, and changes nothing.
"""

import re
from bisect import bisect_left

from django.core.management.base import CommandError
from django.db import migrations
from django.utils import timezone

from sources.models import stored_text, text_sha256

CONTEXT_LENGTH = 32  # Citation.CONTEXT_LENGTH when this migration was written
REASON = "Line endings normalised to LF"


def moved(offset, dropped):
    """The offset in the text without the CRs at `dropped` (sorted offsets in the old text)."""
    return None if offset is None else offset - bisect_left(dropped, offset)


def normalise_line_endings(apps, schema_editor):
    Source = apps.get_model("sources", "Source")
    Citation = apps.get_model("sources", "Citation")
    changed = [source for source in Source.objects.filter(text__contains="\r").order_by("pk")]
    if not changed:
        return
    refuse_duplicates(Source, changed)
    now = timezone.now()
    for source in changed:
        old_sha256, old_text = source.sha256, source.text
        dropped = [match.start() for match in re.finditer("\r\n", old_text)]
        source.text = stored_text(old_text)
        source.sha256 = text_sha256(source.text)
        source.save(update_fields=["text", "sha256", "updated_at"])
        record_history(apps, "HistoricalSource", source, now)
        for citation in Citation.objects.filter(source_id=source.pk).order_by("pk"):
            move_citation(citation, source, old_sha256, dropped)
            citation.save()
            record_history(apps, "HistoricalCitation", citation, now)


def refuse_duplicates(Source, changed):
    first_with, clashes = {}, []
    for source in changed:
        sha256 = text_sha256(stored_text(source.text))
        twin = first_with.get(sha256) or Source.objects.filter(sha256=sha256).first()
        first_with.setdefault(sha256, source)
        if twin is not None:
            clashes.append(f'#{twin.pk} "{twin.title}" and #{source.pk} "{source.title}"')
    if clashes:
        raise CommandError(
            "These sources hold the same text apart from its line endings: "
            + "; ".join(clashes)
            + ". Keep one of each pair (move the other's citations to it, then delete the other) "
            "and run migrate again."
        )


def move_citation(citation, source, old_sha256, dropped):
    citation.quote = stored_text(citation.quote)
    citation.text_fragment = stored_text(citation.text_fragment)
    if citation.start is None:
        citation.prefix, citation.suffix = stored_text(citation.prefix), stored_text(citation.suffix)
        return
    # Passages never begin or end with a line break, so no offset falls inside a CRLF.
    citation.start, citation.end = moved(citation.start, dropped), moved(citation.end, dropped)
    text = source.text
    citation.prefix = text[max(0, citation.start - CONTEXT_LENGTH):citation.start]
    citation.suffix = text[citation.end:citation.end + CONTEXT_LENGTH]
    if citation.anchored_sha256 == old_sha256:
        citation.anchored_sha256 = source.sha256


def record_history(apps, history_model, row, now):
    History = apps.get_model("sources", history_model)
    kept = {field.attname for field in History._meta.concrete_fields}  # the search document is not
    History.objects.create(
        **{field.attname: getattr(row, field.attname) for field in row._meta.concrete_fields
           if field.attname in kept},
        history_date=now, history_type="~", history_change_reason=REASON,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0003_history_change_reason_text"),
    ]

    operations = [
        migrations.RunPython(normalise_line_endings, migrations.RunPython.noop),
    ]
