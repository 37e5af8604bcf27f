from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultConfig(AppConfig):
    name = "apps.front.consult"
    label = "consult"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("咨询工单")

    def ready(self) -> None:
        from apps.shared.accounts.hooks import register_citizen_mover

        from . import conf  # noqa: F401 - reads the knobs' environment now: a malformed value stops start-up
        from .citizen_moves import move_citizen

        # A takeover at the window moves this app's rows of a frozen account (accounts cannot import us).
        register_citizen_mover(self.label, move_citizen)
