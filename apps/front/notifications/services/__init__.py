"""Notifications (DOMAIN.md §7): templates, sending, delivery receipts, the citizen's choices.

Other apps call ``notify(recipient=…, event=…, case=…, context=…)``; the rest is this app's business.
"""

from .callbacks import CallbackResult, gateway_callback_receive
from .delivery import notification_deliver, notifications_recover_stuck, notifications_send_due
from .inbox import inbox_mark_read
from .notify import URGENT_EVENTS, notify
from .preferences import preference_for, preference_update
from .templates import render, template_current_version, template_version_create, templates_sync

__all__ = [
    "URGENT_EVENTS",
    "CallbackResult",
    "gateway_callback_receive",
    "inbox_mark_read",
    "notification_deliver",
    "notifications_recover_stuck",
    "notifications_send_due",
    "notify",
    "preference_for",
    "preference_update",
    "render",
    "template_current_version",
    "template_version_create",
    "templates_sync",
]
