"""Booking's models by purpose: a hall's organisation (``halls``), and slots with what is booked in them
(``appointments``). Import them from here: ``from apps.front.booking.models import Slot``."""

from .appointments import (
    ACTIVE_APPOINTMENT_STATUSES,
    APPOINTMENT_TRANSITIONS,
    Appointment,
    AppointmentEvent,
    AppointmentStatus,
    BookingStanding,
    GreenCategory,
    PenaltyWaiver,
    Quota,
    Slot,
    Strike,
    WaitlistEntry,
    WaitlistStatus,
)
from .halls import GroupMatter, Hall, HallClosure, OpeningSession, StaffPost, Window, WindowGroup

__all__ = [
    "ACTIVE_APPOINTMENT_STATUSES",
    "APPOINTMENT_TRANSITIONS",
    "Appointment",
    "AppointmentEvent",
    "AppointmentStatus",
    "BookingStanding",
    "GreenCategory",
    "GroupMatter",
    "Hall",
    "HallClosure",
    "OpeningSession",
    "PenaltyWaiver",
    "Quota",
    "Slot",
    "StaffPost",
    "Strike",
    "WaitlistEntry",
    "WaitlistStatus",
    "Window",
    "WindowGroup",
]
