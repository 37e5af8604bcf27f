from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuidanceConfig(AppConfig):
    name = "apps.front.guidance"
    label = "guidance"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("智能导办")

    def ready(self) -> None:
        # Guidance sits above booking (ARCHITECTURE.md): booking's seed_demo loads the demo questions
        # through its demo hook.
        from apps.front.booking.demo import demo_seeders

        from .services import guidance_seed_demo

        demo_seeders.connect(guidance_seed_demo)
