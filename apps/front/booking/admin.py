"""Hall configuration in the Django admin (DOMAIN.md §3). A hall supervisor (staff, role hall_supervisor,
with a StaffPost) sees and edits only their own hall: its opening sessions, window groups with their
booking settings, windows and matters, closures; the slots, appointments and waitlist of their hall read
only. Citizens' booking standing (blocks) can be waived with a reason. Administrators see everything."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.shared.accounts.models import Role

from .models import (
    Appointment,
    BookingStanding,
    GroupMatter,
    Hall,
    HallClosure,
    OpeningSession,
    PenaltyWaiver,
    Slot,
    StaffPost,
    WaitlistEntry,
    Window,
    WindowGroup,
)
from .selectors import calendar_warning
from .services import closure_create, penalty_waive


def supervisor_hall_id(request) -> int | None:
    """The hall id of a hall supervisor (cached on the request); None for everyone else."""
    if not hasattr(request, "_booking_hall_id"):
        hall_id = None
        if request.user.is_authenticated and request.user.role == Role.HALL_SUPERVISOR:
            hall_id = StaffPost.objects.filter(user=request.user).values_list("hall_id", flat=True).first()
        request._booking_hall_id = hall_id
    return request._booking_hall_id


class HallScopedAdmin(admin.ModelAdmin):
    """Superusers: Django's permissions. Hall supervisors: their own hall's rows only."""

    hall_path = "hall"  # the lookup from the model to its hall's id
    supervisor_can_add = True
    supervisor_can_change = True
    supervisor_can_delete = False

    def _is_supervisor(self, request) -> bool:
        return not request.user.is_superuser and supervisor_hall_id(request) is not None

    def _obj_hall_id(self, obj) -> int | None:
        value = obj
        for part in self.hall_path.split("__"):
            value = getattr(value, part, None)
        return value.pk if isinstance(value, Hall) else value

    def _own(self, request, obj) -> bool:
        return obj is None or self._obj_hall_id(obj) == supervisor_hall_id(request)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        hall_id = supervisor_hall_id(request)
        return qs.filter(**{self.hall_path: hall_id}) if hall_id else qs.none()

    def has_module_permission(self, request):
        return self._is_supervisor(request) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        if self._is_supervisor(request):
            return self._own(request, obj)
        return super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        if self._is_supervisor(request):
            return self.supervisor_can_add
        return super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        if self._is_supervisor(request):
            return self.supervisor_can_change and self._own(request, obj)
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if self._is_supervisor(request):
            return self.supervisor_can_delete and self._own(request, obj)
        return super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        hall_id = supervisor_hall_id(request) if not request.user.is_superuser else None
        if hall_id is not None:
            if db_field.related_model is Hall:
                kwargs["queryset"] = Hall.objects.filter(id=hall_id)
            elif db_field.related_model is WindowGroup:
                kwargs["queryset"] = WindowGroup.objects.filter(hall_id=hall_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def changelist_view(self, request, extra_context=None):
        warning = calendar_warning()
        if warning:
            self.message_user(request, warning, messages.WARNING)
        return super().changelist_view(request, extra_context)


class ScopedInline(admin.TabularInline):
    """Inlines follow their parent's permission: a supervisor edits them on their own hall's pages."""

    extra = 0

    def _is_supervisor(self, request) -> bool:
        return not request.user.is_superuser and supervisor_hall_id(request) is not None

    def has_view_permission(self, request, obj=None):
        return self._is_supervisor(request) or super().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return self._is_supervisor(request) or super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._is_supervisor(request) or super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._is_supervisor(request) or super().has_delete_permission(request, obj)


class OpeningSessionInline(ScopedInline):
    model = OpeningSession


class WindowInline(ScopedInline):
    model = Window
    fields = ["number"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # A window belongs to its group's hall.
        formset.form.base_fields.pop("hall", None)
        return formset


class GroupMatterInline(ScopedInline):
    model = GroupMatter


@admin.register(Hall)
class HallAdmin(HallScopedAdmin):
    hall_path = "id"
    supervisor_can_add = False
    list_display = ["code", "name", "address", "case_prefix"]
    inlines = [OpeningSessionInline]

    def _obj_hall_id(self, obj):
        return obj.pk

    def get_readonly_fields(self, request, obj=None):
        # The codes are identities used in case numbers and tickets: only an administrator changes them.
        return ["code", "case_prefix"] if self._is_supervisor(request) else []


@admin.register(WindowGroup)
class WindowGroupAdmin(HallScopedAdmin):
    list_display = [
        "hall",
        "letter",
        "name",
        "people_per_window",
        "slot_minutes",
        "online_percent",
        "horizon_workdays",
        "release_time",
    ]
    fieldsets = [
        (None, {"fields": ["hall", "letter", "name", "people_per_window"]}),
        (
            _("预约设置（留空使用全站默认值）"),
            {
                "fields": ["slot_minutes", "online_percent", "horizon_workdays", "release_time", "min_notice_hours"],
                "description": _("修改只影响尚未生成时段的日期；已生成的时段和已预约的名额保持不变。"),
            },
        ),
    ]
    inlines = [WindowInline, GroupMatterInline]

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, Window):
                instance.hall_id = form.instance.hall_id
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


class ClosureForm(forms.ModelForm):
    class Meta:
        model = HallClosure
        fields = ["hall", "group", "date", "start", "end", "reason"]

    def clean(self):
        data = super().clean()
        start, end, date = data.get("start"), data.get("end"), data.get("date")
        if (start is None) != (end is None) or (start and end and end <= start):
            raise forms.ValidationError(_("请填写完整的起止时间，且结束晚于开始；全天闭厅请都留空。"))
        if date and date < timezone.localdate():
            raise forms.ValidationError(_("不能为已过去的日期闭厅。"))
        group, hall = data.get("group"), data.get("hall")
        if group and hall and group.hall_id != hall.id:
            raise forms.ValidationError(_("该窗口组不属于所选大厅。"))
        return data


@admin.register(HallClosure)
class HallClosureAdmin(HallScopedAdmin):
    form = ClosureForm
    supervisor_can_change = False
    list_display = ["hall", "group", "date", "start", "end", "reason", "moved_count", "cancelled_count", "created_by"]
    list_select_related = ["hall", "group__hall", "created_by"]
    list_filter = ["date"]

    def has_change_permission(self, request, obj=None):
        # A closure is an event: it cancelled appointments and told citizens. It is recorded, not edited.
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        closure = closure_create(
            actor=request.user,
            hall=obj.hall,
            group=obj.group,
            date=obj.date,
            start=obj.start,
            end=obj.end,
            reason=obj.reason,
        )
        obj.pk = closure.pk
        obj.cancelled_count = closure.cancelled_count
        self.message_user(request, _("已闭厅，取消预约%(count)s个，已通知市民。") % {"count": closure.cancelled_count})


class ReadOnlyScopedAdmin(HallScopedAdmin):
    supervisor_can_add = False
    supervisor_can_change = False

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Slot)
class SlotAdmin(ReadOnlyScopedAdmin):
    list_display = [
        "hall",
        "group",
        "start",
        "capacity",
        "booked",
        "reserved",
        "reserved_booked",
        "waitlist_held",
        "closed",
        "release_at",
    ]
    list_filter = ["hall", "date", "closed"]
    readonly_fields = ["booked"]  # moves only by conditional UPDATE in services


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyScopedAdmin):
    list_display = ["code", "matter", "hall", "slot", "status", "strike", "strike_waived", "created_at"]
    list_filter = ["status", "strike", "hall"]
    search_fields = ["code"]
    # The idempotency key is the client's retry token: of no use to staff, so never shown (a key once built
    # from the citizen's session id let a supervisor act as the citizen).
    fields = readonly_fields = tuple(
        f.name for f in Appointment._meta.fields if f.name not in {"id", "idempotency_key"}
    )


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(ReadOnlyScopedAdmin):
    list_display = ["hall", "date", "matter_code", "status", "offer_expires_at", "created_at"]
    list_filter = ["status", "date"]


class StandingForm(forms.ModelForm):
    waive_reason = forms.CharField(
        label=_("豁免理由"),
        max_length=200,
        required=False,
        help_text=_("填写理由并保存，即解除暂停并豁免30天内的违约记录（留痕）。"),
    )

    class Meta:
        model = BookingStanding
        fields: list[str] = []


@admin.register(BookingStanding)
class BookingStandingAdmin(admin.ModelAdmin):
    """Blocked citizens; hall staff lift a block by writing a reason (penalty_waive records it)."""

    form = StandingForm
    list_display = ["citizen_name", "blocked_until", "block_reason", "updated_at"]
    list_select_related = ["citizen"]
    readonly_fields = ["citizen_name", "blocked_until", "block_reason", "warned_no_show_at", "warned_late_cancel_at"]
    list_filter = [("blocked_until", admin.EmptyFieldListFilter)]

    @admin.display(description=_("市民"))
    def citizen_name(self, obj) -> str:
        return obj.citizen.masked_name

    def _staff(self, request) -> bool:
        return request.user.is_superuser or supervisor_hall_id(request) is not None

    def has_module_permission(self, request):
        return self._staff(request)

    def has_view_permission(self, request, obj=None):
        return self._staff(request)

    def has_change_permission(self, request, obj=None):
        return self._staff(request)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data.get("waive_reason", "").strip()
        if reason:
            penalty_waive(staff=request.user, citizen=obj.citizen, reason=reason)
            self.message_user(request, _("已解除暂停并豁免违约记录。"))


@admin.register(PenaltyWaiver)
class PenaltyWaiverAdmin(admin.ModelAdmin):
    list_display = ["citizen", "staff", "reason", "blocked_until", "at"]
    readonly_fields = ["citizen", "staff", "reason", "blocked_until", "appointments", "at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(StaffPost, list_display=["user", "hall", "window"])
