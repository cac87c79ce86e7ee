"""Load the curated dataset: manage.py load_curated [--file PATH] [--sources DIR]."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from alliances import curated

KINDS = ("source", "country", "organisation", "person", "agreement", "membership", "party", "clause",
         "claim", "citation")


def first_ten(labels: list[str]) -> str:
    more = f" and {len(labels) - 10} more" if len(labels) > 10 else ""
    return f"{', '.join(labels[:10])}{more}"


class Command(BaseCommand):
    help = (
        "Load the curated dataset (alliances/data/curated.yaml) through the admin's validation, "
        "anchoring every citation in its source's text. Loading it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file", type=Path, default=curated.DEFAULT_FILE, help="The data file (YAML).",
        )
        parser.add_argument(
            "--sources", type=Path, default=None, metavar="DIR",
            help="Directory holding the source texts the file names (default: settings.SEEDS_DIR).",
        )
        parser.add_argument(
            "--overwrite", action="store_true",
            help="Also reset records edited in the admin or the API since they were loaded to the "
                 "file's values (by default they are kept as the editors left them, and listed).",
        )

    def handle(self, *args, **options):
        seeds_dir = options["sources"] or Path(settings.SEEDS_DIR)
        try:
            data = curated.read_file(options["file"])
            if not seeds_dir.is_dir():
                self.stderr.write(self.style.WARNING(
                    f"Warning: no source directory {seeds_dir}: sources are stored without their "
                    "text, so citations are unverified and records that need a verified citation "
                    "to be published load as review instead of published."
                ))
            total = sum(len(entries) for entries in data.values())
            with tqdm(total=total, unit="record", disable=not self.stdout.isatty()) as bar:
                loader = curated.load(data, seeds_dir, advance=bar.update, overwrite=options["overwrite"])
        except curated.CuratedDataError as exc:
            raise CommandError(f"{options['file']}: {exc}\nNothing was loaded.") from None
        self.report(loader)

    def report(self, loader: curated.Loader) -> None:
        summary = loader.summary()
        for kind in KINDS:
            counts = summary.get(kind)
            if counts:
                others = f"; {counts['other']} others kept (not in the file)" if counts["other"] else ""
                if counts["edited"]:
                    others = f"; {counts['edited']} edited since loaded, kept{others}"
                self.stdout.write(
                    f"{kind:>12}: {counts['created']} created, {counts['updated']} updated, "
                    f"{counts['unchanged']} unchanged{others}"
                )
        if edited := loader.edited:
            self.stdout.write(
                f"Kept {len(edited)} records as edited since they were loaded (--overwrite resets "
                f"them to the file): {first_ten(edited)}"
            )
        if held_back := loader.held_back:
            self.stderr.write(self.style.WARNING(
                f"Warning: {len(held_back)} records the file publishes were loaded as review "
                f"(no verified citation): {first_ten(held_back)}"
            ))
