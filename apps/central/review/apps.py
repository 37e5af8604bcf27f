from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "apps.central.review"
    label = "review"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # deferred and handlers register the exchange handlers; conf reads the knobs' environment now.
        from . import conf, deferred, handlers  # noqa: F401
