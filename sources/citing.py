"""Citing from a selection on the Source page: find the record to cite, and turn the selected
passage into a verified Citation.

The browser sends the passage as the editor selected it (quote, and its start/end offsets in the
stored text, in code points: the page's text is the stored text, whose line endings are LF). The
server never trusts the offsets: they only choose the occurrence (as prefix/suffix context, and
as the start that settles a tie between occurrences with the same context), and
Citation.full_clean() anchors the quote as for any other citation, refusing one that is not in the
source with a message naming it.
"""

from dataclasses import dataclass

from django.contrib.admin import AdminSite
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from . import anchoring
from .models import Citation, Source

# The records a passage usually supports come first in the search results.
PREFERRED_ORDER = ["agreement", "clause", "claim", "membership", "party"]
RESULTS_PER_MODEL = 6


def search_records(request, admin_site: AdminSite, content_types, term: str) -> list[dict]:
    """Records of the citable models the user may see that match `term`, found the way each
    model's admin searches its changelist (names, titles, aliases), or by id ("#12" or "12")."""
    term = term.strip()
    if not term:
        return []
    wanted_id = term.lstrip("#")
    ordered = sorted(content_types, key=lambda ct: (
        PREFERRED_ORDER.index(ct.model) if ct.model in PREFERRED_ORDER else len(PREFERRED_ORDER), ct.model,
    ))
    results = []
    for content_type in ordered:
        model = content_type.model_class()
        model_admin = admin_site._registry.get(model)
        if model_admin is None or not model_admin.has_view_permission(request):
            continue
        # The related records each label reads (a party names its country and agreement).
        queryset = model_admin.get_queryset(request).select_related(*model_admin.list_select_related or ())
        found, duplicates = model_admin.get_search_results(request, queryset, term)
        records = list((found.distinct() if duplicates else found)[:RESULTS_PER_MODEL])
        if wanted_id.isdigit():
            by_id = list(queryset.filter(pk=int(wanted_id)))
            records = by_id + [record for record in records if record not in by_id]
        label = model._meta.verbose_name
        results += [
            {
                "content_type": content_type.pk, "object_id": record.pk, "model": content_type.model,
                "label": f"{label} #{record.pk}: {record}", "status": getattr(record, "status", ""),
            }
            for record in records
        ]
    return results


@dataclass(frozen=True)
class Selection:
    quote: str
    start: int | None = None
    end: int | None = None


def selection_context(text: str, selection: Selection) -> tuple[str, str, str, int | None]:
    """(quote, prefix, suffix, start) to anchor. When the offsets hold the quote (as the browser
    read it: whitespace, quotes and dashes aside), the stored spelling, 32 characters of context
    on each side and its start pin that occurrence; otherwise (the editor edited the quote) the
    quote alone."""
    start, end = selection.start, selection.end
    if (
        isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)
        and anchoring.normalize(text[start:end]) == anchoring.normalize(selection.quote)
    ):
        context = Citation.CONTEXT_LENGTH
        return text[start:end], text[max(0, start - context):start], text[end:end + context], start
    return selection.quote, "", "", None


def cite_selection(
    source: Source, content_type: ContentType, object_id: int, selection: Selection, field: str = "",
) -> Citation:
    """A new, anchored and validated citation of the selected passage (not yet saved).

    Raises ValidationError with field-level messages (quote, object_id, field) when refused.
    """
    model = content_type.model_class()
    if not model._default_manager.filter(pk=object_id).exists():
        raise ValidationError({"object_id": f"There is no {model._meta.verbose_name} #{object_id}."})
    quote, prefix, suffix, start = selection_context(source.text, selection)
    citation = Citation(
        source=source, content_type=content_type, object_id=object_id, field=field,
        quote=quote, prefix=prefix, suffix=suffix, start=start,
    )
    citation.full_clean()
    return citation
