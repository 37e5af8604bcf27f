"""Who is asking at the hall: a kiosk (its device activation, apps/front/floor/devices.py) or a clerk at a window
(their login and staff post). A remote session and its join ticket belong to exactly one of them.

The join ticket central issued is kept in that browser's session (the kiosk's device session, or the clerk's
login session) — never in a page, a URL or the database — and presented by the front on every request it relays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apps.front.booking.models import Hall, StaffPost
from apps.front.floor.devices import device_for
from apps.front.floor.models import Terminal
from apps.shared.accounts.models import Role, User

_TICKETS = "remote_sessions"


@dataclass(frozen=True)
class Device:
    key: str  # what central binds the ticket to: "terminal:<id>" or "clerk:<id>"
    label: str
    hall: Hall
    terminal: Terminal | None = None
    clerk: User | None = None
    window_label: str = ""


def kiosk_device(request) -> Device | None:
    terminal = device_for(request)
    if terminal is None:
        return None
    return Device(key=f"terminal:{terminal.pk}", label=terminal.name[:100], hall=terminal.hall, terminal=terminal)


def clerk_device(request) -> Device | None:
    user = request.user
    if not user.is_authenticated or user.role not in (Role.CLERK, Role.HALL_SUPERVISOR):
        return None
    post = StaffPost.objects.select_related("hall", "window").filter(user=user).first()
    if post is None or post.window is None:
        return None
    window = str(post.window)
    return Device(
        key=f"clerk:{user.pk}",
        label=f"{window} {user.real_name or user.username}"[:100],
        hall=post.hall,
        clerk=user,
        window_label=window,
    )


def remember(request, session_id: str, *, ticket: str, page: dict[str, Any] | None = None) -> None:
    """Keep (or replace) the join ticket of a session in this browser's session; ``page`` what the hall's page
    needs to connect (ICE servers, poll pace), given by central with the first ticket."""
    held = request.session.get(_TICKETS)
    held = dict(held) if isinstance(held, dict) else {}
    entry = dict(held.get(session_id) or {})
    entry["ticket"] = ticket
    if page is not None:
        entry["page"] = page
    held[session_id] = entry
    # Only the latest few: a kiosk serves many people a day.
    request.session[_TICKETS] = dict(list(held.items())[-5:])


def held(request, session_id: str) -> dict[str, Any]:
    entry = (request.session.get(_TICKETS) or {}).get(session_id)
    return entry if isinstance(entry, dict) else {}


def forget(request, session_id: str) -> None:
    tickets = dict(request.session.get(_TICKETS) or {})
    if tickets.pop(session_id, None) is not None:
        request.session[_TICKETS] = tickets
