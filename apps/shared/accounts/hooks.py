"""What accounts needs from the front's apps, registered by them in their AppConfig.ready().

accounts sits below the front's apps (import-linter layers), so it cannot import them; yet a takeover
must move their rows, and a one-time code must go out through their SMS channel. Each owning app
registers its part here, as the exchange's handlers are registered by the apps that own the effect.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import User

# (old account, new account) -> {"what": rows moved}; runs inside the takeover's transaction.
CitizenMover = Callable[["User", "User"], dict[str, int]]
# (phone, text, reference) -> None; raises on failure. The text may carry a one-time code: the sender
# must not store it in a business table.
SmsSender = Callable[[str, str, str], None]

# (staff user) -> the name of the hall they work at, "" for none (the front's booking app owns staff posts).
StaffHall = Callable[["User"], str]

_movers: dict[str, CitizenMover] = {}
_sms_sender: list[SmsSender] = []
_staff_hall: list[StaffHall] = []


def register_citizen_mover(name: str, mover: CitizenMover) -> None:
    if name in _movers and _movers[name] is not mover:
        raise RuntimeError(f"two citizen movers named {name}")
    _movers[name] = mover


def citizen_movers() -> dict[str, CitizenMover]:
    return dict(_movers)


def register_sms_sender(sender: SmsSender) -> None:
    _sms_sender[:] = [sender]


def send_sms(*, phone: str, text: str, reference: str) -> None:
    """Send one SMS at once through the registered channel (the front's notifications backends)."""
    if not _sms_sender:
        raise RuntimeError("no SMS channel registered (apps.front.notifications is not installed)")
    _sms_sender[0](phone, text, reference)


def register_staff_hall(resolver: StaffHall) -> None:
    _staff_hall[:] = [resolver]


def staff_hall(user: User) -> str:
    """The hall a staff member works at ("" where no app knows halls: central)."""
    return _staff_hall[0](user) if _staff_hall else ""
