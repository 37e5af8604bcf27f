"""Moves a front-site case along the journey inside one test database (no servers)."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from apps.front.booking.models import Slot

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = (  # one blank page that a PDF reader opens (an upload that does not open is refused)
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<</Type/Catalog/Pages 2 0 R>>\nendobj\n2 0 obj\n<</Type/Pages/Kids[3 0 R]/Count 1>>\nendobj\n"
    b"3 0 obj\n<</Type/Page/Parent 2 0 R/MediaBox[0 0 243 153]>>\nendobj\nxref\n0 4\n0000000000 65535 f \n0000000015 00000 n \n"
    b"0000000060 00000 n \n0000000111 00000 n \ntrailer\n<</Size 4/Root 1 0 R>>\nstartxref\n176\n%%EOF\n"
)


def shift_slot_to_now(slot_id: int, minutes_from_now: int = 10) -> None:
    """Stand in for "the next day came": the booked slot now starts within the check-in window."""
    start = timezone.now() + dt.timedelta(minutes=minutes_from_now)
    # The slot's day is its start's (a run a few minutes before midnight books into tomorrow's date, not today's).
    Slot.objects.filter(id=slot_id).update(
        start=start, end=start + dt.timedelta(minutes=30), date=timezone.localtime(start).date()
    )


def upload(name: str = "id.png", content: bytes = PNG, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)
