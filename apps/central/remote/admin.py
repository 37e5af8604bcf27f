from django.contrib import admin

from .models import RemoteSession, SessionEvent, SessionRecording


class SessionEventInline(admin.TabularInline):
    model = SessionEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = ("at", "side", "actor_label", "action", "note")


class SessionRecordingInline(admin.TabularInline):
    """The call's recordings (REMOTE_RECORDING), read-only: each file is deleted with the session's record."""

    model = SessionRecording
    extra = 0
    can_delete = False
    fields = readonly_fields = ("uploaded_at", "file", "size", "sha256", "uploaded_by")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RemoteSession)
class RemoteSessionAdmin(admin.ModelAdmin):
    """The session log, read-only: what happened is recorded by the services, never edited."""

    list_display = [
        "requested_at",
        "hall_name",
        "matter",
        "department",
        "status",
        "outcome",
        "answered_by",
        "case_number",
    ]
    list_filter = ["status", "outcome", "department"]
    fields = readonly_fields = (
        "id",
        "platform",
        "hall_name",
        "device_label",
        "ticket_label",
        "matter",
        "department",
        "consent_at",
        "recording_consent",
        "status",
        "outcome",
        "requested_at",
        "answered_at",
        "answered_by",
        "ended_at",
        "end_note",
        "registry_match",
        "identity_confirmed_at",
        "identity_reason",
        "case_number",
    )
    inlines = [SessionEventInline, SessionRecordingInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
