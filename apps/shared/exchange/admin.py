from django.conf import settings
from django.contrib import admin, messages
from django.utils.translation import gettext as _

from .models import InboxMessage, OutboxMessage, OutboxStatus, Peer, PeerKey, Route
from .services import outbox_redrive


class PeerKeyInline(admin.TabularInline):
    model = PeerKey
    extra = 0
    fields = ["key_id", "not_before", "not_after"]


@admin.register(Peer)
class PeerAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "base_url", "active", "postal_address"]
    inlines = [PeerKeyInline]


@admin.register(OutboxMessage)
class OutboxAdmin(admin.ModelAdmin):
    """Operators watch the wire here; dead letters are re-driven with the same id (still idempotent)."""

    list_display = ["id", "kind", "peer", "status", "attempts", "next_attempt_at", "created_at", "last_error"]
    list_filter = ["status", "kind", "peer"]
    readonly_fields = [
        "id",
        "peer",
        "kind",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "response",
        "created_at",
        "delivered_at",
    ]
    exclude = ["payload", "files"]
    actions = ["redrive"]

    @admin.action(description="重新投递所选失败报文 Re-drive dead letters")
    def redrive(self, request, queryset):
        count = sum(outbox_redrive(message_id=m.id) for m in queryset.filter(status=OutboxStatus.DEAD))
        self.message_user(request, _("已重新投递 %(count)s 条。") % {"count": count}, messages.SUCCESS)

    def has_add_permission(self, request):
        return False


@admin.register(InboxMessage)
class InboxAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "peer", "status_code", "received_at"]
    list_filter = ["kind", "peer", "status_code"]
    readonly_fields = [f.name for f in InboxMessage._meta.fields]

    def has_add_permission(self, request):
        return False


class RouteAdmin(admin.ModelAdmin):
    """A front's routing table: which central decides a matter or a region's matters (checked against the
    catalog by Route.clean, peers.route_errors)."""

    list_display = ["matter_code", "region", "peer", "note"]
    list_filter = ["peer"]
    search_fields = ["matter_code", "region", "note"]


if settings.IS_FRONT:  # only a front hands matters to centrals
    admin.site.register(Route, RouteAdmin)
