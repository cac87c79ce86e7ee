"""A citation's context is the anchoring's: computed from the source's text, shown, never
round-tripped through a form. A stored citation saved with its passage unchanged keeps its anchor;
an occurrence context (admin) or a prefix/suffix given anew (API) chooses a repeated quote's
occurrence once."""

import pytest
from django.urls import reverse

from sources.anchoring import AmbiguousQuote, QuoteNotFound, anchor_fragment, anchor_quote, same_context
from sources.models import Citation
from tests.conftest import make_agreement, make_source, make_user, token_client
from tests.test_admin_round_trip import change_form

pytestmark = pytest.mark.django_db

API = "/api/v1"
CITATIONS = "sources-citation-content_type-object_id"
# The repeated passage, each time after a line break, which a one-line input would drop.
TEXT = (
    "Article 1\nThe parties consult each other.\nSee the annex.\n\n"
    "Article 2\nThe parties consult each other.\nEnd."
)
QUOTE = "The parties consult each other."
SECOND = TEXT.rindex(QUOTE)


def second_occurrence(record):
    source = make_source(text=TEXT)
    citation = Citation(source=source, record=record, quote=QUOTE)
    citation.occurrence_context = "Article 2"
    citation.full_clean()
    citation.save()
    return citation


def anchor_of(citation) -> tuple:
    citation.refresh_from_db()
    return citation.start, citation.end, citation.prefix, citation.suffix, citation.updated_at


# --- anchoring ---------------------------------------------------------------------------------


def test_beside_picks_the_occurrence_by_the_words_on_either_side():
    assert anchor_quote(TEXT, QUOTE, beside="Article 2").start == SECOND
    assert anchor_quote(TEXT, QUOTE, beside="Article  2").start == SECOND  # whitespace aside
    assert anchor_quote(TEXT, QUOTE, beside="End.").start == SECOND  # the words after it
    assert anchor_fragment(TEXT, "The parties,each other.", beside="Article 1").start == TEXT.index(QUOTE)
    with pytest.raises(AmbiguousQuote, match="even with the given context"):
        anchor_quote("a x b, b x a", "x", beside="a")  # either side, so both
    with pytest.raises(QuoteNotFound, match='right before or after "Article 3"'):
        anchor_quote(TEXT, QUOTE, beside="Article 3")


def test_contexts_compare_as_words_whatever_a_form_did_to_their_line_breaks():
    assert same_context("each other.\n\nArticle 2\n", "each other.Article 2")
    assert same_context("“yes” — no", '"yes" - no')
    assert not same_context("Article 2", "Article 1")


# --- the model ---------------------------------------------------------------------------------


def test_a_stored_citation_saved_with_mangled_context_keeps_its_anchor():
    citation = second_occurrence(make_agreement())
    assert (citation.start, citation.prefix) == (SECOND, TEXT[SECOND - 32:SECOND])
    before = anchor_of(citation)
    stored = Citation.objects.get(pk=citation.pk)
    stored.prefix = stored.prefix.replace("\n", "")  # what a one-line input sends back
    stored.quote = QUOTE.replace(" ", "\r\n", 1)  # a textarea's CRLF: the same passage
    stored.full_clean()
    stored.save()
    assert anchor_of(citation)[:4] == before[:4]
    assert Citation.objects.get(pk=citation.pk).quote == QUOTE  # the source's own spelling kept


def test_a_changed_quote_is_anchored_without_the_old_quotes_context():
    citation = second_occurrence(make_agreement())
    citation.quote = "Article 2"  # once in the text; the stored prefix belonged to the old quote
    citation.full_clean()
    start = TEXT.index("Article 2")
    assert (citation.start, citation.prefix) == (start, TEXT[start - 32:start])


# --- the admin ---------------------------------------------------------------------------------


def test_an_inline_save_leaves_an_unchanged_citation_unanchored_and_unsaved(django_app):
    agreement = make_agreement()
    citation = second_occurrence(agreement)
    before = anchor_of(citation)
    form = change_form(django_app, make_user("root", superuser=True), type(agreement), agreement.pk)
    assert f"{CITATIONS}-0-prefix" not in form.fields  # the context is shown, not an input
    form["summary"] = "Consultations in two articles."
    assert form.submit("_continue").status_code == 302
    assert anchor_of(citation) == before


def test_the_occurrence_context_picks_the_second_occurrence_once_and_renders_empty(django_app):
    agreement, source = make_agreement(), make_source(text=TEXT)
    user = make_user("root", superuser=True)
    form = change_form(django_app, user, type(agreement), agreement.pk)
    form[f"{CITATIONS}-0-source"].force_value(str(source.pk))  # the autocomplete's choice
    form[f"{CITATIONS}-0-quote"] = QUOTE
    refused = form.submit("_continue")
    assert "occurs 2 times; context" in refused.text and not Citation.objects.exists()

    form = refused.forms["agreement_form"]
    form[f"{CITATIONS}-0-occurrence_context"] = "Article 2"
    assert form.submit("_continue").status_code == 302
    citation = Citation.objects.get()
    assert (citation.start, citation.end) == (SECOND, SECOND + len(QUOTE))

    form = change_form(django_app, user, type(agreement), agreement.pk)
    assert form[f"{CITATIONS}-0-occurrence_context"].value == ""
    assert form.submit("_continue").status_code == 302
    assert Citation.objects.get().start == SECOND


def test_the_citation_page_shows_the_context_and_moves_the_citation_once(django_app):
    citation = second_occurrence(make_agreement())
    user = make_user("root", superuser=True)
    url = reverse("admin:sources_citation_change", args=[citation.pk])
    page = django_app.get(url, user=user)
    assert "prefix" not in page.forms["citation_form"].fields
    shown = page.html.select_one(".fieldBox.field-context_before code").get_text()
    assert shown == TEXT[SECOND - 32:SECOND].replace("\n", "⏎")
    assert page.html.select_one(".fieldBox.field-match .readonly").get_text().strip() == "exact"

    form = page.forms["citation_form"]
    form["occurrence_context"] = "Article 1"
    assert form.submit("_continue").status_code == 302
    citation.refresh_from_db()
    assert citation.start == TEXT.index(QUOTE)
    assert django_app.get(url, user=user).forms["citation_form"]["occurrence_context"].value == ""


def test_the_empty_inline_row_claims_nothing_about_verification(django_app):
    agreement = make_agreement()
    second_occurrence(agreement)
    page = django_app.get(reverse("admin:alliances_agreement_change", args=[agreement.pk]),
                          user=make_user("root", superuser=True))
    rows = page.html.select(f"#{CITATIONS}-group tbody tr.form-row")
    badges = [" ".join(row.select_one("td.field-anchor").get_text().split()) for row in rows]
    assert badges[0] == "verified" and all(badge in ("", "-") for badge in badges[1:]), badges
    assert "unverified" not in page.html.select_one(f"#{CITATIONS}-group").get_text()


# --- the API -----------------------------------------------------------------------------------


def test_an_api_put_or_patch_of_an_unchanged_passage_keeps_its_anchor():
    citation = second_occurrence(make_agreement())
    before = anchor_of(citation)
    api = token_client(make_user("editor", "editors"))
    url = f"{API}/citations/{citation.pk}/"
    body = api.get(url).json()
    assert (body["prefix"], body["start"]) == (TEXT[SECOND - 32:SECOND], SECOND)
    put = api.put(url, body, format="json")
    assert put.status_code == 200, put.content
    mangled = {"prefix": body["prefix"].replace("\n", ""), "field": "summary"}  # an HTML form's
    response = api.patch(url, mangled, format="json")
    assert response.status_code == 200, response.content.decode()
    assert response.json()["prefix"] == body["prefix"] and anchor_of(citation)[:4] == before[:4]


def test_an_api_prefix_chooses_the_occurrence_of_a_new_or_changed_quote():
    agreement, source = make_agreement(), make_source(text=TEXT)
    api = token_client(make_user("editor", "editors"))
    new = {"source": source.pk, "record_type": "agreement", "record_id": agreement.pk, "quote": QUOTE}
    assert "occurs 2 times" in api.post(f"{API}/citations/", new, format="json").json()["quote"][0]
    created = api.post(f"{API}/citations/", {**new, "prefix": "Article 2"}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["start"] == SECOND
    moved = api.patch(created.json()["url"], {"prefix": "Article 1"}, format="json")
    assert moved.status_code == 200, moved.content.decode()
    assert moved.json()["start"] == TEXT.index(QUOTE)
