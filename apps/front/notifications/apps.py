from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Messages to citizens and staff: templates, channels (SMS, e-mail, inbox), preferences, receipts."""

    name = "apps.front.notifications"
    # The label stays "feedback": it names the tables (feedback_notification, …) and the migrations;
    # renaming it would move them for nothing.
    label = "feedback"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.shared.accounts.hooks import register_sms_sender

        from . import conf  # noqa: F401 - reads the knobs' environment now: a malformed value stops start-up
        from .accounts_channel import send_sms

        # Accounts' one-time codes and notices go out through this app's SMS channel.
        register_sms_sender(send_sms)
