"""The floor under the booking benchmark's ceiling: a bare Django + DRF view doing the same conditional UPDATE.

Django and DRF as ``startproject`` and DRF's docs leave them, minus everything a site adds: no middleware,
no authentication, permission or throttle, no session, DRF's own JSON parser and renderer, the same
database with persistent connections and no health check. ``bench/ceiling.py`` is the same UPDATE behind
the site's whole stack (middleware, token authentication, the database's settings); ``ceiling / bare`` is
what the stack itself costs, measured in the same run (``bench/booking.py``). Served by gunicorn as
``bench.bare:application`` with ``DJANGO_SETTINGS_MODULE=bench.bare``: this module is its settings, its
URLconf and its WSGI application.
"""

from __future__ import annotations

import os

import environ

# --- Settings (DJANGO_SETTINGS_MODULE=bench.bare) ----------------------------------------------------
SECRET_KEY = "bench-bare-not-secret-0123456789abcdefghijklmnopqrstuvwxyz"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = ["rest_framework"]
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bench.bare"
USE_I18N = True
USE_TZ = True
DATABASES = {"default": environ.Env().db_url("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = 60
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "DEFAULT_THROTTLE_CLASSES": [],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": None,
}

# --- The view and its URLconf (imported only once Django is set up) -----------------------------------
if os.environ.get("DJANGO_SETTINGS_MODULE") == __name__:
    from django.core.wsgi import get_wsgi_application
    from django.db import connection
    from django.http import HttpResponse
    from django.urls import path
    from rest_framework import status
    from rest_framework.response import Response
    from rest_framework.views import APIView

    class BareApi(APIView):
        """POST {"slot": id}: take one place, or 409 when the slot is full. GET: 200 (the warm-up)."""

        def get(self, request):
            return Response({"ok": True})

        def post(self, request):
            slot_id = int(request.data["slot"])
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE booking_slot SET booked = booked + 1 WHERE id = %s AND booked < capacity", [slot_id]
                )
                taken = cursor.rowcount
            if taken:
                return Response({"slot": slot_id}, status=status.HTTP_201_CREATED)
            return Response({"code": "slot_full", "detail": "full"}, status=status.HTTP_409_CONFLICT)

    def healthz(request):
        return HttpResponse("ok", content_type="text/plain")

    urlpatterns = [path("healthz", healthz), path("api/v1/bench/bare/", BareApi.as_view())]
    application = get_wsgi_application()
