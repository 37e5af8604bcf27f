from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "apps.front.ratings"
    label = "ratings"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("好差评")

    def ready(self) -> None:
        from . import conf  # noqa: F401 - reads the knobs' environment now: a malformed value stops start-up
