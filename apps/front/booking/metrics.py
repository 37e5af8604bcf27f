"""Bookings refused, by the refusal's code (apps/shared/observability; counted by services/booking.py)."""

from apps.shared.observability.registry import counter

counter("booking_refusals", "Bookings refused, by the refusal's code (slot_full, duplicate, blocked…).", ["code"])
