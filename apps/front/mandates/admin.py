from django.contrib import admin

from .models import Company, Mandate, MandateEvent


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    """Legal persons are registered by their representative against the register of companies, not here."""

    list_display = ["name", "credit_code", "representative", "verified_via", "verified_at"]
    search_fields = ["name", "credit_code"]
    readonly_fields = ["account", "credit_code", "name", "representative", "verified_at", "verified_via", "created_at"]

    def has_add_permission(self, request):
        return False


class MandateEventInline(admin.TabularInline):
    model = MandateEvent
    extra = 0
    can_delete = False
    fields = ("at", "kind", "actor", "reference", "note")
    readonly_fields = ("at", "kind", "actor", "reference", "note")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Mandate)
class MandateAdmin(admin.ModelAdmin):
    """Mandates are given, confirmed and revoked by the people concerned (and paper letters at a window):
    the admin reads them, with every act done under them."""

    list_display = ["number", "kind", "principal", "agent", "status", "valid_from", "valid_until", "form"]
    list_filter = ["kind", "status", "form"]
    search_fields = ["number"]
    inlines = [MandateEventInline]
    exclude = ["challenge"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
