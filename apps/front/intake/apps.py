from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "apps.front.intake"
    label = "intake"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # handlers registers the exchange handlers; conf reads the knobs' environment now (a malformed value
        # stops start-up).
        from . import conf, handlers  # noqa: F401
