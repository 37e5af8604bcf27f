from django.contrib import admin

from .models import HallSession, HallSessionEvent


class HallSessionEventInline(admin.TabularInline):
    model = HallSessionEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = ("at", "actor_label", "note")


@admin.register(HallSession)
class HallSessionAdmin(admin.ModelAdmin):
    """The hall's session log, read-only."""

    list_display = ["started_at", "hall", "matter", "device_label", "status", "outcome", "staff_label", "case"]
    list_filter = ["status", "outcome", "hall"]
    fields = readonly_fields = (
        "id",
        "hall",
        "matter",
        "device_label",
        "ticket",
        "status",
        "outcome",
        "consent_at",
        "started_at",
        "answered_at",
        "ended_at",
        "staff_label",
        "end_note",
        "case",
        "consult_ticket",
    )
    inlines = [HallSessionEventInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
