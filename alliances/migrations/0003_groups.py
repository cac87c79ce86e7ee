from django.contrib.auth.management import create_permissions
from django.db import migrations

CURATED = ["country", "organisation", "membership", "person", "agreement", "party", "clause", "claim"]
PROVENANCE = ["source", "citation"]


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations have run; the groups need them now.
    for label in ("sources", "alliances"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def codenames(models, actions):
        return [f"{action}_{model}" for model in models for action in actions]

    editing = codenames(CURATED + PROVENANCE, ("add", "change", "view")) + ["view_provisiontype"]
    reviewing = editing + codenames(CURATED, ("publish", "delete")) + codenames(PROVENANCE, ("delete",))
    for name, wanted in (("editors", editing), ("reviewers", reviewing)):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(
            Permission.objects.filter(
                content_type__app_label__in=["sources", "alliances"], codename__in=wanted
            )
        )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["editors", "reviewers"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("alliances", "0002_provision_types"),
        ("sources", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_groups, remove_groups)]
