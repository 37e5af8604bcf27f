from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "apps.central.review"
    label = "review"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import deferred, handlers  # noqa: F401 - register the exchange handlers
