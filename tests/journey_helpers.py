"""Moves a front-site case along the journey inside one test database (no servers)."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from apps.front.booking.models import Slot
from tests.clock import TRAVELS

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = (  # one blank page that a PDF reader opens (an upload that does not open is refused)
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<</Type/Catalog/Pages 2 0 R>>\nendobj\n2 0 obj\n<</Type/Pages/Kids[3 0 R]/Count 1>>\nendobj\n"
    b"3 0 obj\n<</Type/Page/Parent 2 0 R/MediaBox[0 0 243 153]>>\nendobj\nxref\n0 4\n0000000000 65535 f \n0000000015 00000 n \n"
    b"0000000060 00000 n \n0000000111 00000 n \ntrailer\n<</Size 4/Root 1 0 R>>\nstartxref\n176\n%%EOF\n"
)


# How close to midnight "now" or the shifted start may come before the clock is moved (a test's few steps).
_MARGIN = dt.timedelta(minutes=5)


def shift_slot_to_now(slot_id: int, minutes_from_now: int = 10) -> None:
    """Stand in for "the next day came": the booked slot now starts within the check-in window.

    A slot belongs to one hall day, and a hall day never runs past midnight: near local midnight "a slot of
    today that starts in ten minutes" (or "began twenty minutes ago") does not exist. There this process's clock
    is first moved back to 21:00 (time-machine, ticking; put back after the test by tests/conftest.py), so the
    test does not depend on the hour CI runs it at. Back, never forward: PostgreSQL's clock is not moved, and
    what the test makes from the moved clock (a place released an hour ago, a slot for tomorrow) must still be
    so by the database's."""
    now = timezone.localtime()
    start = now + dt.timedelta(minutes=minutes_from_now)
    if {(moment + step).date() for moment in (now, start) for step in (-_MARGIN, _MARGIN)} != {now.date()}:
        evening = (now - dt.timedelta(hours=3)).replace(hour=21, minute=0, second=0, microsecond=0)
        traveller = time_machine.travel(evening, tick=True)
        traveller.start()
        TRAVELS.append(traveller)
        start = timezone.now() + dt.timedelta(minutes=minutes_from_now)
    # The slot's day is its start's.
    Slot.objects.filter(id=slot_id).update(
        start=start, end=start + dt.timedelta(minutes=30), date=timezone.localtime(start).date()
    )


def upload(name: str = "id.png", content: bytes = PNG, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)
