from django.db import migrations

# slug, name, ATOP variable, COW type, description
PROVISION_TYPES = [
    ("defense", "Defense", "defense", "I defense pact",
     "Active military support if a member is attacked."),
    ("offense", "Offense", "offense", "",
     "Active military support in a conflict the members initiate."),
    ("neutrality", "Neutrality", "neutral", "II neutrality/non-aggression",
     "Abstaining from support of an attacker of a member."),
    ("nonaggression", "Non-aggression", "nonagg", "II neutrality/non-aggression",
     "Refraining from military conflict with each other."),
    ("consultation", "Consultation", "consul", "III entente",
     "Consulting each other in a crisis or on security matters."),
    ("military_aid", "Military aid", "", "", "Military assistance: training, equipment, funding."),
    ("defense_industry", "Defense industry", "", "", "Joint development or production of arms."),
    ("joint_exercises", "Joint exercises", "", "", "Joint military exercises and manoeuvres."),
    ("intelligence_sharing", "Intelligence sharing", "", "", "Exchange of intelligence."),
    ("bases", "Bases", "", "", "Basing rights or use of each other's military facilities."),
    ("integrated_command", "Integrated command", "", "", "A common or integrated military command."),
    ("arms_supply", "Arms supply", "", "", "Supply of weapons and military equipment."),
    ("economic", "Economic", "", "", "Trade, investment and economic cooperation."),
    ("transport", "Transport", "", "", "Transport corridors, transit and logistics."),
    ("humanitarian_cultural", "Humanitarian and cultural", "", "",
     "Humanitarian, educational and cultural cooperation."),
    ("mobility", "Mobility", "", "", "Entry and residence of citizens, e.g. travel with ID cards."),
]


def seed(apps, schema_editor):
    ProvisionType = apps.get_model("alliances", "ProvisionType")
    for slug, name, atop, cow, description in PROVISION_TYPES:
        ProvisionType.objects.update_or_create(
            slug=slug,
            defaults={"name": name, "atop_variable": atop, "cow_type": cow, "description": description},
        )


def unseed(apps, schema_editor):
    apps.get_model("alliances", "ProvisionType").objects.filter(
        slug__in=[row[0] for row in PROVISION_TYPES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("alliances", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
