from django.contrib import admin

from .models import Terminal, Ticket, TicketEvent

admin.site.register(Terminal, list_display=["name", "hall", "active"], exclude=["token_sha256"])


class TicketEventInline(admin.TabularInline):
    model = TicketEvent
    fields = readonly_fields = ("at", "action", "from_status", "to_status", "actor", "window", "note")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ["label", "hall", "matter", "status", "priority", "green_reason", "checked_in_at", "window"]
    list_filter = ["hall", "status", "priority", "service_date"]
    readonly_fields = [f.name for f in Ticket._meta.fields]
    inlines = [TicketEventInline]
