from django.contrib import admin

from .models import ApproverPost, ReviewCase

admin.site.register(ApproverPost, list_display=["user", "department"])


@admin.register(ReviewCase)
class ReviewCaseAdmin(admin.ModelAdmin):
    list_display = ["front_number", "platform", "matter", "department", "status", "promised_date"]
    list_filter = ["status", "department", "platform"]
    search_fields = ["front_number"]
    exclude = ["applicant_id_number"]
    readonly_fields = [
        "platform",
        "front_number",
        "matter",
        "department",
        "hall_name",
        "applicant_name",
        "status",
        "accepted_at",
        "promised_date",
        "decision",
        "decision_reason",
        "decided_at",
        "decided_by",
    ]
