from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Messages to citizens and staff: templates, channels (SMS, e-mail, inbox), preferences, receipts."""

    name = "apps.front.notifications"
    # The label stays "feedback": it names the tables (feedback_notification, …) and the migrations;
    # renaming it would move them for nothing.
    label = "feedback"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import conf  # noqa: F401 - reads the knobs' environment now: a malformed value stops start-up
