from django.contrib import admin

from .models import Delivery, DeliveryEvent, OriginalsShipment


class DeliveryEventInline(admin.TabularInline):
    model = DeliveryEvent
    extra = 0
    readonly_fields = ["actor", "actor_label", "from_status", "to_status", "note", "at"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["case", "method", "status", "courier", "tracking_number", "ready_at", "delivered_at"]
    list_filter = ["method", "status"]
    search_fields = ["case__number", "tracking_number"]
    # The clear phone and address are for the courier, not for browsing (DOMAIN.md §8): not shown here.
    exclude = ["recipient_phone", "address"]
    readonly_fields = [
        "case",
        "method",
        "status",
        "recipient_name",
        "masked_phone",
        "courier",
        "tracking_number",
        "chosen_at",
        "ready_at",
        "posted_at",
        "delivered_at",
        "handed_over_by",
        "receipt",
    ]
    inlines = [DeliveryEventInline]


@admin.register(OriginalsShipment)
class OriginalsShipmentAdmin(admin.ModelAdmin):
    """材料寄递: the originals of cases received for another region, with their waybills (posted by the courier
    task; nothing to edit by hand)."""

    list_display = ["case", "destination", "status", "courier", "tracking_number", "posted_at"]
    list_filter = ["status", "destination"]
    search_fields = ["case__number", "tracking_number"]
    readonly_fields = [
        "case",
        "destination",
        "address",
        "items",
        "status",
        "courier",
        "tracking_number",
        "created_at",
        "posted_at",
    ]

    def has_add_permission(self, request):
        return False
