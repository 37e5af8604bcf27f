from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "apps.front.intake"
    label = "intake"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import handlers  # noqa: F401 - registers the exchange handlers
