"""Check every citation against its source's stored text: manage.py verify_citations.

Exits non-zero when any citation is broken: marked broken when its source's text changed, or
its stored offsets no longer select its quote (a text changed behind the model's back).
"""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from sources.models import Source


class Command(BaseCommand):
    help = (
        "Check that every citation's stored offsets still select its quote in its source's text; "
        "list the broken ones and exit with status 1 if there are any."
    )

    def handle(self, *args, verbosity, **options):
        counts = {"verified": 0, "unverified": 0}
        broken = []
        sources = Source.objects.order_by("pk")
        with tqdm(total=sources.count(), unit="source", disable=None if verbosity else True) as bar:
            for source in sources.iterator(chunk_size=100):
                for citation in source.citations.order_by("pk"):
                    if not source.text:
                        counts["unverified"] += 1
                    elif not citation.holds_in(source.text):
                        broken.append((source, citation))
                    else:
                        counts["verified"] += 1
                bar.update()
        self.stdout.write(
            f"{counts['verified']} citations verified, {counts['unverified']} unverified (source "
            f"without stored text), {len(broken)} broken."
        )
        if broken:
            for source, citation in broken:
                where = f'source #{source.pk} "{source}"'
                self.stderr.write(f"  citation #{citation.pk}, {where}: “{citation.quote}”")
            raise CommandError(
                f"{len(broken)} citations are broken: cite the passage again, or correct its quote."
            )
