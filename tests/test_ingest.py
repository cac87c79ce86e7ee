"""manage.py ingest_source: storing a source document's text snapshot with its metadata."""

import datetime
import hashlib
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from sources.models import Source

pytestmark = pytest.mark.django_db

TEXT = (
    "Caspian ministers agree to meet twice a year\n\n"
    "Baku, 3 April 2024. The foreign ministers of the two states agreed to meet “twice a year”.\n"
)


def snapshot(tmp_path: Path, text: str = TEXT, name: str = "article.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def ingest(path, *args: str) -> str:
    out = StringIO()
    call_command("ingest_source", str(path), *args, stdout=out)
    return out.getvalue()


def test_stores_text_and_metadata_and_prints_the_id(tmp_path):
    output = ingest(
        snapshot(tmp_path), "--title", "Caspian ministers agree", "--publisher", "Test Wire",
        "--author", "A. Writer", "--url", "https://example.org/a", "--published", "2024-04",
        "--retrieved", "2024-05-01", "--language", "en", "--kind", "official",
    )
    source = Source.objects.get()
    assert f"Stored source {source.pk} " in output
    assert source.text == TEXT
    assert source.sha256 == hashlib.sha256(TEXT.encode("utf-8")).hexdigest()
    assert (source.published_on, source.published_on_precision) == (datetime.date(2024, 4, 1), "month")
    assert source.retrieved_on == datetime.date(2024, 5, 1)
    assert (source.publisher, source.author, source.kind) == ("Test Wire", "A. Writer", "official")
    assert source.history.count() == 1


def test_duplicate_text_is_refused_naming_the_stored_source(tmp_path):
    ingest(snapshot(tmp_path), "--title", "First")
    first = Source.objects.get()
    with pytest.raises(CommandError, match=f'already stored as source #{first.pk} "First"'):
        ingest(snapshot(tmp_path, name="copy.txt"), "--title", "Second")
    assert Source.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"\xff\xfe caf\xe9", "is not UTF-8 text"),
        (b"", "is empty"),
        (b" \n\t\n", "is empty"),
    ],
)
def test_unreadable_files_are_refused(tmp_path, content, message):
    path = tmp_path / "article.txt"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        ingest(path, "--title", "T")
    assert not Source.objects.exists()


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--published", "2024-13", "--published: 2024-13 is not a valid date"),
        ("--published", "April 2024", "--published: April 2024 is not a partial date"),
        ("--kind", "blog", "--kind: Value 'blog' is not a valid choice"),
        ("--language", "english", "--language: english is not an ISO 639-1"),
        ("--retrieved", "2024-02-30", "--retrieved: "),
        ("--url", "not a url", "--url: Enter a valid URL"),
        ("--title", "", "--title: This field cannot be blank"),
    ],
)
def test_bad_metadata_is_refused_naming_the_option(tmp_path, option, value, message):
    with pytest.raises(CommandError, match=message):
        ingest(snapshot(tmp_path), "--title", "T", option, value)
    assert not Source.objects.exists()


def test_a_utf8_byte_order_mark_is_not_part_of_the_text(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + TEXT.encode("utf-8"))
    ingest(path, "--title", "T")
    assert Source.objects.get().text == TEXT


def test_errors_exit_non_zero_without_a_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "ingest_source", str(tmp_path / "missing.txt"), "--title", "T"],
        cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 1
    assert "no such file" in result.stderr
    assert "Traceback" not in result.stderr
