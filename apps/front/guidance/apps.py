from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuidanceConfig(AppConfig):
    name = "apps.front.guidance"
    label = "guidance"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("智能导办")
