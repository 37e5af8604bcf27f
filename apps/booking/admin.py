from django.contrib import admin

from .models import Appointment, GroupMatter, Hall, Slot, StaffPost, Window, WindowGroup


class WindowInline(admin.TabularInline):
    model = Window
    extra = 0


class GroupMatterInline(admin.TabularInline):
    model = GroupMatter
    extra = 0


@admin.register(Hall)
class HallAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "address", "case_prefix"]


@admin.register(WindowGroup)
class WindowGroupAdmin(admin.ModelAdmin):
    list_display = ["hall", "letter", "name", "people_per_window"]
    inlines = [WindowInline, GroupMatterInline]


@admin.register(Slot)
class SlotAdmin(admin.ModelAdmin):
    list_display = ["hall", "group", "start", "capacity", "booked", "release_at"]
    list_filter = ["hall", "date"]
    readonly_fields = ["booked"]  # moves only by conditional UPDATE in services


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ["code", "matter", "hall", "slot", "status", "created_at"]
    list_filter = ["status", "hall"]
    search_fields = ["code"]
    readonly_fields = [f.name for f in Appointment._meta.fields]

    def has_add_permission(self, request):
        return False


admin.site.register(StaffPost, list_display=["user", "hall", "window"])
