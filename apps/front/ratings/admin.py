from django.contrib import admin

from .models import Callback, Evaluation, Invitation, Rectification, RectificationEvent

admin.site.register(
    Evaluation,
    list_display=["id", "kind", "score", "channel", "hall", "created_at"],
    list_filter=["kind", "score", "channel"],
    # Nullable keys are not joined by default; the ticket or case name each row (its checkbox label).
    list_select_related=["hall", "ticket", "case"],
)
admin.site.register(Invitation, list_display=["id", "kind", "expires_at", "used_at"])
admin.site.register(
    Rectification,
    list_display=["id", "hall", "unit", "status", "appeal_status", "due_date", "replied_at"],
    list_filter=["status", "appeal_status"],
    list_select_related=["hall", "unit__hall"],  # the unit is nullable (not joined by default) and names its hall
    # The rater is reached through the evaluation; the admin shows no clear phone.
    raw_id_fields=["evaluation", "assignee", "replied_by", "appealed_by", "appeal_decided_by"],
)
admin.site.register(RectificationEvent, list_display=["rectification", "action", "from_status", "to_status", "at"])
admin.site.register(Callback, list_display=["rectification", "called_at", "outcome"])
