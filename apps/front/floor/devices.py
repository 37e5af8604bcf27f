"""A hall device's activation in its browser session: the kiosk (自助终端) and the window rating tablet.

The session keeps the device's id and the digest of its token — never the token (the session table is
read by whoever reads the database) — and every request checks both against the device row, so renewing
the token or deactivating the device in the admin stops it at once.

Staff may sign in at a kiosk to help someone (帮办). That is a step-up of the kiosk, not a staff session of
its own: it ends after KIOSK_STAFF_IDLE_SECONDS without a request and when the assisted case is done
(``kiosk_staff_end``), and signing out returns the kiosk to its device mode instead of deactivating it
(``KioskStepUpMiddleware``). Before, a clerk inherited the kiosk's 180-day session, and signing out
deactivated the kiosk, so clerks did not — and the next citizen opened the workbench as the clerk."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth import logout

from govservice.browser import token_api

from .conf import floor_conf
from .models import Terminal
from .services import terminal_authenticate

KIOSK = "kiosk"
TABLET = "tablet"
_KEY = {KIOSK: "floor_kiosk", TABLET: "floor_tablet"}
# Sessions activated before this module kept the token itself under these keys; read once and converted.
_LEGACY_KEY = {KIOSK: "terminal_token", TABLET: "tablet_token"}
STAFF_SEEN = "floor_kiosk_staff_seen"


def _find(kind: str, terminal_id: Any, digest: Any) -> Terminal | None:
    if not isinstance(terminal_id, int) or not isinstance(digest, str):
        return None
    return (
        Terminal.objects.select_related("hall", "window")
        .filter(pk=terminal_id, token_sha256=digest, active=True, window__isnull=kind == KIOSK)
        .first()
    )


def device_activate(request, terminal: Terminal, *, kind: str = KIOSK) -> None:
    """Remember the device in this browser for DEVICE_SESSION_SECONDS (its token was checked by the caller)."""
    request.session[_KEY[kind]] = {"id": terminal.pk, "digest": terminal.token_sha256}
    request.session.pop(_LEGACY_KEY[kind], None)
    request.session.set_expiry(floor_conf.DEVICE_SESSION_SECONDS)


def device_for(request, *, kind: str = KIOSK) -> Terminal | None:
    """The active device this browser was activated as, or None."""
    session = request.session
    legacy = session.get(_LEGACY_KEY[kind])
    if isinstance(legacy, str):
        # An activation from before: converted on its first request, so no token stays in the session table.
        session.pop(_LEGACY_KEY[kind])
        device = terminal_authenticate(legacy, tablet=kind == TABLET)
        if device is not None:
            device_activate(request, device, kind=kind)
        return device
    saved = session.get(_KEY[kind])
    if not isinstance(saved, dict):
        return None
    return _find(kind, saved.get("id"), saved.get("digest"))


def kiosk_staff_end(request) -> None:
    """End a staff step-up at this kiosk (the assisted case is done, or the helper left it idle): the staff
    member is signed out and the kiosk stays activated."""
    activations = {key: request.session[key] for key in _KEY.values() if key in request.session}
    logout(request)  # flushes the session: a new key, nothing of the staff member's left
    for key, value in activations.items():
        request.session[key] = value
    if activations:
        request.session.set_expiry(floor_conf.DEVICE_SESSION_SECONDS)


class KioskStepUpMiddleware:
    """Keeps staff at a kiosk a short step-up and a kiosk activated through a sign-out (see the module
    docstring). After the authentication middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if token_api(request):  # no session: govservice/browser.py
            return self.get_response(request)
        activations = {key: request.session[key] for key in _KEY.values() if key in request.session}
        if _KEY[KIOSK] in activations and request.user.is_authenticated:
            seen = request.session.get(STAFF_SEEN)
            now = time.time()
            if isinstance(seen, int | float) and now - seen > floor_conf.KIOSK_STAFF_IDLE_SECONDS:
                kiosk_staff_end(request)
            else:
                request.session[STAFF_SEEN] = now
        response = self.get_response(request)
        # Signed out (or in as someone else) during this request, which flushes the session: the device
        # stays activated.
        lost = {key: value for key, value in activations.items() if key not in request.session}
        for key, value in lost.items():
            request.session[key] = value
        if lost:
            request.session.set_expiry(floor_conf.DEVICE_SESSION_SECONDS)
        # Just signed in at the kiosk: the idle clock of the step-up starts now.
        if _KEY[KIOSK] in activations and request.user.is_authenticated and STAFF_SEEN not in request.session:
            request.session[STAFF_SEEN] = time.time()
        return response
