"""Write the researcher's dataset: every table, member/state-year/dyad-year files, codebook,
Frictionless datapackage.json."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand
from tqdm import tqdm

from alliances.exports import dataset


class Command(BaseCommand):
    help = (
        "Export the dataset into DIR as CSV files with a codebook and a Frictionless "
        "datapackage.json (schemas, row counts, bytes, SHA-256, version)."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="Where to write the files (created if missing).")
        parser.add_argument(
            "--published-only", action="store_true",
            help="Only what anonymous readers see: published records, their citations and sources. "
            "Without it, every record is exported with its status (a full, re-importable dump).",
        )
        parser.add_argument("--dataset-version", default="",
                            help="Version of the dataset (default: date of the latest change, YYYY.MM.DD).")
        parser.add_argument("--year-to", type=int, default=None,
                            help="Last year of the dyad-year and state-year files (default: this year).")

    def handle(self, *args, directory: Path, published_only: bool, dataset_version: str, year_to, **options):
        quiet = options["verbosity"] == 0 or not sys.stderr.isatty()

        def progress(rows, spec, total):
            return tqdm(rows, total=total, desc=spec.filename, unit=" rows", disable=quiet, leave=False)

        descriptor = dataset.export(
            directory, published_only=published_only, version=dataset_version, year_to=year_to,
            progress=progress,
        )
        if options["verbosity"] == 0:
            return
        for resource in descriptor["resources"]:
            self.stdout.write(
                f"{resource['path']:28} {resource['rows']:>9} rows {resource['bytes']:>12} bytes"
            )
        self.stdout.write(self.style.SUCCESS(
            f"Dataset {descriptor['version']} written to {directory / dataset.DESCRIPTOR}"
        ))
