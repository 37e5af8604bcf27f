from django.contrib import admin

from .models import ConsultDesk, ConsultTicket, FaqEntry, TicketEvent, TicketMessage


class MessageInline(admin.TabularInline):
    model = TicketMessage
    extra = 0
    readonly_fields = ["kind", "author", "body", "at"]
    can_delete = False


class EventInline(admin.TabularInline):
    model = TicketEvent
    extra = 0
    readonly_fields = ["action", "actor", "from_status", "to_status", "department", "note", "at"]
    can_delete = False


@admin.register(ConsultTicket)
class ConsultTicketAdmin(admin.ModelAdmin):
    # The asker's phone stays out of the admin lists (DOMAIN.md §8).
    list_display = ["code", "kind", "status", "matter", "hall", "department", "owner", "due_date", "rating"]
    list_filter = ["kind", "status", "channel", "hall"]
    search_fields = ["code", "title"]
    exclude = ["contact_phone"]
    raw_id_fields = ["citizen", "owner", "created_by", "matter"]
    inlines = [MessageInline, EventInline]


admin.site.register(ConsultDesk, list_display=["user", "department"])
admin.site.register(
    FaqEntry, list_display=["question", "matter_code", "is_published", "published_at"], list_filter=["is_published"]
)
