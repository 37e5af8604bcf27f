from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "apps.shared.exchange"
    label = "exchange"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import conf  # noqa: F401 - reads the knobs' environment now: a malformed value stops start-up
