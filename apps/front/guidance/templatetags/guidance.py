"""Template tags for other apps' pages: the appointment page shows the checklist it was booked from,
without the booking app importing guidance."""

from __future__ import annotations

from typing import Any

from django import template

from ..selectors import NOT_NEEDED, checklist_for_appointment

register = template.Library()


@register.simple_tag
def appointment_checklist(appointment) -> dict[str, Any] | None:
    """The checklist carried into this booking: its code, the items to bring, and the matter's
    materials to upload in the online pre-filing (only those the checklist needs)."""
    checklist = checklist_for_appointment(appointment_id=appointment.id)
    if checklist is None:
        return None
    items = [i for i in checklist.items if i["status"] != NOT_NEEDED]
    keys = {i["key"] for i in items}
    return {
        "code": checklist.code,
        "items": items,
        "materials": [m for m in appointment.matter.materials.all() if m.key in keys],
    }
