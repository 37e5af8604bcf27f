from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemoteConfig(AppConfig):
    """远程虚拟窗口, the hall's side (DOMAIN.md §9): a clerk at a window, or a citizen at a kiosk, is served live
    by the staff of the matter's department at central. Central owns the session (apps/central/remote); this
    app starts it, relays the hall's requests to central with the join ticket, keeps the hall's session log, and
    makes the case when central concludes."""

    name = "apps.front.remote"
    label = "remote"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("远程虚拟窗口")

    def ready(self) -> None:
        # handlers registers the exchange handlers; conf reads the knobs' environment now (a malformed value
        # stops start-up).
        from . import conf, handlers  # noqa: F401
