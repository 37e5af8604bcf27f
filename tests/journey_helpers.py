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


# How far around the shifted start a test may look (check-in opens 30 minutes early, closes 15 late).
_AROUND = dt.timedelta(minutes=60)


def shift_slot_to_now(slot_id: int, minutes_from_now: int = 10) -> None:
    """Stand in for "the next day came": the booked slot now starts within the check-in window.

    A slot belongs to one hall day, and a hall day never runs past midnight: within an hour or so of local
    midnight "a slot of today that starts in ten minutes" (or "began half an hour ago") does not exist. There
    this process's clock is first moved two hours away from midnight, ticking (the test's own code only:
    PostgreSQL's and the servers' clocks stay), so the test does not depend on the hour CI runs it at."""
    now = timezone.localtime()
    offset = dt.timedelta(minutes=minutes_from_now)
    if (now + max(offset, dt.timedelta(0)) + _AROUND).date() != now.date():
        travel = -dt.timedelta(hours=2)
    elif (now + min(offset, dt.timedelta(0)) - _AROUND).date() != now.date():
        travel = dt.timedelta(hours=2)
    else:
        travel = None
    if travel is not None:
        traveller = time_machine.travel(now + travel, tick=True)
        traveller.start()
        TRAVELS.append(traveller)
    start = timezone.now() + offset
    # The slot's day is its start's.
    Slot.objects.filter(id=slot_id).update(
        start=start, end=start + dt.timedelta(minutes=30), date=timezone.localtime(start).date()
    )


def upload(name: str = "id.png", content: bytes = PNG, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)
