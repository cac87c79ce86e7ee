"""Load a dataset package written by export_dataset into an empty database."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from alliances.exports.importer import ImportRefused, import_package


class Command(BaseCommand):
    help = (
        "Load DIR/datapackage.json (written by export_dataset) into an EMPTY database, keeping ids, "
        "statuses, partial dates and provenance."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="The directory holding datapackage.json.")
        parser.add_argument(
            "--without-history", action="store_true",
            help="Write no history rows for the imported records (about twice as fast on large packages).",
        )

    def handle(self, *args, directory: Path, **options):
        quiet = options["verbosity"] == 0 or not sys.stderr.isatty()

        def progress(rows, table):
            return tqdm(rows, desc=table.filename, unit=" rows", disable=quiet, leave=False)

        try:
            counts = import_package(directory, progress=progress, history=not options["without_history"])
        except ImportRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        if options["verbosity"] == 0:
            return
        for name, count in counts.items():
            self.stdout.write(f"{name:20} {count:>9} rows")
        self.stdout.write(self.style.SUCCESS(f"Imported {sum(counts.values())} rows from {directory}."))
