from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultConfig(AppConfig):
    name = "apps.front.consult"
    label = "consult"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("咨询工单")
