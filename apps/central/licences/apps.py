from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LicencesConfig(AppConfig):
    """The shared library of licences (电子证照库): every certificate central issued and the licences
    imported from other departments' systems, signed PDFs with the issuing office's key, asked over the
    signed wire by the platforms for what a matter needs, with the citizen's consent."""

    name = "apps.central.licences"
    label = "licences"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("电子证照库")
