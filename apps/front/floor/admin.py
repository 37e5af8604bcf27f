from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from apps.front.booking.admin import HallScopedAdmin, supervisor_hall_id
from apps.front.booking.models import Window

from .models import Terminal, Ticket, TicketEvent
from .services import terminal_token_issue


class TerminalForm(forms.ModelForm):
    class Meta:
        model = Terminal
        fields = ["hall", "name", "window", "active"]

    def clean(self):
        data = super().clean()
        hall, window = data.get("hall"), data.get("window")
        if hall is not None and window is not None and window.hall_id != hall.id:
            raise forms.ValidationError(_("绑定的窗口不属于该大厅。"))
        return data


@admin.register(Terminal)
class TerminalAdmin(HallScopedAdmin):
    """Kiosks and window rating tablets of a hall. A new device gets its token once, in a message; the
    "renew" action replaces a lost or leaked one (the old stops working at once)."""

    form = TerminalForm
    list_display = ["name", "hall", "window", "active"]
    list_select_related = ["hall", "window"]
    list_filter = ["hall", "active"]
    actions = ["renew_tokens"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        hall_id = supervisor_hall_id(request) if not request.user.is_superuser else None
        if db_field.related_model is Window and hall_id is not None:
            kwargs["queryset"] = Window.objects.filter(hall_id=hall_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        token = None if change else terminal_token_issue(obj)
        super().save_model(request, obj, form, change)
        if token:
            self._show_token(request, obj, token)

    @admin.action(description=_("重新生成设备令牌"), permissions=["change"])
    def renew_tokens(self, request, queryset):
        for terminal in queryset:
            self._show_token(request, terminal, terminal_token_issue(terminal))

    def _show_token(self, request, terminal, token: str) -> None:
        messages.warning(
            request,
            _("“%(name)s”的设备令牌（仅显示这一次，请在设备上激活时输入）：%(token)s")
            % {"name": terminal.name, "token": token},
        )


class TicketEventInline(admin.TabularInline):
    model = TicketEvent
    fields = readonly_fields = ("at", "action", "from_status", "to_status", "actor", "window", "note")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ["label", "hall", "matter", "status", "priority", "green_reason", "checked_in_at", "window"]
    list_filter = ["hall", "status", "priority", "service_date"]
    # The rating code is the citizen's proof that they were served (it lets whoever holds it rate the
    # service): staff never see it, here or anywhere else.
    fields = readonly_fields = tuple(f.name for f in Ticket._meta.fields if f.name not in {"id", "rating_code"})
    inlines = [TicketEventInline]
