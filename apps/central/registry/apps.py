from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    """The population registry central shares with the platforms (数据共享): name and ID number, asked
    match / no match over the signed wire, never handed out."""

    name = "apps.central.registry"
    label = "registry"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("人口信息核验")
