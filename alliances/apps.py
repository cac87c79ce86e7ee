from django.apps import AppConfig


class AlliancesConfig(AppConfig):
    name = "alliances"
    verbose_name = "Alliances"

    def ready(self):
        from alliances.domain import publishing  # noqa: F401  connects its signal receivers
