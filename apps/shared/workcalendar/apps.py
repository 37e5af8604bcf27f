from django.apps import AppConfig


class WorkcalendarConfig(AppConfig):
    name = "apps.shared.workcalendar"
    label = "workcalendar"
    default_auto_field = "django.db.models.BigAutoField"
