"""Store a source document's text snapshot with its metadata: manage.py ingest_source FILE."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from sources.ingest import SnapshotError, describe, read_snapshot, source_fields, store
from sources.models import Source

# Model fields as the options that set them, for error messages.
OPTION_NAMES = {
    "title": "--title", "publisher": "--publisher", "author": "--author", "url": "--url",
    "published_on": "--published", "retrieved_on": "--retrieved", "language": "--language",
    "kind": "--kind",
}


class Command(BaseCommand):
    help = (
        "Store the text of FILE (UTF-8) as a new source document, with its metadata, and print "
        "the new source's id. A text that is already stored is refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The document's text, UTF-8.")
        parser.add_argument("--title", required=True, help="Title of the document as it shows it.")
        parser.add_argument("--publisher", default="", help="News outlet, ministry, ...")
        parser.add_argument("--author", default="", help="Author, if the document names one.")
        parser.add_argument("--url", default="", help="Where the document was published.")
        parser.add_argument(
            "--published", default=None, metavar="YYYY[-MM[-DD]]",
            help="Publication date, at the precision it is known: 2021-06-15, 2021-06 or 2021.",
        )
        parser.add_argument(
            "--retrieved", default=None, metavar="YYYY-MM-DD", help="When the snapshot was taken.",
        )
        parser.add_argument("--language", default="", help="ISO 639-1 code, e.g. en.")
        parser.add_argument(
            "--kind", default=Source.Kind.NEWS,
            help=f"One of {', '.join(Source.Kind.values)} (default: news).",
        )

    def handle(self, *args, **options):
        path = options["file"]
        try:
            text = read_snapshot(path)
            metadata = {name: options[name] for name in (
                "title", "publisher", "author", "url", "published", "language", "kind"
            )}
            source = Source(text=text, retrieved_on=options["retrieved"], **source_fields(**metadata))
            store(source)
        except SnapshotError as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise CommandError(f"{path} not stored: {describe(exc, OPTION_NAMES)}") from None
        self.stdout.write(self.style.SUCCESS(
            f'Stored source {source.pk} "{source.title}": {len(source.text)} characters, '
            f"sha256 {source.sha256}"
        ))
