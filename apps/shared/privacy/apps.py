from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """The personal-information lifecycle (PIPL): retention periods and the job that ends records, the
    citizen's export and account deletion, consent where data is shared."""

    name = "apps.shared.privacy"
    label = "privacy"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("个人信息保护")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from . import conf  # noqa: F401 - reads the knobs' environment now: a malformed value stops start-up
        from .audit import register_audit_kinds

        # Each app that holds personal data describes it in its own privacy.py (registry.py): found here like
        # the admin's admin.py, so this app imports none of them and they need no line in their ready().
        autodiscover_modules("privacy")
        # Last: the audit trail's rule covers every audit table no kind of record took for itself.
        register_audit_kinds()
