from django.contrib import admin

from .models import Delivery, DeliveryEvent


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
        "case", "method", "status", "recipient_name", "masked_phone", "courier", "tracking_number", "chosen_at", "ready_at",
        "posted_at", "delivered_at", "handed_over_by", "receipt",
    ]
    inlines = [DeliveryEventInline]
