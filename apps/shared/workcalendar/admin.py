from django.contrib import admin

from .models import CalendarOverride, PublishedYear

admin.site.register(CalendarOverride, list_display=["date", "is_workday", "note"], list_filter=["is_workday"])
admin.site.register(PublishedYear, list_display=["year", "published_at", "note"])
