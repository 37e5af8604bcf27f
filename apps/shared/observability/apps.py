from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObservabilityConfig(AppConfig):
    """What an operator sees of a node: the Prometheus metrics, liveness and readiness."""

    name = "apps.shared.observability"
    label = "observability"
    verbose_name = _("运行监控")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        # Each app names its own gauges, counters and readiness checks in its metrics.py (registry.py):
        # found here like the admin's admin.py, so this app imports none of them.
        autodiscover_modules("metrics")
