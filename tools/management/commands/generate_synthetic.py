"""Fill the database with a synthetic register for benchmarks.

    manage.py generate_synthetic --citations 1000000 --seed 1

Deterministic: the same seed and scale give the same rows (timestamps aside). Proportions scale
linearly with --citations (at 1M: 249 countries, 500 organisations, 20,000 persons, 20,000
agreements with about 60,000 party actions and 100,000 clauses, 200,000 claims, 50,000 sources).
Every record is published and every citation anchors exactly in its source's stored text.

Synthetic rows are published facts about real countries, so the command refuses a database
that already holds curated records unless --force is given, and always refuses one that
already holds synthetic data (a second set would only duplicate the first): generate into a
fresh database, e.g. DATABASE_URL=sqlite:///bench/synthetic.sqlite3.
"""

import json
import sys
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from alliances.models import Agreement, Claim
from sources.models import Source
from tools.synthetic import GENERATOR_VERSION, Scale, checksum, generate, holds_synthetic_data


class Command(BaseCommand):
    help = "Generate a deterministic synthetic data set of N citations (for benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--citations", type=int, default=100_000, help="Number of citations (scale).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed: same seed, same data.")
        parser.add_argument(
            "--force", action="store_true",
            help="Add synthetic data to a database that already holds curated records.",
        )
        parser.add_argument(
            "--checksum", action="store_true", dest="print_checksum", help="Print a checksum of the data.",
        )
        parser.add_argument("--migrate", action="store_true", help="Migrate the database first.")
        parser.add_argument("--report", metavar="FILE", help="Also write the counts and the time as JSON.")

    def handle(self, *args, citations, seed, force, print_checksum, migrate, report, verbosity, **options):
        try:
            scale = Scale.for_citations(citations)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if migrate:
            call_command("migrate", verbosity=0, interactive=False)
        if holds_synthetic_data():
            raise CommandError(
                "This database already holds synthetic data; generate into a fresh database "
                "(DATABASE_URL=sqlite:///path/to/new.sqlite3 manage.py generate_synthetic --migrate ...)."
            )
        if not force and (Source.objects.exists() or Agreement.objects.exists() or Claim.objects.exists()):
            raise CommandError(
                "This database holds curated records; synthetic ones would be published beside them. "
                "Use a fresh database, or --force to add them anyway."
            )
        self.stdout.write(
            f"Generating {citations:,} citations with seed {seed}; no history rows are written "
            "for synthetic data (bulk inserts)."
        )
        total = sum(v for k, v in scale.as_dict().items() if k != "citations") + citations
        # tqdm disables itself when stderr is not a terminal (disable=None).
        with tqdm(total=total, unit="rows", unit_scale=True, disable=None if verbosity else True,
                  file=sys.stderr, smoothing=0.1) as bar:
            result = generate(scale, seed, progress=bar.update)
        for label, count in result.counts.items():
            self.stdout.write(f"  {label:<32} {count:>12,}")
        self.stdout.write(self.style.SUCCESS(f"Generated in {result.seconds:.1f} s."))
        if report:
            Path(report).write_text(json.dumps(
                {"citations": citations, "seed": seed, "generator_version": GENERATOR_VERSION,
                 "generate_s": round(result.seconds, 2),
                 "counts": result.counts}, indent=2,
            ) + "\n")
        if print_checksum:
            self.stdout.write(f"checksum {checksum()}")
