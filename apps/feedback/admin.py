from django.contrib import admin

from .models import Notification

admin.site.register(
    Notification,
    list_display=["id", "event", "channel", "status", "attempts", "created_at"],
    list_filter=["channel", "status", "event"],
)
