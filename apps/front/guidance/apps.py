from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def _guide_url(matter_code: str) -> str:
    return reverse("matter_guide", args=[matter_code])


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

        from apps.shared.catalog import registry

        # The catalog's search results link to the matter's guide page.
        registry.provides_guide_url(_guide_url)
