"""The database cache's tables (the API throttle counts in the default cache), created by
`migrate` itself so a database set up the standard way needs no `createcachetable` step.

Django's own createcachetable does the work: it creates each table of a DatabaseCache in
settings.CACHES that is missing and leaves existing ones alone, on any engine.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("alliances", "0009_country_cow_code_range")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop, elidable=True)]
