from django.apps import AppConfig


class HallConfig(AppConfig):
    name = "apps.hall"
    default_auto_field = "django.db.models.BigAutoField"
