from django.contrib import admin

from .models import AccountDeletion, Consent, DataExport, RetentionRun


class ReadOnly(admin.ModelAdmin):
    """Records of processing: shown, never written by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Consent)
class ConsentAdmin(ReadOnly):
    list_display = ["given_at", "user", "purpose", "version", "channel", "reference", "withdrawn_at"]
    list_filter = ["purpose", "channel"]


@admin.register(DataExport)
class DataExportAdmin(ReadOnly):
    list_display = ["at", "user", "format", "channel", "size"]


@admin.register(AccountDeletion)
class AccountDeletionAdmin(ReadOnly):
    list_display = ["at", "user", "channel"]
    readonly_fields = ["user", "at", "channel", "erased"]


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnly):
    list_display = ["started_at", "finished_at", "dry_run", "complete"]
    readonly_fields = ["started_at", "finished_at", "dry_run", "complete", "counts"]
