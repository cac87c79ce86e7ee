"""Every record of the curated register saves through the admin's own pages.

For every record of every model of ours in the admin (the curated dataset as `make run` loads it,
the sources, the provision types) and for every citation, the change page is fetched as the
browser gets it, its form parsed and submitted back (WebTest submits a rendered form the way a
browser does: hidden inputs, selected options, textareas as served). Unchanged, the save must
succeed and change nothing; with one harmless change (an added alias, a reason for the change,
an occurrence context that names the stored occurrence) it must succeed and change only that.
"""

from io import StringIO

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from sources.models import Citation
from tests.conftest import make_user
from tests.test_curated import needs_seeds

pytestmark = [needs_seeds, pytest.mark.django_db]

OURS = [model for model in admin.site._registry if model._meta.app_label in ("sources", "alliances")]
PARTS = 4  # each model's records in this many tests, so that a parallel run shares them out
# HTML: these inputs' values lose their line breaks ("value sanitization"); a textarea's line
# breaks are sent as CRLF. WebTest sends what the page holds; a browser does not.
ONE_LINE = ("text", "search", "tel", "password", "url", "email")
ALIAS = "Round-trip alias"
REASON = "Round trip through the admin"


def snapshot() -> dict:
    """Every stored value of our models but the save time, by model and id."""
    return {
        model._meta.label: {
            row["id"]: row for row in model.objects.order_by("pk").values(*columns(model))
        }
        for model in OURS
    }


def columns(model) -> list[str]:
    # search_document is derived from the others, the save time changes with every save.
    skipped = ("updated_at", "search_document")
    return [field.attname for field in model._meta.concrete_fields if field.name not in skipped]


def problems(response) -> str:
    """What the admin said went wrong, as an editor reads it."""
    found = [
        " ".join(node.get_text(" ").split())
        for node in response.html.select(".errornote, .errorlist")
    ]
    return "; ".join(found) or f"status {response.status_code}"


def change_form(app, user, model, pk):
    """The page's form with the values a browser would send for it, as served."""
    page = app.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[pk]),
                   user=user)
    form = page.forms[f"{model._meta.model_name}_form"]
    for field in (field for fields in form.fields.values() for field in fields):
        if field.tag == "textarea":  # WebTest parses it as a Text field
            field.value = field.value.replace("\r\n", "\n").replace("\n", "\r\n")
        elif field.tag == "input" and field.attrs.get("type", "text") in ONE_LINE:
            field.value = field.value.replace("\r", "").replace("\n", "")
    return form


def harmless_change(form, model, row: dict) -> dict:
    """Make one harmless change in the form; returns the row as it should be stored afterwards."""
    expected = dict(row)
    if "aliases" in form.fields:
        form["aliases"] = "\n".join([*row["aliases"], ALIAS])
        expected["aliases"] = [*row["aliases"], ALIAS]
    if "change_reason" in form.fields:
        form["change_reason"] = REASON
    if model is Citation:
        # The words just before the passage (or after it, at the text's start) pick the occurrence
        # it already has: anchored again, it stays where it was.
        form["occurrence_context"] = row["prefix"] or row["suffix"]
    return expected


def round_trip(app, user, model, pk) -> list[str]:
    label = f"{model._meta.verbose_name} #{pk} ({model._default_manager.get(pk=pk)})"
    before = snapshot()
    response = change_form(app, user, model, pk).submit("_continue")
    if response.status_code != 302:
        return [f"{label}, saved unchanged: {problems(response)}"]
    if (after := snapshot()) != before:
        return [f"{label}, saved unchanged, changed: {differences(before, after)}"]
    form = change_form(app, user, model, pk)
    expected = harmless_change(form, model, before[model._meta.label][pk])
    response = form.submit("_continue")
    if response.status_code != 302:
        return [f"{label}, saved with a harmless change: {problems(response)}"]
    before[model._meta.label][pk] = expected
    if (after := snapshot()) != before:
        return [f"{label}, saved with a harmless change, changed: {differences(before, after)}"]
    return []


def differences(before: dict, after: dict) -> str:
    def short(value) -> str:
        return repr(value) if len(repr(value)) <= 80 else repr(value)[:79] + "…"

    changed = []
    for label, rows in after.items():
        for pk, row in rows.items():
            old = before[label].get(pk, {})
            changed += [
                f"{label} #{pk}.{name}: {short(old.get(name))} -> {short(value)}"
                for name, value in row.items() if old.get(name) != value
            ]
        changed += [f"{label} #{pk} deleted" for pk in before[label].keys() - rows.keys()]
    return "; ".join(changed)


@pytest.fixture(scope="module")
def curated(django_db_setup, django_db_blocker):
    """The curated dataset as `make run` loads it, once for the module: each test runs in a
    savepoint of this transaction (as in Django's TestCase.setUpTestData), rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_curated", stdout=StringIO())
        make_user("root", superuser=True)
        yield
        transaction.set_rollback(True)


@pytest.mark.parametrize("part", range(PARTS))
@pytest.mark.parametrize("model", OURS, ids=lambda model: model._meta.model_name)
def test_every_record_saves_through_its_admin_page(curated, django_app, model, part):
    user = get_user_model().objects.get(username="root")
    records = list(model.objects.order_by("pk").values_list("pk", flat=True))[part::PARTS]
    failures = [failure for pk in records for failure in round_trip(django_app, user, model, pk)]
    assert not failures, f"{len(failures)} of {len(records)} records fail:\n" + "\n".join(failures)


def test_the_walk_covers_the_curated_dataset(curated):
    counts = {model._meta.model_name: model.objects.count() for model in OURS}
    assert counts["citation"] > 250 and counts["claim"] > 100 and counts["agreement"] > 15
    assert all(counts.values()), counts
