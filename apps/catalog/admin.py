from django.contrib import admin

from .models import Department, Material, Matter


class MaterialInline(admin.TabularInline):
    model = Material
    extra = 0


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "credit_code"]
    search_fields = ["name", "code"]


@admin.register(Matter)
class MatterAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "version", "is_current", "department", "case_kind", "promised_days", "bookable"]
    list_filter = ["department", "case_kind", "bookable", "is_current"]
    search_fields = ["name", "code", "keywords"]
    inlines = [MaterialInline]
