from django.contrib import admin

from .models import Terminal, Ticket

admin.site.register(Terminal, list_display=["name", "hall", "active"], exclude=["token_sha256"])


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ["label", "hall", "matter", "status", "priority", "checked_in_at", "window"]
    list_filter = ["hall", "status", "service_date"]
    readonly_fields = [f.name for f in Ticket._meta.fields]
