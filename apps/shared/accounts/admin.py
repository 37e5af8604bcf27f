from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import PersonalDataAccess, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "real_name", "role", "masked_phone", "is_active"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["username", "real_name"]
    # The clear ID number and phone are not shown here; staff see them masked (DOMAIN.md §8).
    readonly_fields = ["masked_id", "masked_phone"]
    fieldsets = [
        *(BaseUserAdmin.fieldsets or ()),
        ("实名信息", {"fields": ["role", "real_name", "masked_id", "masked_phone"]}),
    ]


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    list_display = ["viewed_at", "viewer", "subject", "case_reference", "reason"]
    readonly_fields = ["viewer", "subject", "case_reference", "reason", "viewed_at"]

    def has_add_permission(self, request):
        return False
