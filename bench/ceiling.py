"""The ceiling of the booking benchmark: the least a booking endpoint can do.

A bare Django + DRF endpoint doing one conditional UPDATE (DESIGN.md §6) — same settings, middleware,
authentication (DRF token) and gunicorn configuration as the site, nothing else: no validation, no
appointment row, no audit, no rate limit. A full slot is refused as the site refuses (a ``Conflict`` through the
API's exception handler: the same body, and no warning line per expected refusal). ``bench/booking.py`` serves it through ``bench.ceiling_wsgi``
and sends it as many requests, on as many connections, as it sent the real endpoint; the booking
throughput is reported as a ratio to it, since machines are small and noisy (DESIGN.md §8).
"""

from __future__ import annotations

from django.db import connection
from django.http import HttpResponse
from django.urls import path
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from govservice.api import Conflict


class CeilingApi(APIView):
    """POST {"slot": id}: take one place of the slot, or 409 when it is full. GET: authenticate only
    (the warm-up)."""

    def get(self, request):
        return Response({"ok": True})

    def post(self, request):
        slot_id = int(request.data["slot"])
        with connection.cursor() as cursor:
            cursor.execute("UPDATE booking_slot SET booked = booked + 1 WHERE id = %s AND booked < capacity", [slot_id])
            taken = cursor.rowcount
        if taken:
            return Response({"slot": slot_id}, status=status.HTTP_201_CREATED)
        raise Conflict("full", code="slot_full")


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("healthz", healthz),
    path("api/v1/bench/ceiling/", CeilingApi.as_view()),
]
