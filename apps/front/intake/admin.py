from django.contrib import admin

from .models import Case, CaseEvent


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    readonly_fields = ["actor", "actor_label", "from_status", "to_status", "note", "at"]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["number", "matter", "hall", "status", "accepted_at", "promised_date"]
    list_filter = ["status", "hall"]
    search_fields = ["number"]
    exclude = ["query_password_hash"]
    readonly_fields = [
        "number",
        "citizen",
        "matter",
        "hall",
        "appointment",
        "clerk",
        "status",
        "received_at",
        "accepted_at",
        "promised_date",
        "decision",
        "decision_reason",
        "decided_at",
    ]
    inlines = [CaseEventInline]
