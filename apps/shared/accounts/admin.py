from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import AccountTakeover, PersonalDataAccess, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "real_name", "role", "masked_phone", "is_active", "is_real_name_verified"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["username", "real_name"]
    # The clear ID number and phone are not shown here; staff see them masked (DOMAIN.md §8).
    readonly_fields = [
        "masked_id",
        "masked_phone",
        "phone_verified_at",
        "identity_verified_at",
        "identity_verified_via",
        "frozen_at",
    ]
    fieldsets = [
        *(BaseUserAdmin.fieldsets or ()),
        ("实名信息", {"fields": ["role", "real_name", "masked_id", "masked_phone"]}),
        # Set by verification and the window takeover only (DOMAIN.md §8), never by hand.
        ("实名核验", {"fields": ["phone_verified_at", "identity_verified_at", "identity_verified_via", "frozen_at"]}),
    ]


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    list_display = ["viewed_at", "viewer", "subject", "case_reference", "reason"]
    readonly_fields = ["viewer", "subject", "case_reference", "reason", "viewed_at"]

    def has_add_permission(self, request):
        return False


@admin.register(AccountTakeover)
class AccountTakeoverAdmin(admin.ModelAdmin):
    """Takeovers at the window: who proved what, which account was frozen, what moved. Read only."""

    list_display = ["created_at", "clerk", "old_account", "new_account", "hall"]
    readonly_fields = ["clerk", "old_account", "new_account", "hall", "reason", "moved", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
