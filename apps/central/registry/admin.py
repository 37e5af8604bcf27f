from django.contrib import admin

from .models import RegistryQuery


@admin.register(RegistryQuery)
class RegistryQueryAdmin(admin.ModelAdmin):
    """Who asked the registry, why and when; the people themselves are not browsable here."""

    list_display = ["asked_at", "peer", "purpose", "reference", "credit_code", "matched"]
    list_filter = ["peer", "matched"]
    readonly_fields = ["peer", "purpose", "reference", "id_number_index", "credit_code", "matched", "asked_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
