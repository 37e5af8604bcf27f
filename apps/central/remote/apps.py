from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemoteConfig(AppConfig):
    """远程虚拟窗口, central's side (DOMAIN.md §9): the session a hall asks for, its ringing queue per
    department, the live work on it, and its log. Central owns the session (DESIGN.md §10)."""

    name = "apps.central.remote"
    label = "remote"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("远程虚拟窗口")

    def ready(self) -> None:
        # handlers registers the exchange handler; conf reads the knobs' environment now (a malformed value
        # stops start-up).
        from . import conf, handlers  # noqa: F401
