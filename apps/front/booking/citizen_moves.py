"""A takeover at the window (apps/shared/accounts/takeover.py) moves booking's rows of the frozen account
to the verified person; registered in BookingConfig.ready()."""

from __future__ import annotations

from apps.shared.accounts.models import User

from .models import Appointment, WaitlistEntry


def move_citizen(old: User, new: User) -> dict[str, int]:
    # The new account was unverified until now, so it booked nothing: the active-appointment and
    # waitlist constraints cannot collide.
    return {
        "booking.appointments": Appointment.objects.filter(citizen=old).update(citizen=new),
        "booking.waitlist": WaitlistEntry.objects.filter(citizen=old).update(citizen=new),
    }
