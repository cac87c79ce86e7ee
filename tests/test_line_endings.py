"""A source's text is stored with LF line endings, whichever way it comes in: the admin's form (a
browser submits CRLF), the API, manage.py ingest_source and the model itself; the SHA-256 is the
LF text's. Texts stored with CR before are normalised by a migration that moves their citations
with them.
"""

from html.parser import HTMLParser
from io import StringIO

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from alliances.models import Agreement
from sources.models import Citation, Source, stored_text, text_sha256
from tests.conftest import cite, make_agreement, make_source, token_client

pytestmark = pytest.mark.django_db

LF_TEXT = "Caspian Courier\n\nThe ministers met in Baku.\nThey agreed to meet twice a year."
CRLF_TEXT = LF_TEXT.replace("\n", "\r\n")


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("a\r\nb", "a\nb"),
        ("a\rb", "a\nb"),
        ("a\r\r\nb\n\rc", "a\n\nb\n\nc"),
        ("no breaks", "no breaks"),
    ],
)
def test_crlf_and_lone_cr_become_lf(text, stored):
    assert stored_text(text) == stored


def test_the_model_stores_lf_and_hashes_the_lf_text():
    source = Source(title="Saved without full_clean", text=CRLF_TEXT)
    source.save()
    source.refresh_from_db()
    assert (source.text, source.sha256) == (LF_TEXT, text_sha256(LF_TEXT))


def test_the_same_text_with_other_line_endings_is_a_duplicate():
    make_source(title="First", text=LF_TEXT)
    duplicate = Source(title="Second", text=CRLF_TEXT)
    with pytest.raises(Exception, match="already stored as source"):
        duplicate.full_clean()


def test_the_database_refuses_a_cr_that_bypasses_the_model():
    source = make_source(text=LF_TEXT)
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.filter(pk=source.pk).update(text=CRLF_TEXT)


def test_a_nul_character_is_refused():
    with pytest.raises(Exception, match="Null characters are not allowed"):
        make_source(text="before\x00after")


# --- the admin, through the form it renders ------------------------------------------------------


class FormValues(HTMLParser):
    """The values a browser submits for the page's <form id=...>: inputs, textareas, selects."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.values = form_id, False, {}
        self.textarea = self.select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or (not attrs.get("name") and tag != "option"):
            return
        if tag == "input" and attrs.get("type") not in ("submit", "checkbox", "radio", "file"):
            self.values[attrs["name"]] = attrs.get("value", "")
        elif tag == "input" and attrs.get("type") == "checkbox" and "checked" in attrs:
            self.values[attrs["name"]] = attrs.get("value", "on")
        elif tag == "textarea":
            self.textarea = attrs["name"]
            self.values[self.textarea] = ""
        elif tag == "select":
            self.select = attrs["name"]
        elif tag == "option" and self.select and "selected" in attrs:
            self.values[self.select] = attrs.get("value", "")

    def handle_data(self, data):
        if self.textarea:
            self.values[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self.textarea:
            # The HTML parser drops the newline right after <textarea>; a browser submits CRLF.
            name = self.textarea
            self.values[name] = self.values[name].removeprefix("\n").replace("\n", "\r\n")
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "form":
            self.inside = False


def rendered_form(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200
    parser = FormValues("source_form")
    parser.feed(response.content.decode())
    return parser.values


def test_admin_add_form_stores_a_pasted_crlf_text_as_lf(client, superuser):
    client.force_login(superuser)
    values = rendered_form(client, "/admin/sources/source/add/")
    values.update(title="Pasted in the admin", text=CRLF_TEXT, _continue="1")
    response = client.post("/admin/sources/source/add/", values)
    assert response.status_code == 302, response.content.decode()[:2000]
    source = Source.objects.get()
    assert (source.text, source.sha256) == (LF_TEXT, text_sha256(LF_TEXT))


def test_admin_change_form_resubmitted_as_a_browser_does_changes_no_text(client, superuser):
    source = make_source(text=LF_TEXT + "\n")  # as a file ends
    citation = cite(make_agreement(), source, quote="They agreed to meet twice a year.")
    client.force_login(superuser)
    url = f"/admin/sources/source/{source.pk}/change/"
    values = rendered_form(client, url)
    assert values["text"] == CRLF_TEXT + "\r\n"  # the textarea, submitted with CRLF
    response = client.post(url, {**values, "_continue": "1"})
    assert response.status_code == 302, response.content.decode()[:2000]
    source.refresh_from_db()
    assert source.text == LF_TEXT + "\n"
    assert LogEntry.objects.get().get_change_message() == "No fields changed."
    assert Citation.objects.get().updated_at == citation.updated_at


# --- the API, manage.py ingest_source -------------------------------------------------------------


def test_api_post_and_patch_store_lf(editor):
    api = token_client(editor)
    response = api.post("/api/v1/sources/", {"title": "Posted", "text": CRLF_TEXT}, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["text"], response.json()["sha256"]) == (LF_TEXT, text_sha256(LF_TEXT))
    pk = response.json()["id"]
    patched = "Corrected\r\nsecond line\rthird line"
    response = api.patch(f"/api/v1/sources/{pk}/", {"text": patched}, format="json")
    assert response.status_code == 200, response.content
    source = Source.objects.get(pk=pk)
    assert (source.text, source.sha256) == (stored_text(patched), text_sha256(stored_text(patched)))


def test_ingest_source_stores_a_crlf_file_as_lf(tmp_path):
    path = tmp_path / "article.txt"
    path.write_bytes(CRLF_TEXT.encode("utf-8"))
    out = StringIO()
    call_command("ingest_source", str(path), "--title", "From a CRLF file", stdout=out)
    source = Source.objects.get()
    assert (source.text, source.sha256) == (LF_TEXT, text_sha256(LF_TEXT))
    assert f"sha256 {text_sha256(LF_TEXT)}" in out.getvalue()
    (tmp_path / "unix.txt").write_bytes(LF_TEXT.encode("utf-8"))
    with pytest.raises(CommandError, match="already stored"):
        call_command("ingest_source", str(tmp_path / "unix.txt"), "--title", "Same text", stdout=out)


def test_ingest_source_refuses_a_nul(tmp_path):
    path = tmp_path / "article.txt"
    path.write_bytes(b"before\x00after")
    with pytest.raises(CommandError, match="text: Null characters are not allowed"):
        call_command("ingest_source", str(path), "--title", "NUL", stdout=StringIO())


# --- texts stored with CR before: the migration ---------------------------------------------------

BEFORE = ("sources", "0003_history_change_reason_text")


@pytest.fixture
def old_schema():
    """The database as it was before the migration (then migrated forward again)."""
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    yield executor.loader.project_state([BEFORE]).apps
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def migrate_forward():
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_normalises_stored_crs_and_moves_citations_with_their_passages(old_schema):
    OldSource = old_schema.get_model("sources", "Source")
    OldCitation = old_schema.get_model("sources", "Citation")
    text = "Title\r\n\r\nmutual aid, said one.\r\nLater: mutual aid, said one.\rEnd"
    old = OldSource.objects.create(title="Pasted", text=text, sha256=text_sha256(text))
    agreement_type = ContentType.objects.get_for_model(Agreement).pk
    spans = [(text.index("mutual aid"), "mutual aid"), (text.index("Later: mutual aid, said one."), None)]
    for start, quote in spans:
        quote = quote or "Later: mutual aid, said one.\rEnd"
        OldCitation.objects.create(
            source_id=old.pk, content_type_id=agreement_type, object_id=1, quote=quote, start=start,
            end=start + len(quote), prefix=text[max(0, start - 32):start], match="exact",
            suffix=text[start + len(quote):start + len(quote) + 32], anchored_sha256=old.sha256,
        )
    migrate_forward()
    source = Source.objects.get(pk=old.pk)
    new_text = "Title\n\nmutual aid, said one.\nLater: mutual aid, said one.\nEnd"
    assert (source.text, source.sha256) == (new_text, text_sha256(new_text))
    first, second = Citation.objects.order_by("pk")
    assert (first.start, first.end) == (7, 17)
    assert second.start == new_text.index("Later")
    for citation in (first, second):
        assert citation.holds_in(new_text)
        assert citation.quote == new_text[citation.start:citation.end]
        assert citation.prefix == new_text[max(0, citation.start - 32):citation.start]
        assert citation.suffix == new_text[citation.end:citation.end + 32]
        assert (citation.match, citation.anchored_sha256) == ("exact", source.sha256)
        assert citation.history.first().history_change_reason == "Line endings normalised to LF"
    assert source.history.first().history_change_reason == "Line endings normalised to LF"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_stops_on_texts_equal_apart_from_line_endings(old_schema):
    OldSource = old_schema.get_model("sources", "Source")
    OldSource.objects.create(title="Ingested", text=LF_TEXT, sha256=text_sha256(LF_TEXT))
    OldSource.objects.create(title="Pasted", text=CRLF_TEXT, sha256=text_sha256(CRLF_TEXT))
    clash = r'same text apart from its line endings: #\d+ "Ingested" and #\d+ "Pasted"'
    with pytest.raises(CommandError, match=clash):
        migrate_forward()
    OldSource.objects.filter(title="Pasted").delete()
