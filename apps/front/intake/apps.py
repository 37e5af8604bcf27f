from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "apps.front.intake"
    label = "intake"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.shared.accounts.hooks import register_citizen_mover

        from . import handlers  # noqa: F401 - registers the exchange handlers
        from .citizen_moves import move_citizen

        # A takeover at the window moves this app's rows of a frozen account (accounts cannot import us).
        register_citizen_mover(self.label, move_citizen)
