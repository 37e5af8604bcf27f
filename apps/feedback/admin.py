from django.contrib import admin

from .models import Evaluation, Notification

admin.site.register(Notification, list_display=["id", "event", "channel", "status", "attempts", "created_at"], list_filter=["channel", "status", "event"])
admin.site.register(Evaluation, list_display=["case", "score", "channel", "created_at"], list_filter=["score"])
