"""好差评 services: evaluations, SMS invitations and rectifications. Other apps import from here."""

from .appeals import rectification_appeal, rectification_appeal_decide
from .evaluations import (
    evaluation_submit,
    evaluation_submit_for_ticket,
    evaluation_validate,
    responsible_unit_for_case,
    ticket_for_kiosk_rating,
)
from .invitations import (
    evaluation_submit_by_invitation,
    fix_token,
    invitation_for_token,
    invitation_token,
    invitations_send_due,
    rectification_for_fix_token,
)
from .rectifications import (
    rectification_assign,
    rectification_callback_record,
    rectification_open,
    rectification_rate_fix,
    rectification_reply,
    rectification_reveal_rater,
)
from .reminders import rectifications_remind

__all__ = [
    "evaluation_submit",
    "evaluation_submit_by_invitation",
    "evaluation_submit_for_ticket",
    "evaluation_validate",
    "fix_token",
    "invitation_for_token",
    "invitation_token",
    "invitations_send_due",
    "rectification_appeal",
    "rectification_appeal_decide",
    "rectification_assign",
    "rectification_callback_record",
    "rectification_for_fix_token",
    "rectification_open",
    "rectification_rate_fix",
    "rectification_reply",
    "rectification_reveal_rater",
    "rectifications_remind",
    "responsible_unit_for_case",
    "ticket_for_kiosk_rating",
]
